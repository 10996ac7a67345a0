// SPDX-License-Identifier: Apache-2.0
#include "drivers/modbus/modbus_link.hpp"

#include <modbus/modbus.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace traction {
namespace {

void set_timeout_ms(modbus_t* ctx, int timeout_ms, bool response) {
  const auto sec = static_cast<std::uint32_t>(timeout_ms / 1000);
  const auto usec = static_cast<std::uint32_t>((timeout_ms % 1000) * 1000);
  if (response) {
    modbus_set_response_timeout(ctx, sec, usec);
  } else {
    modbus_set_byte_timeout(ctx, sec, usec);
  }
}

// What a request was, for an error message (built only when a request fails).
std::string describe(const char* verb, Table table, int address, int count) {
  return std::string(verb) + " " + to_string(table) + " " + std::to_string(address) + "+" +
         std::to_string(count);
}

}  // namespace

Errc classify_modbus_errno(int error_number) {
  if (error_number == ETIMEDOUT) return Errc::timeout;
  if (error_number > MODBUS_ENOBASE && error_number <= EMBXGTAR) return Errc::exception;
  // Garbled or mismatched replies (bad CRC, wrong transaction id, wrong length): no valid reply.
  if (error_number >= EMBBADCRC && error_number <= EMBBADSLAVE) return Errc::timeout;
  // Everything else is the operating system telling us the transport is gone or unusable
  // (ECONNRESET, EPIPE, EBADF, EIO, ENOTCONN, ...).
  return Errc::link;
}

ModbusLink::ModbusLink(DeviceUri uri, LinkOptions options)
    : uri_(std::move(uri)),
      options_(options),
      backoff_(options.backoff_initial_ms, options.backoff_max_ms) {}

ModbusLink::~ModbusLink() {
  close(Clock::now());
}

Status ModbusLink::ensure_open(Clock::time_point now) {
  if (ctx_ != nullptr) return {};
  if (!backoff_.may_attempt(now)) {
    const auto wait_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(backoff_.next_attempt() - now)
            .count();
    return {Errc::link, to_string(uri_) + ": link down, next connection attempt in " +
                            std::to_string(wait_ms) + " ms"};
  }
  Status opened = open();
  if (opened) {
    backoff_.on_success();
    spdlog::info("modbus: connected to {}", to_string(uri_));
  } else {
    spdlog::debug("modbus: {} (retry in {} ms)", opened.message(), backoff_.next_delay_ms());
    backoff_.on_failure(now);
  }
  return opened;
}

Status ModbusLink::open() {
  const bool tcp = uri_.transport == DeviceUri::Transport::tcp;
  modbus_t* ctx = tcp ? modbus_new_tcp_pi(uri_.host.c_str(), std::to_string(uri_.port).c_str())
                      : modbus_new_rtu(uri_.device.c_str(), uri_.baud, uri_.parity, uri_.data_bits,
                                       uri_.stop_bits);
  if (ctx == nullptr) {
    return {Errc::config,
            to_string(uri_) + ": cannot create a Modbus context: " + modbus_strerror(errno)};
  }
  modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
  set_timeout_ms(ctx, options_.timeouts.response_timeout_ms, true);
  set_timeout_ms(ctx, options_.timeouts.byte_timeout_ms, false);
  if (modbus_set_slave(ctx, uri_.unit) != 0) {
    const int err = errno;
    modbus_free(ctx);
    return {Errc::config, to_string(uri_) + ": unit id rejected: " + modbus_strerror(err)};
  }
  if (!tcp && options_.rtu_fd >= 0) {
    modbus_set_socket(ctx, options_.rtu_fd);  // borrowed fd (tests: one side of a pty pair)
  } else if (modbus_connect(ctx) != 0) {
    const int err = errno;
    modbus_free(ctx);
    return {Errc::link, to_string(uri_) + ": connect failed: " + modbus_strerror(err)};
  }
  ctx_ = ctx;
  flush_pending_ = true;  // whatever a previous peer left in the buffers is not ours
  consecutive_timeouts_ = 0;
  return {};
}

void ModbusLink::close(Clock::time_point now) {
  if (ctx_ == nullptr) return;
  if (options_.rtu_fd >= 0 && uri_.transport == DeviceUri::Transport::rtu) {
    modbus_set_socket(ctx_, -1);  // the fd is borrowed; modbus_close would close it
  } else {
    modbus_close(ctx_);
  }
  modbus_free(ctx_);
  ctx_ = nullptr;
  backoff_.on_failure(now);
}

