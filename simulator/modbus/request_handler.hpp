// SPDX-License-Identifier: Apache-2.0
// The request handling path, one framed request at a time: link faults first (silence, injected
// exceptions), then libmodbus answers from the register image, then the written signals act on
// the device. libmodbus renders every reply into a private socket pair so that the bytes can be
// delayed or corrupted before they reach the wire: libmodbus stays the protocol engine, the
// simulator only decides what happens to its output. No locking and no clock here; the caller
// holds the device's lock and has advanced it to "now".
#pragma once

#include <modbus/modbus.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "simulator/modbus/comm_faults.hpp"
#include "simulator/modbus/register_bank.hpp"
#include "simulator/physics/sim_device.hpp"

namespace traction::sim {

enum class Transport { tcp, rtu };

// Readies a libmodbus context for answering requests. libmodbus 3.1.6 sleeps the context's
// *response* timeout before some exception replies (meant for clients); a server must not.
void prepare_server_context(modbus_t* ctx);

struct Reply {
  std::vector<std::uint8_t> bytes;  // the whole frame (MBAP or address + PDU + CRC)
  int delay_ms = 0;                 // send this much later
};

class RequestHandler {
 public:
  // Throws std::system_error when the capture socket pair cannot be created.
  RequestHandler(RegisterBank& bank, SimDevice& device, CommFaults& faults);
  ~RequestHandler();
  RequestHandler(const RequestHandler&) = delete;
  RequestHandler& operator=(const RequestHandler&) = delete;

  // Handles one request as framed by modbus_receive() on `ctx`. Returns the reply to send, or
  // std::nullopt when the device stays silent (comm_loss, power loss, broadcast).
  std::optional<Reply> handle(modbus_t* ctx, Transport transport, const std::uint8_t* request,
                              int length);

  // Requests answered (normally or with an exception) since start.
  std::uint64_t requests_served() const { return requests_; }

 private:
  template <class Send>
  std::vector<std::uint8_t> capture(modbus_t* ctx, Send&& send);
  void apply_writes(const std::uint8_t* pdu, int pdu_length);

  RegisterBank& bank_;
  SimDevice& device_;
  CommFaults& faults_;
  int pair_[2] = {-1, -1};
  std::uint64_t requests_ = 0;
};

}  // namespace traction::sim
