// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/safety_monitor.hpp"

#include <cmath>
#include <cstdio>

#include "daemon/engine/home.hpp"

namespace traction {
namespace {

std::string fmt(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", x);
  return text;
}

std::string hex(unsigned x) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%04X", x & 0xFFFFU);
  return text;
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

bool in_scope(Rule rule, const MonitorContext& ctx) {
  switch (spec(rule).scope) {
    case Scope::always:
      return true;
    case Scope::session:
      return ctx.session;
    case Scope::release:
      return ctx.releasing;
    case Scope::moving:
      return ctx.drive_enabled;
  }
  return false;
}

// A reading the value rules can judge: the device answers, the reading is recent and a number.
bool finite_reading(const DeviceState& d) {
  return std::isfinite(d.actual) && (!d.velocity || std::isfinite(*d.velocity)) &&
         (!d.force_n || std::isfinite(*d.force_n));
}

// Integrates `dt` while `outside`, and gives back half of it while not: one good sample does not
// clear a lag that lasts, and noise around a band edge still adds up.
void accumulate(double& acc, bool outside, double dt) {
  acc = outside ? acc + dt : std::max(0.0, acc - 0.5 * dt);
}

}  // namespace

template <class F>
void SafetyMonitor::trip(TripSet& trips, const MonitorContext& ctx, Rule rule, F&& message) const {
  if (in_scope(rule, ctx) && !trips.has(rule)) trips.add(rule, message());
}

void SafetyMonitor::reset() {
  last_check_.reset();
  tracking_s_ = 0.0;
  stall_s_ = 0.0;
  ring_count_ = 0;
  too_fast_since_.reset();
  last_setpoint_.reset();
  setpoint_at_rest_ = false;
  unsettled_since_.reset();
  exposure_s_ = 0.0;
  relief_s_ = 0.0;
  mismatch_since_.reset();
  disagree_s_ = 0.0;
}

void SafetyMonitor::check(Clock::time_point now, const DeviceState& device,
                          const MonitorContext& ctx, TripSet& trips) {
  trips.clear();
  dt_s_ = last_check_ ? std::max(0.0, seconds(now - *last_check_)) : 0.0;
  last_check_ = now;
  check_device(now, device, ctx.expected_fault_code, trips);
  const bool usable = device.available && finite_reading(device) &&
                      seconds(now - device.stamp) <= options_.stale_seconds;
  if (!usable) return;  // the value rules would judge old or meaningless numbers
  observe(now, device, ctx);
  // The stop switch belongs to a session: outside one, the drive's own stop chain acts alone.
  if (ctx.session && device.stop_connected && device.stop_pressed) {
    trip(trips, ctx, Rule::stop_switch,
         [] { return std::string("the patient stop switch is pressed"); });
  }
  if (!device.stop_connected) {
    trip(trips, ctx, Rule::stop_switch_unplugged,
         [] { return std::string("the patient stop switch was unplugged during the session"); });
  }
  check_plan(device, ctx, trips);
  check_rate(now, ctx, trips);
  check_settle(now, device, ctx, trips);
  check_tracking(device, ctx, trips);
  check_release(device, ctx, trips);
  check_exposure(device, ctx, trips);
  check_mismatch(now, device, ctx, trips);
}

void SafetyMonitor::check_device(Clock::time_point now, const DeviceState& device,
                                 std::optional<std::uint16_t> expected_fault,
                                 TripSet& trips) const {
  const MonitorContext always;  // these rules apply in every state
  if (!device.available) {
    trip(trips, always, Rule::device_unavailable, [&] {
      return "the device does not answer (" + std::to_string(device.consecutive_failures) +
             " consecutive failed cycles)";
    });
    return;
  }
  const double age = seconds(now - device.stamp);
  if (age > options_.stale_seconds) {
    trip(trips, always, Rule::data_stale, [&] {
      return "the last good reading is " + fmt(age) + " s old (limit " +
             fmt(options_.stale_seconds) + " s)";
    });
  } else if (!finite_reading(device)) {
    trip(trips, always, Rule::data_stale,
         [] { return std::string("the reading is not a finite number"); });
  }
  const bool expected = expected_fault && device.fault_code == *expected_fault;
  if ((device.drive == cia402::State::fault ||
       device.drive == cia402::State::fault_reaction_active) &&
      !expected) {
    trip(trips, always, Rule::drive_fault,
         [&] { return "the drive reports a fault (code " + hex(device.fault_code) + ")"; });
  }
  if (!finite_reading(device)) return;
  const double tol = limits_.tolerance;
  if (device.actual > limits_.max_target + tol || device.actual < limits_.min_target - tol) {
    trip(trips, always, Rule::out_of_range, [&] {
      return "reading " + fmt(device.actual) + " is outside [" + fmt(limits_.min_target - tol) +
             ", " + fmt(limits_.max_target + tol) + "]";
    });
  }
  // The plans never reach the high end stop (max_target lies inside the mechanics); the low end
  // stop is only plausible at the low end of the range.
  if (device.end_stop_high) {
    trip(trips, always, Rule::end_stop,
         [&] { return "the high end stop is active at reading " + fmt(device.actual); });
  } else if (device.end_stop_low && device.actual > limits_.min_target + 2.0 * tol) {
    trip(trips, always, Rule::end_stop, [&] {
      return "the low end stop is active while the reading is " + fmt(device.actual) +
             ", above the low end " + fmt(limits_.min_target);
    });
  }
}

void SafetyMonitor::check_plan(const DeviceState& device, const MonitorContext& ctx,
                               TripSet& trips) const {
  if (!ctx.session) return;
  const double tol = limits_.tolerance;
  if (further_from_home(device.actual, ctx.highest_target, limits_) &&
      std::abs(device.actual - ctx.highest_target) > tol &&
      same_side_of_home(device.actual, ctx.highest_target, limits_)) {
    trip(trips, ctx, Rule::overshoot, [&] {
      return "reading " + fmt(device.actual) + " passed the plan's farthest target " +
             fmt(ctx.highest_target) + " by more than " + fmt(tol);
    });
  }
  if (ctx.session_seconds > limits_.max_session_seconds) {
    trip(trips, ctx, Rule::session_time_exceeded, [&] {
      return "session of " + fmt(ctx.session_seconds) + " s exceeds " +
             fmt(limits_.max_session_seconds) + " s";
    });
  }
}

void SafetyMonitor::observe(Clock::time_point, const DeviceState& device,
                            const MonitorContext& ctx) {
  setpoint_at_rest_ = last_setpoint_ && std::abs(ctx.setpoint - *last_setpoint_) < 1e-9;
  last_setpoint_ = ctx.setpoint;
  if (ring_count_ > 0 && sample(ring_count_ - 1).stamp >= device.stamp) return;  // same reading
  if (ring_count_ == kRing) {
    ring_first_ = (ring_first_ + 1) % kRing;
    --ring_count_;
  }
  ring_[(ring_first_ + ring_count_) % kRing] =
      Sample{device.stamp, loaded_distance(device.actual, limits_, kind_)};
  ++ring_count_;
  // Keep one reading at least a window old: the rate is measured against it.
  const auto window = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.rate_window_seconds));
  while (ring_count_ > 2 && sample(1).stamp <= device.stamp - window) {
    ring_first_ = (ring_first_ + 1) % kRing;
    --ring_count_;
  }
}

