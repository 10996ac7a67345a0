// SPDX-License-Identifier: Apache-2.0
#include "simulator/modbus/request_handler.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace traction::sim {

namespace {

int word_at(const std::uint8_t* p) {
  return (p[0] << 8) | p[1];
}

}  // namespace

void prepare_server_context(modbus_t* ctx) {
  modbus_set_response_timeout(ctx, 0, 1);
}

RequestHandler::RequestHandler(RegisterBank& bank, SimDevice& device, CommFaults& faults)
    : bank_(bank), device_(device), faults_(faults) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair_) != 0) {
    throw std::system_error(errno, std::generic_category(), "socketpair for reply capture");
  }
}

RequestHandler::~RequestHandler() {
  for (int fd : pair_) {
    if (fd >= 0) close(fd);
  }
}

template <class Send>
std::vector<std::uint8_t> RequestHandler::capture(modbus_t* ctx, Send&& send) {
  const int wire = modbus_get_socket(ctx);
  modbus_set_socket(ctx, pair_[0]);
  send();
  modbus_set_socket(ctx, wire);
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[MODBUS_MAX_ADU_LENGTH];
  for (;;) {
    const ssize_t n = recv(pair_[1], chunk, sizeof chunk, MSG_DONTWAIT);
    if (n <= 0) break;
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  return bytes;
}

std::optional<Reply> RequestHandler::handle(modbus_t* ctx, Transport transport,
                                            const std::uint8_t* request, int length) {
  const double now_s = device_.time_s();
  if (!device_.powered() || faults_.silent(now_s)) return std::nullopt;
  const int header = modbus_get_header_length(ctx);
  if (length <= header) return std::nullopt;
  ++requests_;

  std::vector<std::uint8_t> bytes;
  bool valid = false;
  if (auto code = faults_.take_exception()) {
    bytes = capture(ctx, [&] { modbus_reply_exception(ctx, request, *code); });
  } else {
    bank_.refresh(device_);
    bytes = capture(ctx, [&] { modbus_reply(ctx, request, length, bank_.mapping()); });
    valid = bytes.size() > static_cast<std::size_t>(header) && (bytes[header] & 0x80) == 0;
    // libmodbus flushes after some exceptions (a frame it could not trust), but inside capture()
    // that flush hit the private pair: flush the real line here. The master awaits our reply,
    // so nothing of its next request can be lost.
    if (!valid) modbus_flush(ctx);
  }
  if (valid) {
    // A request the device understood and executed: it feeds the watchdog and takes effect.
    device_.drive().note_valid_request();
    apply_writes(request + header, length - header);
  }
  if (bytes.empty()) return std::nullopt;
  if (transport == Transport::rtu && faults_.take_corrupt_crc()) bytes.back() ^= 0xFF;
  return Reply{std::move(bytes), faults_.reply_delay_ms(now_s)};
}

void RequestHandler::apply_writes(const std::uint8_t* pdu, int pdu_length) {
  if (pdu_length < 5) return;
  const int address = word_at(pdu + 1);
  switch (pdu[0]) {
    case MODBUS_FC_WRITE_SINGLE_REGISTER:
    case MODBUS_FC_MASK_WRITE_REGISTER:
      bank_.apply_write(Table::holding, address, 1, device_);
      break;
    case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
      bank_.apply_write(Table::holding, address, word_at(pdu + 3), device_);
      break;
    case MODBUS_FC_WRITE_AND_READ_REGISTERS:
      if (pdu_length >= 9)
        bank_.apply_write(Table::holding, word_at(pdu + 5), word_at(pdu + 7), device_);
      break;
    case MODBUS_FC_WRITE_SINGLE_COIL:
      bank_.apply_write(Table::coil, address, 1, device_);
      break;
    case MODBUS_FC_WRITE_MULTIPLE_COILS:
      bank_.apply_write(Table::coil, address, word_at(pdu + 3), device_);
      break;
    default:
      break;
  }
}

}  // namespace traction::sim
