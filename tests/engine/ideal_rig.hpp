// SPDX-License-Identifier: Apache-2.0
// A SessionController on an ideal device with a simulated clock: the reading follows the setpoint
// exactly and the drive stays enabled unless a test says otherwise, so what is measured is the
// controller's own reaction (release rate, latching, outcome) and nothing of a drive's.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "daemon/engine/event_json.hpp"
#include "daemon/engine/session_controller.hpp"
#include "tests/engine/setpoint_profile.hpp"
#include "tests/engine/sim_fixtures.hpp"

namespace traction::engine_test {

// ramp to `target` at `rate`, hold `hold_s`, release at the stop rate. Built directly, without
// validation, so that a test can run a plan the limits would refuse (the monitor's backstop).
inline std::shared_ptr<const Plan> ramp_hold_plan(const EffectiveLimits& limits, double target,
                                                  double rate, double hold_s) {
  auto plan = std::make_shared<Plan>();
  plan->program = "test";
  plan->limits = limits;
  plan->phases = {
      Phase{PhaseKind::ramp, target, rate, 0, false, 1, "ramp"},
      Phase{PhaseKind::hold, target, 0, hold_s, false, 1, "hold"},
      Phase{PhaseKind::release, limits.home, limits.release_rate_stop, 0, false, 0, "release"}};
  plan->total_seconds = std::abs(target - limits.home) / rate + hold_s +
                        std::abs(target - limits.home) / limits.release_rate_stop;
  return plan;
}

// An ideal drive reaches the goal at once (a fault only through a fault reset).
inline cia402::State ideal_drive(cia402::State now, cia402::Goal goal) {
  using S = cia402::State;
  switch (goal) {
    case cia402::Goal::enabled:
      return cia402::faulted(now) ? now : S::operation_enabled;
    case cia402::Goal::disabled:
      return cia402::faulted(now) || now == S::switch_on_disabled ? now : S::ready_to_switch_on;
    case cia402::Goal::quick_stop:
      return now == S::operation_enabled ? S::quick_stop_active : now;
    case cia402::Goal::fault_reset:
      return cia402::faulted(now) ? S::switch_on_disabled : now;
  }
  return now;
}

class IdealRig {
 public:
  static constexpr double kPeriod = 0.01;

  explicit IdealRig(const EffectiveLimits& limits, ControllerOptions options = {})
      : controller_(DeviceKind::inversion, limits, options) {
    device.available = true;
    device.fresh = true;
    device.stop_connected = true;
    device.drive = cia402::State::switch_on_disabled;
    device.actual = limits.home;
    step();
  }

  // Test-controlled reading. `follow`: the reading tracks the setpoint (+ `offset`).
  DeviceState device;
  bool follow = true;
  double offset = 0.0;
  bool stamp_fresh = true;  // false: the reading keeps its old timestamp (reads failing)
  bool obey_goals = true;   // false: the drive stays in the state the test gave it

  Clock::time_point now() const {
    return Clock::time_point{} +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t_));
  }
  Tick tick() const { return sim_tick(t_); }
  double time() const { return t_ - 1000.0; }
  SessionController& controller() { return controller_; }
  DaemonState state() const { return controller_.state(); }
  // A session is starting, running or paused.
  bool in_session() const {
    const DaemonState s = state();
    return s == DaemonState::starting || s == DaemonState::running || s == DaemonState::paused;
  }
  double setpoint() const { return controller_.snapshot(now()).setpoint; }
  const CycleOutput& last_output() const { return out_; }
  const std::vector<Event>& events() const { return events_; }
  SetpointProfile& setpoints() { return setpoints_; }

  CommandReply command(CommandKind kind, std::shared_ptr<const Plan> plan = nullptr) {
    CommandReply reply = send_command(controller_, kind, std::move(plan), tick());
    take_events();
    return reply;
  }

  void step() {
    if (follow && device.drive == cia402::State::operation_enabled)
      device.actual = setpoint() + offset;
    if (stamp_fresh) device.stamp = now();
    device.fresh = stamp_fresh;
    device.velocity = setpoints_.p.size() >= 2 && device.drive == cia402::State::operation_enabled
                          ? (setpoints_.p.back() - setpoints_.p[setpoints_.p.size() - 2]) / kPeriod
                          : 0.0;
    out_ = controller_.cycle(tick(), device);
    if (obey_goals && out_.write) device.drive = ideal_drive(device.drive, out_.command.goal);
    setpoints_.p.push_back(setpoint());
    governed_.push_back(device.drive == cia402::State::operation_enabled);
    take_events();
    t_ += kPeriod;
  }

  template <class F>
  bool run_until(F&& done, double seconds) {
    const double until = t_ + seconds;
    while (t_ < until) {
      if (done()) return true;
      step();
    }
    return done();
  }
  void run_for(double seconds) {
    run_until([] { return false; }, seconds);
  }

  // Fields of the first event of `kind` at or after event index `from` (null when none).
  nlohmann::json first_event(EventKind kind, std::size_t from = 0) const {
    for (std::size_t i = from; i < events_.size(); ++i) {
      if (events_[i].kind == kind) return event_detail(events_[i]);
    }
    return nullptr;
  }
  // Fields of the last event of `kind` (null when none).
  nlohmann::json last_event(EventKind kind) const {
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->kind == kind) return event_detail(*it);
    }
    return nullptr;
  }
  // Largest setpoint speed from cycle `from` on.
  // Largest speed of the setpoint a following drive saw (steps of a setpoint tracking a disabled
  // drive's measured value are not motion).
  double max_speed_since(std::size_t from) const {
    double m = 0.0;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < setpoints_.p.size(); ++i) {
      if (!governed_[i] || !governed_[i - 1]) continue;
      m = std::max(m, std::abs(setpoints_.p[i] - setpoints_.p[i - 1]) / kPeriod);
    }
    return m;
  }

 private:
  void take_events() {
    for (Event& e : controller_.take_events()) events_.push_back(std::move(e));
  }

  SessionController controller_;
  double t_ = 1000.0;
  CycleOutput out_;
  SetpointProfile setpoints_;
  std::vector<bool> governed_;  // per cycle: the drive was enabled after it
  std::vector<Event> events_;
};

}  // namespace traction::engine_test
