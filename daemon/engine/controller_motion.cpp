// SPDX-License-Identifier: Apache-2.0
// Where the axis goes in each state, and what the drive is asked to do. Every target goes through
// the governor (session_controller.cpp); a drive that does not follow is tracked at its measured
// value, so enabling it never jumps.
#include <cmath>
#include <cstdio>

#include "daemon/engine/home.hpp"
#include "daemon/engine/program_expand.hpp"
#include "daemon/engine/session_controller.hpp"

namespace traction {

SessionController::Motion SessionController::motion() {
  if (reset_since_) return motion_reset();
  switch (state_) {
    case DaemonState::starting:
      return motion_starting();
    case DaemonState::running:
      return motion_running();
    case DaemonState::paused:
      return motion_paused();
    case DaemonState::selftest:
      return motion_selftest();
    case DaemonState::stopping:
    case DaemonState::recovering:
    case DaemonState::fault:
    case DaemonState::estop:
      return motion_releasing();
    case DaemonState::idle:
    case DaemonState::disconnected:
      break;
  }
  // At home with nobody loaded the drive rests disabled, its brake holding.
  return Motion{cia402::Goal::disabled, false, governor_.position(), 0.0};
}

// Nothing moves until the session's record is written; then the drive is enabled from the
// measured value, and the plan begins once it follows.
SessionController::Motion SessionController::motion_starting() {
  Session& s = *session_;
  if (!s.recorded()) return Motion{cia402::Goal::disabled, false, governor_.position(), 0.0};
  if (!s.enable_requested) s.enable_requested = tick_.now;
  if (enabled()) {
    s.running_since = tick_.now;
    set_state(DaemonState::running, "the drive is enabled");
  }
  return Motion{cia402::Goal::enabled, false, governor_.position(), 0.0};
}

SessionController::Motion SessionController::motion_running() {
  Session& s = *session_;
  if (!enabled()) return Motion{cia402::Goal::enabled, false, governor_.position(), 0.0};
  const Phase& phase = s.runner.phase();
  const double position = governor_.position();
  const RunnerStep st =
      s.runner.step(tick_.now, position, governor_.settled_at(phase.target), device_.actual);
  if (st.phase_changed && !st.finished) {
    const Phase& p = s.runner.phase();
    Event e;
    e.kind = EventKind::phase_changed;
    e.phase_index = static_cast<int>(s.runner.phase_index());
    e.phase_kind = to_string(p.kind);
    e.label = p.label;
    e.repetition = p.repetition;
    e.value = p.target;
    emit(std::move(e));
  }
  const double back = loaded_distance(s.paused_at, limits(), kind_) - settle_band(limits());
  if (s.returning_since && (st.phase_changed || loaded_distance(position, limits(), kind_) >= back))
    s.returned(tick_.now);
  if (!st.finished) return Motion{cia402::Goal::enabled, true, st.target, st.rate};
  end_session(Outcome::completed, "program completed");
  const double rate = limits().release_rate_stop;
  if (away() || !governor_.settled_at(release_target(position, limits(), kind_))) {
    begin_release(DaemonState::stopping, "session completed", rate, false);
  } else {
    governor_.set_limits(base_limits_);
    monitor_.set_limits(base_limits_);
    set_state(DaemonState::idle, "session completed");
  }
  return Motion{cia402::Goal::enabled, true, release_target(position, limits(), kind_), rate};
}

// A paused session waits at its rest level (never further out); below it, it brakes to a stop
// wherever that is.
SessionController::Motion SessionController::motion_paused() {
  const Session& s = *session_;
  const double rate = s.pause_in_place ? 0.0 : limits().release_rate_stop;
  return Motion{cia402::Goal::enabled, true, s.pause_level, rate};
}

SessionController::Motion SessionController::motion_releasing() {
  if (!release_.active()) return Motion{cia402::Goal::disabled, false, governor_.position(), 0.0};
  const ReleaseStep st = release_.step(tick_.now, device_, governor_.position(), limits(), kind_);
  if (release_.take_resumed()) {
    Event e;
    e.kind = EventKind::release_resumed;
    e.from = state_;
    e.value = device_.actual;
    emit(std::move(e));
  }
  if (release_.take_takeover()) {
    Event e;
    e.kind = EventKind::release_stalled;
    e.reason = "the drive's quick stop holds at " + axis_text(device_.actual, kind_) +
               "; the daemon releases from there";
    emit(std::move(e));
  }
  if (st.waiting != waiting_) {  // the activity text changes with what the release waits for
    waiting_ = st.waiting;
    char rate[48];
    std::snprintf(rate, sizeof rate, "%g %s/s", st.rate, axis_unit(kind_));
    activity_ = *st.waiting == '\0' ? std::string("releasing home at ") + rate
                                    : std::string("release waits for ") + st.waiting;
    if (!release_.gave_up().empty())
      activity_ = "the person is still loaded at " + axis_text(device_.actual, kind_) + ": " +
                  release_.gave_up();
  }
  return Motion{st.goal, st.follow, st.target, st.rate};
}

// device.reset: the drive's fault is cleared first (a rising edge of its fault-reset bit), then
// the latch. Away from home, the daemon's next job is to bring the person home.
SessionController::Motion SessionController::motion_reset() {
  if (cia402::faulted(device_.drive)) {
    if (seconds_since(*reset_since_) <= options_.enable_timeout_s)
      return Motion{cia402::Goal::fault_reset, false, governor_.position(), 0.0};
    reset_since_.reset();
    Event e;
    e.kind = EventKind::fault;
    e.rule = spec(Rule::activation_failed).name;
    char code[16];
    std::snprintf(code, sizeof code, "0x%04X", device_.fault_code);
    e.reason = std::string("device.reset: the drive fault persists (code ") + code + ")";
    emit(std::move(e));
    return motion();
  }
  reset_since_.reset();
  clear_latch();
  return motion();
}

void SessionController::clear_latch() {
  latched_.reset();
  fault_.clear();
  activity_.clear();
  release_.end();
  governor_.set_limits(base_limits_);
  monitor_.set_limits(base_limits_);
  monitor_.reset();
  if (!away()) {
    set_state(DaemonState::idle, "reset");
    return;
  }
  Event e;
  e.kind = EventKind::recovery_started;
  e.reason = "device.reset with the axis away from home";
  e.value = device_.actual;
  emit(std::move(e));
  begin_release(DaemonState::recovering, "reset: the axis is away from home",
                base_limits_.release_rate_fault, false);
}

}  // namespace traction
