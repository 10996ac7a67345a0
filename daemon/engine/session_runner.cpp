// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/session_runner.hpp"

#include <algorithm>
#include <cmath>

#include "daemon/engine/home.hpp"

namespace traction {
namespace {

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

SessionRunner::SessionRunner(std::shared_ptr<const Plan> plan) : plan_(std::move(plan)) {
  const double home = plan_->limits.home;
  highest_target_ = home;
  for (const Phase& p : plan_->phases) {
    if (further_from_home(p.target, highest_target_, home)) highest_target_ = p.target;
  }
  // The estimate of the phases after each one depends on the plan alone: summed once here, not
  // in every cycle's snapshot.
  const std::size_t n = plan_->phases.size();
  estimate_after_.assign(n + 1, 0.0);
  for (std::size_t i = n; i-- > 1;)
    estimate_after_[i - 1] = phase_estimate(i, plan_->phases[i - 1].target) + estimate_after_[i];
}

RunnerStep SessionRunner::step(Clock::time_point now, double setpoint, bool setpoint_settled,
                               double actual) {
  RunnerStep out;
  if (!started_) started_ = now;
  if (finished()) {
    out.finished = true;
    out.target = plan_->limits.home;
    out.rate = plan_->limits.release_rate_stop;
    return out;
  }
  const Phase& p = plan_->phases[index_];
  out.target = p.target;
  out.rate = approach_rate(index_, setpoint);
  if (paused_at_) return out;
  if (!settled_at_ && setpoint_settled &&
      std::abs(actual - p.target) <= settle_band(plan_->limits)) {
    settled_at_ = now;
  }
  if (settled_at_ &&
      served_before_pause_ + seconds_between(*settled_at_, now) >= p.seconds - 1e-9) {
    ++index_;
    settled_at_.reset();
    served_before_pause_ = 0.0;
    out.phase_changed = true;
    if (finished()) {
      out.finished = true;
    } else {
      const Phase& next = plan_->phases[index_];
      out.target = next.target;
      out.rate = approach_rate(index_, setpoint);
      // A hold or rest stays where the phase that just settled ended: it is settled already, so
      // its time counts from now, not from the next cycle.
      if (next.rate == 0.0 && next.target == p.target) settled_at_ = now;
    }
  }
  return out;
}

double SessionRunner::approach_rate(std::size_t index, double setpoint) const {
  for (std::size_t i = index + 1; i-- > 0;) {
    const Phase& p = plan_->phases[i];
    if (p.rate > 0.0)
      return p.shaped ? shaped_speed(std::abs(p.target - setpoint), p.rate) : p.rate;
  }
  // Nothing moved before this phase: the axis is still where the plan began (home).
  return 0.5 * plan_->limits.max_rate_up;
}

void SessionRunner::pause(Clock::time_point now) {
  if (paused_at_) return;
  paused_at_ = now;
  if (settled_at_) served_before_pause_ += seconds_between(*settled_at_, now);
  settled_at_.reset();
}

void SessionRunner::resume(Clock::time_point /*now*/) {
  paused_at_.reset();
}

double SessionRunner::served_seconds(Clock::time_point now) const {
  if (!settled_at_) return 0.0;
  return served_before_pause_ + seconds_between(*settled_at_, now);
}

double SessionRunner::elapsed_seconds(Clock::time_point now) const {
  return started_ ? seconds_between(*started_, now) : 0.0;
}

double SessionRunner::phase_estimate(std::size_t index, double from) const {
  const Phase& p = plan_->phases[index];
  const double rate = p.rate > 0 ? p.rate : 1.0;
  return std::abs(p.target - from) / rate + p.seconds;
}

double SessionRunner::phase_remaining_seconds(Clock::time_point now, double setpoint) const {
  if (finished()) return 0.0;
  const Phase& p = phase();
  if (settled_at_) return std::max(0.0, p.seconds - served_seconds(now));
  const double rate = std::max(approach_rate(index_, setpoint), 1e-3);
  return std::abs(p.target - setpoint) / rate + std::max(0.0, p.seconds - served_before_pause_);
}

double SessionRunner::remaining_seconds(Clock::time_point now, double setpoint) const {
  if (finished()) return 0.0;
  return phase_remaining_seconds(now, setpoint) + estimate_after_[index_];
}

}  // namespace traction