void SafetyMonitor::check_rate(Clock::time_point now, const MonitorContext& ctx, TripSet& trips) {
  const double limit = options_.rate_margin * limits_.max_rate_up;
  double rate = 0.0;
  if (ring_count_ >= 2) {
    const Sample& first = sample(0);
    const Sample& last = sample(ring_count_ - 1);
    const double span = seconds(last.stamp - first.stamp);
    if (span >= options_.rate_window_seconds - 1e-9)
      rate = (last.from_home - first.from_home) / span;
  }
  if (!ctx.session || rate <= limit) {
    too_fast_since_.reset();
    return;
  }
  if (!too_fast_since_) too_fast_since_ = now;
  const double lasting = seconds(now - *too_fast_since_);
  if (lasting < options_.rate_seconds) return;
  trip(trips, ctx, Rule::rate_exceeded, [&] {
    return "the reading moves away from home at " + fmt(rate) + " units/s for " + fmt(lasting) +
           " s, faster than " + fmt(options_.rate_margin) + " x max_rate_up " +
           fmt(limits_.max_rate_up);
  });
}

void SafetyMonitor::check_settle(Clock::time_point now, const DeviceState& device,
                                 const MonitorContext& ctx, TripSet& trips) {
  const double off = std::abs(device.actual - ctx.setpoint);
  if (!ctx.session || !ctx.drive_enabled || !setpoint_at_rest_ || off <= settle_band(limits_)) {
    unsettled_since_.reset();
    return;
  }
  if (!unsettled_since_) unsettled_since_ = now;
  const double lasting = seconds(now - *unsettled_since_);
  if (lasting < options_.settle_seconds) return;
  trip(trips, ctx, Rule::settle_timeout, [&] {
    return "reading " + fmt(device.actual) + " is " + fmt(off) + " from the setpoint " +
           fmt(ctx.setpoint) + " at rest for " + fmt(lasting) + " s (settle band " +
           fmt(settle_band(limits_)) + ")";
  });
}

