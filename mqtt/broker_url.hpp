// SPDX-License-Identifier: Apache-2.0
// A broker address as given on the command line: mqtt://HOST[:PORT] (plain, port 1883) or
// mqtts://HOST[:PORT] (TLS, port 8883). IPv6 hosts in brackets: mqtt://[::1]:1883.
#pragma once

#include <string>

#include "core/result.hpp"

namespace traction::mqtt {

struct BrokerUrl {
  std::string host;
  int port = 1883;
  bool tls = false;

  std::string to_string() const;
};

Result<BrokerUrl> parse_broker_url(const std::string& text);

}  // namespace traction::mqtt
