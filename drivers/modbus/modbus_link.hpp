// SPDX-License-Identifier: Apache-2.0
// One libmodbus context and its recovery policy. Owned by the control thread only:
// libmodbus is not thread safe.
//  - A link error (socket gone, serial port lost) closes the context; it is reopened on a later
//    call once the capped exponential backoff allows, so no call blocks beyond the timeouts.
//  - A timeout or a garbled reply flushes the input, and flushes again before the next request, so
//  a
//    reply that arrives late cannot be taken for the answer to a later request.
//  - A protocol exception (busy, illegal address, ...) is reported and changes nothing else.
// libmodbus' own MODBUS_ERROR_RECOVERY_LINK is never enabled: it can block for seconds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "drivers/device_file.hpp"
#include "drivers/modbus/device_uri.hpp"
#include "drivers/modbus/reconnect_backoff.hpp"
#include "drivers/register_map.hpp"

struct _modbus;  // libmodbus' modbus_t, kept out of this header

namespace traction {

struct LinkOptions {
  TransportTimeouts timeouts;
  int backoff_initial_ms = 100;
  int backoff_max_ms = 2000;
  // Consecutive timeouts after which a TCP connection is presumed half-open and reopened.
  int reopen_after_timeouts = 5;
  int rtu_fd = -1;  // an already-open serial (pty) fd, borrowed: never closed by the link
};

// The Errc a failed libmodbus call maps to, from its errno.
Errc classify_modbus_errno(int error_number);

class ModbusLink {
 public:
  ModbusLink(DeviceUri uri, LinkOptions options);
  ~ModbusLink();
  ModbusLink(const ModbusLink&) = delete;
  ModbusLink& operator=(const ModbusLink&) = delete;

  // Opens the context if it is closed and the backoff allows. Errc::link when closed and not
  // (yet) reopened; the attempt itself is bounded by the response timeout.
  Status ensure_open(Clock::time_point now);
  bool is_open() const { return ctx_ != nullptr; }

  // One read request covering `block`; `out` receives block.count words (bits as 0/1). Neither
  // allocates once `out` and the bit buffer have their size: error messages are built on failure.
  Status read(const ReadBlock& block, Words& out);
  // One write request: function 16 for registers, function 15 for coils (0/1 per entry).
  Status write(Table table, int address, const Words& words);

  // Closes the context now (a link error, or the owner's choice); the backoff delays reopening.
  void close(Clock::time_point now);

  const DeviceUri& uri() const { return uri_; }
  std::uint64_t transactions() const { return transactions_; }

 private:
  Status open();
  Status before_transaction();
  void drain_late_reply();
  Status after_failure(const std::string& what);
  std::uint8_t* bit_buffer(int count);

  DeviceUri uri_;
  LinkOptions options_;
  ReconnectBackoff backoff_;
  _modbus* ctx_ = nullptr;
  bool flush_pending_ = false;
  bool drain_pending_ = false;  // RTU: a reply may still be on its way after a timeout
  int consecutive_timeouts_ = 0;
  std::uint64_t transactions_ = 0;
  std::vector<std::uint8_t> bits_;  // coil and discrete input requests
};

}  // namespace traction
