// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/safety_monitor.hpp"

#include <cmath>
#include <sstream>

namespace traction {
namespace {

std::string fmt(double x) {
  std::ostringstream s;
  s.precision(3);
  s << std::fixed << x;
  return s.str();
}

Trip fault(std::string rule, std::string message) {
  return Trip{std::move(rule), std::move(message), TripResponse::fault};
}

}  // namespace

void SafetyMonitor::reset() {
  tracking_since_.reset();
  recent_.clear();
  too_fast_since_.reset();
  last_setpoint_.reset();
  setpoint_at_rest_ = false;
  unsettled_since_.reset();
}

void SafetyMonitor::observe(Clock::time_point, const DeviceState& device,
                            const MonitorContext& ctx) {
  setpoint_at_rest_ = last_setpoint_ && std::abs(ctx.setpoint - *last_setpoint_) < 1e-9;
  last_setpoint_ = ctx.setpoint;
  if (!device.available || !device.fresh) return;
  if (!recent_.empty() && recent_.back().first >= device.stamp) return;  // the same reading
  recent_.emplace_back(device.stamp, std::abs(device.actual - limits_.home));
  // Keep one reading at least a window old: the rate is measured against it.
  const auto window = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.rate_window_seconds));
  while (recent_.size() > 2 && recent_[1].first <= device.stamp - window) recent_.pop_front();
}

std::optional<Trip> SafetyMonitor::check(Clock::time_point now, const DeviceState& device,
                                         const MonitorContext& ctx) {
  observe(now, device, ctx);
  const double age = std::chrono::duration<double>(now - device.stamp).count();
  if (!device.available) {
    return fault("device_unavailable", "the device does not answer (" +
                                           std::to_string(device.consecutive_failures) +
                                           " consecutive failed cycles)");
  }
  if (age > options_.stale_seconds) {
    return fault("data_stale", "the last good reading is " + fmt(age) + " s old (limit " +
                                   fmt(options_.stale_seconds) + " s)");
  }
  if (device.stop_connected && device.stop_pressed) {
    return Trip{"stop_switch", "the patient stop switch is pressed", TripResponse::patient_stop};
  }
  if (!device.stop_connected && ctx.session_active) {
    return fault("stop_switch_unplugged",
                 "the patient stop switch was unplugged during the session");
  }
  if (device.drive == cia402::State::fault ||
      device.drive == cia402::State::fault_reaction_active) {
    return fault(
        "drive_fault", "the drive reports a fault (code 0x" + [&] {
          std::ostringstream s;
          s << std::hex << device.fault_code;
          return s.str();
        }() + ")");
  }
  const double tol = limits_.tolerance;
  if (device.actual > limits_.max_target + tol || device.actual < limits_.min_target - tol) {
    return fault("out_of_range", "reading " + fmt(device.actual) + " is outside [" +
                                     fmt(limits_.min_target - tol) + ", " +
                                     fmt(limits_.max_target + tol) + "]");
  }
  if (ctx.session_active) {
    const double beyond = (device.actual - limits_.home) - (ctx.highest_target - limits_.home);
    const bool away_positive = ctx.highest_target >= limits_.home;
    if ((away_positive ? beyond : -beyond) > tol) {
      return fault("overshoot", "reading " + fmt(device.actual) +
                                    " passed the plan's farthest target " +
                                    fmt(ctx.highest_target) + " by more than " + fmt(tol));
    }
    if (ctx.hold_seconds > limits_.max_hold_seconds + 0.5) {
      return fault("hold_time_exceeded", "hold of " + fmt(ctx.hold_seconds) + " s exceeds " +
                                             fmt(limits_.max_hold_seconds) + " s");
    }
    if (ctx.session_seconds > limits_.max_session_seconds) {
      return fault("session_time_exceeded", "session of " + fmt(ctx.session_seconds) +
                                                " s exceeds " + fmt(limits_.max_session_seconds) +
                                                " s");
    }
  }
  if (auto t = check_rate(now, ctx)) return t;
  if (auto t = check_settle(now, device, ctx)) return t;
  return check_tracking(now, device, ctx);
}

std::optional<Trip> SafetyMonitor::check_rate(Clock::time_point now, const MonitorContext& ctx) {
  const double limit = options_.rate_margin * limits_.max_rate_up;
  double rate = 0.0;
  if (recent_.size() >= 2) {
    const double span =
        std::chrono::duration<double>(recent_.back().first - recent_.front().first).count();
    if (span >= options_.rate_window_seconds - 1e-9) {
      rate = (recent_.back().second - recent_.front().second) / span;
    }
  }
  if (!ctx.session_active || rate <= limit) {
    too_fast_since_.reset();
    return std::nullopt;
  }
  if (!too_fast_since_) too_fast_since_ = now;
  const double lasting = std::chrono::duration<double>(now - *too_fast_since_).count();
  if (lasting < options_.rate_seconds) return std::nullopt;
  return fault("rate_exceeded", "the reading moves away from home at " + fmt(rate) +
                                    " units/s for " + fmt(lasting) + " s, faster than " +
                                    fmt(options_.rate_margin) + " x max_rate_up " +
                                    fmt(limits_.max_rate_up));
}

std::optional<Trip> SafetyMonitor::check_settle(Clock::time_point now, const DeviceState& device,
                                                const MonitorContext& ctx) {
  const double off = std::abs(device.actual - ctx.setpoint);
  if (!ctx.session_active || !ctx.drive_enabled || !setpoint_at_rest_ ||
      off <= settle_band(limits_)) {
    unsettled_since_.reset();
    return std::nullopt;
  }
  if (!unsettled_since_) unsettled_since_ = now;
  const double lasting = std::chrono::duration<double>(now - *unsettled_since_).count();
  if (lasting < options_.settle_seconds) return std::nullopt;
  return fault("settle_timeout", "reading " + fmt(device.actual) + " is " + fmt(off) +
                                     " from the setpoint " + fmt(ctx.setpoint) + " at rest for " +
                                     fmt(lasting) + " s (settle band " + fmt(settle_band(limits_)) +
                                     ")");
}

std::optional<Trip> SafetyMonitor::check_tracking(Clock::time_point now, const DeviceState& device,
                                                  const MonitorContext& ctx) {
  const double band = options_.tracking_band_factor * limits_.tolerance;
  if (!ctx.drive_enabled || std::abs(device.actual - ctx.setpoint) <= band) {
    tracking_since_.reset();
    return std::nullopt;
  }
  if (!tracking_since_) tracking_since_ = now;
  const double lasting = std::chrono::duration<double>(now - *tracking_since_).count();
  if (lasting < options_.tracking_seconds) return std::nullopt;
  return fault("tracking_error", "reading " + fmt(device.actual) + " is " +
                                     fmt(std::abs(device.actual - ctx.setpoint)) +
                                     " from the setpoint " + fmt(ctx.setpoint) + " for " +
                                     fmt(lasting) + " s (band " + fmt(band) + ")");
}

}  // namespace traction
