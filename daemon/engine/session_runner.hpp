// SPDX-License-Identifier: Apache-2.0
// Walks a validated plan phase by phase. Each phase first approaches its target; a hold or rest
// counts from the moment the target is reached and settled (setpoint at rest on the target and the
// reading within the settle band), so holds are accurate to one control period. Pure: time is an
// argument; the governor that turns targets into setpoints is the caller's.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "daemon/engine/plan.hpp"

namespace traction {

struct RunnerStep {
  double target = 0.0;  // where the governor should head
  double rate = 0.0;    // at most this fast (units/s)
  bool finished = false;
  bool phase_changed = false;
};

class SessionRunner {
 public:
  explicit SessionRunner(std::shared_ptr<const Plan> plan);

  // One cycle. `setpoint_settled` is true when the governor rests on the current target.
  RunnerStep step(Clock::time_point now, double setpoint, bool setpoint_settled, double actual);
  // Pause freezes the phase clock; resume re-approaches the phase target (a hold or rest at the
  // rate of the move that led to it) and keeps the hold time already served.
  void pause(Clock::time_point now);
  void resume(Clock::time_point now);

  const Plan& plan() const { return *plan_; }
  std::size_t phase_index() const { return index_; }
  const Phase& phase() const { return plan_->phases[std::min(index_, plan_->phases.size() - 1)]; }
  bool finished() const { return index_ >= plan_->phases.size(); }
  // Seconds spent in the current hold or rest since it settled (0 while approaching).
  double served_seconds(Clock::time_point now) const;
  double elapsed_seconds(Clock::time_point now) const;
  double remaining_seconds(Clock::time_point now, double setpoint) const;
  double phase_remaining_seconds(Clock::time_point now, double setpoint) const;
  // The farthest-from-home target of the plan.
  double highest_target() const { return highest_target_; }

 private:
  double phase_estimate(std::size_t index, double from) const;
  // The rate at which phase `index` approaches its target: its own rate for a move; for a hold or
  // rest (rate 0: stationary), the rate of the last move before it, so that a resumed session
  // returns to the hold level as the plan went there.
  double approach_rate(std::size_t index, double setpoint) const;

  std::shared_ptr<const Plan> plan_;
  std::size_t index_ = 0;
  std::optional<Clock::time_point> started_;
  std::optional<Clock::time_point> settled_at_;
  double served_before_pause_ = 0.0;
  std::optional<Clock::time_point> paused_at_;
  double highest_target_ = 0.0;
  // estimate_after_[i]: the estimated seconds of the phases after phase i, each approached from
  // the target of the one before it.
  std::vector<double> estimate_after_;
};

}  // namespace traction