// A serial line has no transaction ids: a reply that comes after its request timed out would be
// taken for the answer to the next request, and every later reply would be one behind. So after
// a timeout the next request waits, at most one response timeout, for that late reply to arrive
// and for the line to fall silent, and discards it.
void ModbusLink::drain_late_reply() {
  const int fd = modbus_get_socket(ctx_);
  if (fd < 0) return;
  pollfd p{fd, POLLIN, 0};
  const int quiet_ms = std::max(1, options_.timeouts.byte_timeout_ms);
  int wait_ms = options_.timeouts.response_timeout_ms;
  while (wait_ms > 0 && ::poll(&p, 1, wait_ms) > 0) {
    modbus_flush(ctx_);
    wait_ms = quiet_ms;  // the rest of a reply follows within a byte timeout
  }
}

Status ModbusLink::before_transaction() {
  if (ctx_ == nullptr) return {Errc::link, to_string(uri_) + ": link is closed"};
  if (drain_pending_) {
    drain_late_reply();
    drain_pending_ = false;
  }
  if (flush_pending_) {
    modbus_flush(ctx_);
    flush_pending_ = false;
  }
  ++transactions_;
  return {};
}

Status ModbusLink::after_failure(const std::string& what) {
  const int err = errno;
  const Errc code = classify_modbus_errno(err);
  const std::string message = to_string(uri_) + ": " + what + ": " + modbus_strerror(err);
  if (code == Errc::link) {
    spdlog::warn("modbus: {}; closing the link", message);
    close(Clock::now());
    return {code, message};
  }
  if (code == Errc::timeout) {
    // Discard what has arrived, and again before the next request for what is still in flight.
    modbus_flush(ctx_);
    flush_pending_ = true;
    drain_pending_ = uri_.transport == DeviceUri::Transport::rtu;
    ++consecutive_timeouts_;
    if (uri_.transport == DeviceUri::Transport::tcp &&
        consecutive_timeouts_ >= options_.reopen_after_timeouts) {
      spdlog::warn("modbus: {} consecutive timeouts; reopening the TCP connection",
                   consecutive_timeouts_);
      close(Clock::now());
    }
  }
  return {code, message};
}

std::uint8_t* ModbusLink::bit_buffer(int count) {
  // Grows to the largest bit request once; later cycles reuse it without allocating.
  if (bits_.size() < static_cast<std::size_t>(count)) bits_.resize(static_cast<std::size_t>(count));
  return bits_.data();
}

Status ModbusLink::read(const ReadBlock& block, Words& out) {
  if (Status s = before_transaction(); !s) return s;
  out.resize(static_cast<std::size_t>(block.count));
  int rc = -1;
  switch (block.table) {
    case Table::holding:
      rc = modbus_read_registers(ctx_, block.address, block.count, out.data());
      break;
    case Table::input:
      rc = modbus_read_input_registers(ctx_, block.address, block.count, out.data());
      break;
    case Table::coil:
    case Table::discrete_input: {
      std::uint8_t* bits = bit_buffer(block.count);
      rc = block.table == Table::coil
               ? modbus_read_bits(ctx_, block.address, block.count, bits)
               : modbus_read_input_bits(ctx_, block.address, block.count, bits);
      for (int i = 0; i < rc && i < block.count; ++i)
        out[static_cast<std::size_t>(i)] = bits[i] != 0 ? 1 : 0;
      break;
    }
  }
  if (rc < 0) return after_failure(describe("read", block.table, block.address, block.count));
  if (rc != block.count) {
    errno = EMBBADDATA;
    return after_failure(describe("read", block.table, block.address, block.count) +
                         " (short reply)");
  }
  consecutive_timeouts_ = 0;
  return {};
}

Status ModbusLink::write(Table table, int address, const Words& words) {
  if (Status s = before_transaction(); !s) return s;
  const int count = static_cast<int>(words.size());
  int rc = -1;
  if (table == Table::holding) {
    rc = modbus_write_registers(ctx_, address, count, words.data());
  } else if (table == Table::coil) {
    std::uint8_t* bits = bit_buffer(count);
    for (int i = 0; i < count; ++i) bits[i] = words[static_cast<std::size_t>(i)] != 0 ? 1 : 0;
    rc = modbus_write_bits(ctx_, address, count, bits);
  } else {
    return {Errc::invalid_argument,
            std::string("cannot write the read-only ") + to_string(table) + " table"};
  }
  if (rc < 0) return after_failure(describe("write", table, address, count));
  if (rc != count) {
    errno = EMBBADDATA;
    return after_failure(describe("write", table, address, count) + " (short reply)");
  }
  consecutive_timeouts_ = 0;
  return {};
}

}  // namespace traction
