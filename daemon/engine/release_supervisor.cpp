// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/release_supervisor.hpp"

#include <cmath>
#include <cstdio>

#include "daemon/engine/home.hpp"

namespace traction {
namespace {

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string fault_text(std::uint16_t code) {
  char text[48];
  std::snprintf(text, sizeof text, "fault code 0x%04X", code);
  return text;
}

// The drive's own reaction is still moving the axis (a quick stop decelerating, or going home).
bool drive_moving(const DeviceState& d, const EffectiveLimits& limits) {
  return std::abs(d.velocity.value_or(0.0)) > 0.05 * limits.tolerance;
}

}  // namespace

void ReleaseSupervisor::begin(double rate, bool quick_stop, Clock::time_point now, double actual,
                              const EffectiveLimits& limits, DeviceKind kind) {
  if (!active_) {
    active_ = true;
    rate_ = rate;
    quick_stop_ = quick_stop && options_.quick_stop_goes_home;
    quick_stop_check_ = now;
    quick_stop_distance_ = loaded_distance(actual, limits, kind);
    return;
  }
  rate_ = std::max(rate_, rate);
}

void ReleaseSupervisor::end() {
  active_ = false;
  rate_ = 0.0;
  attempts_ = 0;
  walk_since_.reset();
  rewalk_ = false;
  quick_stop_ = false;
  gave_up_.clear();
  gave_up_new_ = false;
}

void ReleaseSupervisor::give_up(std::string why, cia402::Goal goal) {
  if (!gave_up_.empty()) return;
  gave_up_ = std::move(why);
  gave_up_new_ = true;
  gave_up_goal_ = goal;
}

void ReleaseSupervisor::stalled() {
  if (!gave_up_.empty()) return;
  if (++attempts_ >= options_.max_attempts) {
    give_up("the drive does not follow the release (" + std::to_string(attempts_) +
                " attempts); its quick stop was requested",
            cia402::Goal::quick_stop);
    return;
  }
  rewalk_ = true;
}

// The drive's quick stop is declared to bring the axis home: it must show it, by a quarter of the
// tolerance per check period, or the daemon takes over with a governed release.
bool ReleaseSupervisor::quick_stop_progress(Clock::time_point now, double distance) {
  if (seconds(now - quick_stop_check_) < options_.quick_stop_check_s) return true;
  const bool progress = distance < quick_stop_distance_ - 1e-9;
  quick_stop_check_ = now;
  quick_stop_distance_ = distance;
  return progress;
}

ReleaseStep ReleaseSupervisor::step(Clock::time_point now, const DeviceState& d, double setpoint,
                                    const EffectiveLimits& limits, DeviceKind kind) {
  ReleaseStep out;
  out.rate = rate_;
  out.target = release_target(setpoint, limits, kind);
  if (!gave_up_.empty()) {
    out.goal = gave_up_goal_;
    out.follow =
        gave_up_goal_ == cia402::Goal::enabled && d.drive == cia402::State::operation_enabled;
    out.waiting = "device.reset";
    return out;
  }
  if ((!d.stop_connected || d.stop_pressed) && d.drive != cia402::State::operation_enabled) {
    // The drive's own stop chain acts while the person holds the switch (it holds, or brings the
    // axis home itself); the release continues from where it left the axis once the switch is
    // released. A drive that ignores the switch and still follows is released by the daemon.
    walk_since_.reset();
    out.goal = cia402::Goal::quick_stop;
    out.waiting = "the patient stop switch to be released";
    return out;
  }
  if (quick_stop_) {
    const double distance = loaded_distance(d.actual, limits, kind);
    if (quick_stop_progress(now, distance)) {
      out.goal = cia402::Goal::quick_stop;
      out.waiting = "the drive's own quick stop";
      return out;
    }
    quick_stop_ = false;
    takeover_ = true;  // the drive holds instead: the daemon releases from here
  }
  return follow_drive(now, d, limits, out);
}

// What the drive's own state asks for: wait for its reaction, reset or walk it, or follow.
ReleaseStep ReleaseSupervisor::follow_drive(Clock::time_point now, const DeviceState& d,
                                            const EffectiveLimits& limits, ReleaseStep out) {
  switch (d.drive) {
    case cia402::State::fault_reaction_active:
      out.goal = cia402::Goal::disabled;
      out.waiting = "the drive's own fault reaction";
      return out;
    case cia402::State::fault:
      return drive_fault(now, d, out);
    case cia402::State::quick_stop_active:
      if (drive_moving(d, limits)) {
        out.goal = cia402::Goal::quick_stop;
        out.waiting = "the drive's own quick stop";
        return out;
      }
      return walk(now, out);
    case cia402::State::operation_enabled:
      if (rewalk_) {
        rewalk_ = false;
        walk_since_.reset();
        out.goal = cia402::Goal::disabled;
        return out;
      }
      walk_since_.reset();
      out.follow = true;
      return out;
    default:
      return walk(now, out);
  }
}

// The drive is not enabled: walk it there, one attempt per enable timeout, at most max_attempts.
ReleaseStep ReleaseSupervisor::walk(Clock::time_point now, ReleaseStep out) {
  out.goal = cia402::Goal::enabled;
  out.waiting = "the drive to be enabled";
  if (walk_since_ && seconds(now - *walk_since_) <= options_.enable_timeout_s) return out;
  if (attempts_ >= options_.max_attempts) {
    char why[96];
    std::snprintf(why, sizeof why,
                  "the drive could not be enabled to release (%d attempts of %.1f s)", attempts_,
                  options_.enable_timeout_s);
    give_up(why, cia402::Goal::disabled);
    out.goal = cia402::Goal::disabled;
    out.waiting = "device.reset";
    return out;
  }
  ++attempts_;
  walk_since_ = now;
  resumed_ = true;
  return out;
}

// Only the fault that the daemon's own absence caused is cleared here; any other fault is the
// drive's judgement and needs device.reset by a person.
ReleaseStep ReleaseSupervisor::drive_fault(Clock::time_point now, const DeviceState& d,
                                           ReleaseStep out) {
  if (!options_.comm_loss_fault_code || d.fault_code != *options_.comm_loss_fault_code) {
    give_up("the drive reports " + fault_text(d.fault_code) + ", which only device.reset clears",
            cia402::Goal::disabled);
    out.goal = cia402::Goal::disabled;
    out.waiting = "device.reset";
    return out;
  }
  out = walk(now, out);
  if (out.goal == cia402::Goal::enabled) {
    out.goal = cia402::Goal::fault_reset;
    out.waiting = "the drive's communication-loss fault to clear";
  }
  return out;
}

}  // namespace traction
