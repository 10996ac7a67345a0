// SPDX-License-Identifier: Apache-2.0
// The `--device-uri` forms: where the drive is and how to reach it.
//   tcp://HOST:PORT?unit=N                                   (PORT defaults to 502, unit to 1)
//   rtu:///dev/ttyUSB0?baud=19200&parity=E&data_bits=8&stop_bits=1&unit=1
#pragma once

#include <string>

#include "core/result.hpp"

namespace traction {

struct DeviceUri {
  enum class Transport { tcp, rtu } transport;
  std::string host;  // tcp: a name or an IP literal ("[::1]" is written without brackets here)
  int port = 502;
  std::string device;  // rtu: the serial device path
  int baud = 19200;
  char parity = 'N';  // 'N', 'E' or 'O'
  int data_bits = 8;
  int stop_bits = 1;
  int unit = 1;  // Modbus unit (slave) id
};

// Parses a device URI. Errc::invalid_argument naming the URI, the part and the rule on any error;
// unknown query keys are rejected with a "did you mean" hint.
Result<DeviceUri> parse_device_uri(const std::string& uri);

// The canonical text of a URI, for logs.
std::string to_string(const DeviceUri& uri);

}  // namespace traction
