// SPDX-License-Identifier: Apache-2.0
// Brings the person home after a session ends, after a fault or an emergency stop, and when the
// daemon finds the axis away from home with no session (start-up, device.reset, a returned link).
// Nobody is left loaded: a drive that stopped following (power loss, its watchdog, its own quick
// stop) is enabled again from the measured value, a communication-loss fault that the daemon's own
// absence caused is reset, and a drive whose quick stop is declared to bring the axis home is
// watched until it does. Every retry is bounded: after max_attempts the release gives up and says
// plainly where the person is. Pure: time and the reading are arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "daemon/engine/plan.hpp"
#include "drivers/device_state.hpp"

namespace traction {

struct ReleaseOptions {
  double enable_timeout_s = 3.0;  // one attempt to enable the drive or clear its fault
  int max_attempts = 3;           // walks to operation enabled (and stalls) per release
  // A drive fault that the daemon may clear by itself: the drive's communication-loss fault,
  // which the daemon's own absence caused (device file watchdog.fault_code). Other faults need
  // device.reset.
  std::optional<std::uint16_t> comm_loss_fault_code;
  // The drive's quick stop brings the axis home by itself (device file drive.quick_stop:
  // "home"); otherwise it stops and holds in place, as most servo drives do.
  bool quick_stop_goes_home = false;
  // Time the drive's own quick stop gets to show progress home before the daemon takes over.
  double quick_stop_check_s = 1.0;
};

// What the drive should do this cycle for the release.
struct ReleaseStep {
  cia402::Goal goal = cia402::Goal::enabled;
  bool follow = false;  // the drive follows setpoints: the governor moves toward `target`
  double target = 0.0;
  double rate = 0.0;
  const char* waiting = "";  // what the release waits for ("" while it proceeds)
};

class ReleaseSupervisor {
 public:
  explicit ReleaseSupervisor(ReleaseOptions options) : options_(options) {}

  // Starts a release at `rate`, or speeds one up: a running release never slows down. With
  // `quick_stop` the drive's own quick stop is tried first when it is declared to go home.
  void begin(double rate, bool quick_stop, Clock::time_point now, double actual,
             const EffectiveLimits& limits, DeviceKind kind);
  // The release is over (at home, or cleared by device.reset): attempts start afresh.
  void end();
  bool active() const { return active_; }
  double rate() const { return rate_; }
  int attempts() const { return attempts_; }

  ReleaseStep step(Clock::time_point now, const DeviceState& device, double setpoint,
                   const EffectiveLimits& limits, DeviceKind kind);
  // The monitor found the drive not following the release: counts as a failed attempt.
  void stalled();

  // One-shot notices for the controller's events, cleared when taken.
  bool take_resumed() { return std::exchange(resumed_, false); }
  bool take_takeover() { return std::exchange(takeover_, false); }
  // The release cannot proceed any more (set once): why, in words. Cleared by end().
  const std::string& gave_up() const { return gave_up_; }
  bool take_gave_up() { return std::exchange(gave_up_new_, false); }

 private:
  ReleaseStep follow_drive(Clock::time_point now, const DeviceState& d,
                           const EffectiveLimits& limits, ReleaseStep out);
  ReleaseStep walk(Clock::time_point now, ReleaseStep out);
  ReleaseStep drive_fault(Clock::time_point now, const DeviceState& device, ReleaseStep out);
  bool quick_stop_progress(Clock::time_point now, double distance);
  void give_up(std::string why, cia402::Goal goal);

  ReleaseOptions options_;
  bool active_ = false;
  double rate_ = 0.0;
  int attempts_ = 0;
  std::optional<Clock::time_point> walk_since_;  // the current attempt began
  bool rewalk_ = false;  // a stalled drive is disabled once, then walked again
  bool quick_stop_ = false;
  Clock::time_point quick_stop_check_{};
  double quick_stop_distance_ = 0.0;
  bool resumed_ = false;
  bool takeover_ = false;
  std::string gave_up_;
  bool gave_up_new_ = false;
  cia402::Goal gave_up_goal_ = cia402::Goal::disabled;
};

}  // namespace traction