void SafetyMonitor::check_tracking(const DeviceState& device, const MonitorContext& ctx,
                                   TripSet& trips) {
  const double band = options_.tracking_band_factor * limits_.tolerance;
  const double off = std::abs(device.actual - ctx.setpoint);
  if (!ctx.session || !ctx.drive_enabled) {
    tracking_s_ = 0.0;
    return;
  }
  accumulate(tracking_s_, off > band, dt_s_);
  if (tracking_s_ < options_.tracking_seconds) return;
  trip(trips, ctx, Rule::tracking_error, [&] {
    return "reading " + fmt(device.actual) + " is " + fmt(off) + " from the setpoint " +
           fmt(ctx.setpoint) + "; " + fmt(tracking_s_) + " s outside the band " + fmt(band) +
           " in all";
  });
}

void SafetyMonitor::check_release(const DeviceState& device, const MonitorContext& ctx,
                                  TripSet& trips) {
  const double band = options_.tracking_band_factor * limits_.tolerance;
  const double lag = loaded_distance(device.actual, limits_, kind_) -
                     loaded_distance(ctx.setpoint, limits_, kind_);
  if (!ctx.releasing || !ctx.drive_enabled) {
    stall_s_ = 0.0;
    return;
  }
  accumulate(stall_s_, lag > band, dt_s_);
  if (stall_s_ < options_.release_stall_seconds) return;
  trip(trips, ctx, Rule::release_stalled, [&] {
    return "the release is not followed: reading " + fmt(device.actual) + " lags the setpoint " +
           fmt(ctx.setpoint) + " by " + fmt(lag) + " (band " + fmt(band) + ")";
  });
}

void SafetyMonitor::check_exposure(const DeviceState& device, const MonitorContext& ctx,
                                   TripSet& trips) {
  if (!ctx.session) {
    exposure_s_ = relief_s_ = 0.0;
    return;
  }
  if (device.actual > limits_.hold_cap_above) {
    exposure_s_ += dt_s_;
    relief_s_ = 0.0;
  } else {
    relief_s_ += dt_s_;
    if (relief_s_ >= options_.relief_seconds) exposure_s_ = 0.0;
  }
  if (exposure_s_ < limits_.max_hold_seconds) return;
  trip(trips, ctx, Rule::hold_time_exceeded, [&] {
    return "the reading has been beyond " + fmt(limits_.hold_cap_above) + " for " +
           fmt(exposure_s_) + " s, the limit is " + fmt(limits_.max_hold_seconds) + " s";
  });
}

// A mapped second reading must agree with the axis: a bench's load cell with its force within
// twice the tolerance; a table's force or a bench's rope position must not stay frozen while the
// axis moves well away from home (a stuck sensor on either side shows as one of the two).
void SafetyMonitor::check_mismatch(Clock::time_point now, const DeviceState& device,
                                   const MonitorContext& ctx, TripSet& trips) {
  if (!ctx.session) {
    mismatch_since_.reset();
    disagree_s_ = 0.0;
    return;
  }
  if (kind_ == DeviceKind::traction && device.force_n) {
    const double off = std::abs(*device.force_n - device.actual);
    accumulate(disagree_s_, off > 2.0 * limits_.tolerance, dt_s_);
    if (disagree_s_ >= options_.mismatch_seconds) {
      trip(trips, ctx, Rule::sensor_mismatch, [&] {
        return "the load cell reads " + fmt(*device.force_n) + " N, the drive " +
               fmt(device.actual) + " N";
      });
    }
  }
  const std::optional<double> other =
      kind_ == DeviceKind::traction ? device.rope_mm : device.force_n;
  const bool loaded = away_from_home(device.actual, limits_, kind_);
  if (!other || !loaded) {
    mismatch_since_.reset();
    return;
  }
  if (!mismatch_since_) {
    mismatch_since_ = now;
    mismatch_axis_ = device.actual;
    mismatch_other_ = *other;
    return;
  }
  if (seconds(now - *mismatch_since_) < options_.mismatch_seconds) return;
  const double axis_moved = std::abs(device.actual - mismatch_axis_);
  const bool other_frozen = *other == mismatch_other_;
  mismatch_since_.reset();
  if (axis_moved > options_.mismatch_tolerances * limits_.tolerance && other_frozen) {
    trip(trips, ctx, Rule::sensor_mismatch, [&] {
      return std::string(kind_ == DeviceKind::traction ? "the rope position"
                                                       : "the force reading") +
             " stayed at " + fmt(*other) + " while the axis moved by " + fmt(axis_moved);
    });
  }
}

}  // namespace traction
