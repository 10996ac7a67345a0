// SPDX-License-Identifier: Apache-2.0
// A validated plan: what a session will do, phase by phase, within the effective limits. Produced
// by program validation (program.hpp), consumed by the session runner. Nothing moves without one.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/device_state.hpp"

namespace traction {

// The merged limits of device, site and profile (most restrictive wins). Axis units: deg or N.
struct EffectiveLimits {
  double min_target = 0.0;
  double max_target = 0.0;
  double home = 0.0;           // where "safe" is: head-up home angle, or the bench's floor force
  double max_rate_up = 1.0;    // units/s, moving away from home
  double max_rate_down = 1.0;  // units/s, moving towards home
  double max_accel = 1.0;      // units/s^2
  double max_jerk = 1.0;       // units/s^3
  double tolerance = 1.0;      // allowed excursion of a reading past a limit before it is a fault
  double max_hold_seconds = 120.0;  // one continuous hold
  // max_hold_seconds applies to holds whose target is above this value (axis units): the short-hold
  // rule is about loaded time, so an inversion table may rest flat for minutes (defaults: 30 deg
  // for a table, the home force for a bench; see docs/configuration.md).
  double hold_cap_above = 30.0;
  double min_rest_seconds = 0.0;  // after a hold
  double max_session_seconds = 1200.0;
  double max_pause_seconds = 120.0;
  double release_rate_stop = 1.0;     // normal stop and program end
  double release_rate_patient = 1.0;  // patient stop switch
  double release_rate_fault = 1.0;    // faults and estop
  // A bench whose person has no body mass on record gets this force cap (N): a first session's
  // traction, 180 N (40 lbf) unless a level sets another. Ignored by a table.
  double max_force_without_body_mass = 180.0;
  // For each field above, the level that set it: "device", "site" or "profile" ("default" when no
  // level set it and the documented built-in default applies).
  std::map<std::string, std::string> source;
  // For each field above, a human explanation of that level's value, e.g.
  // "profile alice: glaucoma: no inversion past horizontal". Used in violation messages.
  std::map<std::string, std::string> reason;

  nlohmann::json to_json() const;
};

enum class PhaseKind { pretension, ramp, hold, rest, release };
const char* to_string(PhaseKind kind);

// A reading within this of its target is settled (half the tolerance): holds count from there.
inline double settle_band(const EffectiveLimits& limits) {
  return 0.5 * limits.tolerance;
}

// A phase whose reading has not settled (within half the tolerance of the setpoint) this long
// after the setpoint came to rest is a fault (safety monitor rule settle_timeout, docs/safety.md).
inline constexpr double kSettleTimeoutSeconds = 3.0;

// A plan has at most this many phases: a program that expands to more is refused before it is
// expanded (inline programs come from the socket, and planning must stay quick).
inline constexpr std::size_t kMaxPlanPhases = 500;
// A refusal lists at most this many violations, and says how many more there are.
inline constexpr std::size_t kMaxViolationsListed = 20;

// Time at or below hold_cap_above that ends a stretch of exposure (the hold cap): a moment below
// the level is no relief.
inline constexpr double kReliefSeconds = 1.0;

// The speed of a shaped rise with `remaining` units to go at peak `rate`: the rate while far from
// the target, then remaining / 4 s (an exponential approach that slows near the target), never
// below a fifth of the rate, so that the phase ends.
double shaped_speed(double remaining, double rate);
// Seconds a shaped rise of `distance` at peak `rate` takes at shaped_speed.
double shaped_move_seconds(double distance, double rate);

// Every phase: move to `target` at `rate` (ramp, pretension, release; a move of zero distance takes
// no time), then stay at `target` for `seconds` (hold, rest, pretension dwell). Holds and rests are
// stationary: their target is where the previous phase ended and their rate is 0.
struct Phase {
  PhaseKind kind = PhaseKind::hold;
  double target = 0.0;  // absolute axis target of this phase
  double rate = 0.0;    // ramp rate in units/s for moving phases (<= the limits' rate)
  double seconds =
      0.0;  // hold/rest: time at target, counted once the target is reached and settled
  // Shaped rise: fast first, slowing near the target (shaped_speed).
  bool shaped = false;
  int repetition = 0;  // 1-based repetition this phase belongs to (0: none)
  std::string label;   // human text, e.g. "hold 20°"
};

struct Plan {
  std::string program;  // name, or "inline"
  std::string description;
  std::string guidance;  // which guidance it follows
  std::string profile;   // profile name ("" = site defaults)
  DeviceKind kind = DeviceKind::inversion;
  std::vector<Phase> phases;
  int repetitions = 1;
  EffectiveLimits limits;
  double total_seconds = 0.0;  // computed estimate, including ramps
  // The progression applied (docs/programs.md "Progression"); null when the program has none.
  nlohmann::json progression;

  // Where a paused session waits (docs/programs.md "Pause"): the level of the plan's rest phase
  // closest to home (recoveries included), or home when the plan has no rest. A plan's own rests
  // are levels the plan already deems relieving; the lowest non-home level of a rest-free plan is
  // its working level (quick-check's only level is its hold), so such plans pause at home.
  double rest_level() const;
  // What a run of the plan can take at most without a fault (docs/programs.md "Validation
  // rules"): total_seconds plus, for every move, the time the governor's acceleration and jerk
  // limits add (rate / max_accel + max_accel / max_jerk) and kSettleTimeoutSeconds for the reading
  // to settle (longer is a settle_timeout fault); the first move also from min_target, where the
  // axis may start (a slack bench); 0.05 s per phase for the phase change. Validation holds this
  // against the session cap.
  double duration_bound() const;
  nlohmann::json to_json() const;
};

}  // namespace traction
