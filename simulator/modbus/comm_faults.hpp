// SPDX-License-Identifier: Apache-2.0
// Faults of the link rather than of the device: silence, late replies, protocol exceptions on
// demand and corrupted RTU checksums (libmodbus's test server habit: the device as a fault
// injector). Pure: time is the simulated time passed in.
#pragma once

#include <cstdint>
#include <optional>

namespace traction::sim {

class CommFaults {
 public:
  // Receives requests but answers nothing for `seconds`; the drive does not see them either.
  void comm_loss(double now_s, double seconds) { silent_until_s_ = now_s + seconds; }
  // Every reply is sent `ms` late, for `seconds`.
  void delay_replies(double now_s, int ms, double seconds) {
    delay_ms_ = ms;
    delay_until_s_ = now_s + seconds;
  }
  // The next `count` requests are answered with exception `code` and have no effect.
  void exceptions(std::uint8_t code, int count) {
    exception_code_ = code;
    exceptions_left_ = count;
  }
  // The next `count` RTU replies carry a wrong CRC.
  void corrupt_crc(int count) { corrupt_left_ = count; }

  bool silent(double now_s) const { return now_s < silent_until_s_; }
  int reply_delay_ms(double now_s) const { return now_s < delay_until_s_ ? delay_ms_ : 0; }
  // Consumes one pending injected exception, if any.
  std::optional<std::uint8_t> take_exception() {
    if (exceptions_left_ <= 0) return std::nullopt;
    --exceptions_left_;
    return exception_code_;
  }
  // Consumes one pending CRC corruption, if any.
  bool take_corrupt_crc() {
    if (corrupt_left_ <= 0) return false;
    --corrupt_left_;
    return true;
  }
  int exceptions_left() const { return exceptions_left_; }
  int corrupt_left() const { return corrupt_left_; }

 private:
  double silent_until_s_ = -1.0;
  double delay_until_s_ = -1.0;
  int delay_ms_ = 0;
  std::uint8_t exception_code_ = 0;
  int exceptions_left_ = 0;
  int corrupt_left_ = 0;
};

}  // namespace traction::sim
