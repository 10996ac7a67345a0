// SPDX-License-Identifier: Apache-2.0
// A token bucket: at most `burst` events at once, refilled at `rate_per_s`. Time is a parameter,
// so the panel's message and login limits are tested with a simulated clock.
#pragma once

#include <algorithm>
#include <chrono>

namespace traction::web {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_s, double burst)
      : rate_per_s_(rate_per_s), burst_(burst), tokens_(burst) {}

  // Takes one token at `now`; false (and nothing taken) when the bucket is empty.
  bool take(Clock::time_point now) {
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }
  // Seconds until a token is available at `now` (0 when one is).
  double wait_seconds(Clock::time_point now) {
    refill(now);
    return tokens_ >= 1.0 ? 0.0 : (1.0 - tokens_) / rate_per_s_;
  }

 private:
  void refill(Clock::time_point now) {
    if (!started_) {
      started_ = true;
      last_ = now;
    }
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    if (elapsed > 0) {
      tokens_ = std::min(burst_, tokens_ + elapsed * rate_per_s_);
      last_ = now;
    }
  }

  double rate_per_s_;
  double burst_;
  double tokens_;
  bool started_ = false;
  Clock::time_point last_{};
};

}  // namespace traction::web
