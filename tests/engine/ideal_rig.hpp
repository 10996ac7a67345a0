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

  Clock::time_point now() const {
    return Clock::time_point{} +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t_));
  }
  double time() const { return t_ - 1000.0; }
  SessionController& controller() { return controller_; }
  DaemonState state() const { return controller_.state(); }
  double setpoint() const { return controller_.snapshot(now()).setpoint; }
  const CycleOutput& last_output() const { return out_; }
  const std::vector<Event>& events() const { return events_; }
  SetpointProfile& setpoints() { return setpoints_; }

  CommandReply command(CommandKind kind, std::shared_ptr<const Plan> plan = nullptr) {
    CommandReply reply = send_command(controller_, kind, std::move(plan), now());
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
    out_ = controller_.cycle(now(), device);
    if (out_.request == DriveRequest::activate) {
      device.drive = cia402::State::operation_enabled;
      controller_.drive_request_done(out_.request, {}, now());
    } else if (out_.request == DriveRequest::reset_fault) {
      device.drive = cia402::State::switch_on_disabled;
      controller_.drive_request_done(out_.request, {}, now());
    }
    setpoints_.p.push_back(setpoint());
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

  // Fields of the last event of `kind` (null when none).
  nlohmann::json last_event(const std::string& kind) const {
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->kind == kind) return it->detail;
    }
    return nullptr;
  }
  // Largest setpoint speed from cycle `from` on.
  double max_speed_since(std::size_t from) const {
    double m = 0.0;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < setpoints_.p.size(); ++i) {
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
  std::vector<Event> events_;
};

}  // namespace traction::engine_test
