// SPDX-License-Identifier: Apache-2.0
// The cycle: connection, measured-value tracking, judgement, motion, the governor. Commands are in
// controller_commands.cpp, reactions to the safety table in controller_trips.cpp, the motion of
// each state in controller_motion.cpp.
#include "daemon/engine/session_controller.hpp"

#include <cmath>

#include "daemon/engine/home.hpp"

namespace traction {

SessionController::SessionController(DeviceKind kind, const EffectiveLimits& base_limits,
                                     ControllerOptions options)
    : kind_(kind),
      base_limits_(base_limits),
      options_(options),
      governor_(base_limits),
      monitor_(kind, base_limits, options.monitor),
      release_(options.release) {
  events_.reserve(64);
}

double SessionController::seconds_since(Clock::time_point t) const {
  return std::chrono::duration<double>(tick_.now - t).count();
}

bool SessionController::away() const {
  return away_from_home(device_.actual, limits(), kind_);
}

void SessionController::set_state(DaemonState next, const std::string& why) {
  if (next == state_) return;
  Event e;
  e.kind = EventKind::state_changed;
  e.from = state_;
  e.to = next;
  e.reason = why;
  state_ = next;
  emit(std::move(e));
}

void SessionController::emit(Event event) {
  event.seq = next_seq_++;
  event.time = tick_.utc;
  events_.push_back(std::move(event));
}

void SessionController::take_events(std::vector<Event>& out) {
  for (Event& e : events_) out.push_back(std::move(e));
  events_.clear();
}

std::vector<Event> SessionController::take_events() {
  std::vector<Event> out;
  take_events(out);
  return out;
}

void SessionController::write_result(const Status& status) {
  if (!status.ok() && status.code() == Errc::refused) write_refusal_ = status.message();
}

CycleOutput SessionController::cycle(const Tick& tick, const DeviceState& device) {
  tick_ = tick;
  device_ = device;
  CycleOutput out;
  if (!device.available) {
    lose_device();
    return out;  // nothing to write to a device that does not answer
  }
  if (state_ == DaemonState::disconnected) {
    if (!connect()) return out;
    lost_contact_ = false;  // connect() starts from the measured value already
  }
  track_measured();
  if (session_) session_->observe_peak(device.actual, limits().home);
  judge();
  finish_release();
  const Motion m = motion();
  if (enabled() && m.follow) {
    governor_.step(m.target, m.rate, options_.period_s);
  } else if (enabled()) {
    governor_.step(governor_.position(), 0.0, options_.period_s);  // brake, never a step
  }
  finish_release();
  write_refusal_.clear();
  out.command.target = governor_.position();
  out.command.goal = m.goal;
  out.write = true;
  return out;
}

CycleOutput SessionController::prompt(const Tick& tick) {
  CycleOutput out;
  if (state_ != DaemonState::estop || !device_.available || lost_contact_) return out;
  tick_ = tick;
  out.command.target = governor_.position();
  out.command.goal = motion().goal;
  out.write = true;
  return out;
}

// The first fresh reading after start-up or a lost link. The setpoint starts from the measured
// value, and a drive that holds a load is never disabled: away from home, the daemon's first job
// is to bring the person home.
bool SessionController::connect() {
  if (!device_.fresh || !std::isfinite(device_.actual)) return false;
  governor_.reset(device_.actual);
  if (seen_device_) {
    Event e;
    e.kind = EventKind::device_regained;
    emit(std::move(e));
  }
  seen_device_ = true;
  const bool comm_loss = device_.drive == cia402::State::fault &&
                         options_.release.comm_loss_fault_code &&
                         device_.fault_code == *options_.release.comm_loss_fault_code;
  if (away() || comm_loss) {
    set_state(DaemonState::recovering, "device connected");
    own_.add(Rule::recovery, away() ? "the axis is away from home at connection"
                                    : "the drive's communication-loss fault is cleared");
  } else {
    set_state(DaemonState::idle, "device connected");
  }
  return true;
}

// The device stopped answering. Idle and at home, nobody is loaded: the daemon waits for it.
// Anywhere else the monitor's device_unavailable rule latches a fault (judge()).
void SessionController::lose_device() {
  if (!lost_contact_ && seen_device_) {
    Event e;
    e.kind = EventKind::device_lost;
    e.failures = device_.consecutive_failures;
    emit(std::move(e));
  }
  lost_contact_ = true;
  if (state_ == DaemonState::idle) {
    set_state(DaemonState::disconnected, "device lost");
  } else if (state_ != DaemonState::disconnected) {
    judge();
  }
}

// A drive that does not follow setpoints is tracked at its measured value, so that enabling it
// again never jumps. After a loss of contact the drive has stopped where its own reaction left
// it: the setpoint restarts at rest from the measured value instead of continuing a motion the
// drive never saw.
void SessionController::track_measured() {
  if (!device_.fresh || !std::isfinite(device_.actual)) return;
  if (!enabled() || lost_contact_) governor_.reset(device_.actual);
  if (lost_contact_) {
    Event e;
    e.kind = EventKind::device_regained;
    emit(std::move(e));
  }
  lost_contact_ = false;
}

// Releases that arrived home end; latched states stay latched until device.reset. Checked before
// the motion (a drive that brought the axis home itself needs no walk) and after the governor.
void SessionController::finish_release() {
  if (!release_.active()) return;
  const double target = release_target(governor_.position(), limits(), kind_);
  const bool governed_home = enabled() && governor_.settled_at(target) && !away();
  const bool drive_home = !enabled() && !away() && std::abs(device_.velocity.value_or(0.0)) < 1e-3;
  if (!governed_home && !drive_home) return;
  release_.end();
  if (state_ == DaemonState::stopping || state_ == DaemonState::recovering) {
    governor_.set_limits(base_limits_);
    monitor_.set_limits(base_limits_);
    activity_.clear();
    set_state(DaemonState::idle, "released to home");
  } else {
    activity_ = "at home; device.reset clears the latch";
  }
}

bool SessionController::at_rest() const {
  return std::abs(governor_.state().velocity) < 1e-3 &&
         std::abs(device_.velocity.value_or(0.0)) < 0.5 * base_limits_.tolerance + 1e-9;
}

}  // namespace traction
