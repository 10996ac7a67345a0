// SPDX-License-Identifier: Apache-2.0
// Capped exponential backoff for reconnecting a lost link. Pure: time is a parameter, nothing
// sleeps. The caller skips connection attempts until may_attempt() says yes, so a dead drive costs
// the control loop nothing between attempts.
#pragma once

#include <algorithm>
#include <chrono>

#include "drivers/device_state.hpp"

namespace traction {

class ReconnectBackoff {
 public:
  ReconnectBackoff(int initial_ms, int max_ms)
      : initial_ms_(std::max(1, initial_ms)),
        max_ms_(std::max(initial_ms_, max_ms)),
        delay_ms_(initial_ms_) {}

  // True when no attempt is pending a delay (never failed, or the delay has passed).
  bool may_attempt(Clock::time_point now) const { return now >= next_attempt_; }

  // Records a failed attempt (or a lost link) at `now`: the next attempt waits the current delay,
  // and the delay after it doubles, up to the cap.
  void on_failure(Clock::time_point now) {
    next_attempt_ = now + std::chrono::milliseconds(delay_ms_);
    delay_ms_ = std::min(max_ms_, delay_ms_ * 2);
  }

  // A connection succeeded: the next loss starts again from the initial delay.
  void on_success() {
    delay_ms_ = initial_ms_;
    next_attempt_ = Clock::time_point{};
  }

  // The delay the next on_failure() will impose.
  int next_delay_ms() const { return delay_ms_; }
  Clock::time_point next_attempt() const { return next_attempt_; }

 private:
  int initial_ms_;
  int max_ms_;
  int delay_ms_;
  Clock::time_point next_attempt_{};
};

}  // namespace traction
