// SPDX-License-Identifier: Apache-2.0
// Where "safe" is, and which way is "away" from it: the one place that knows that a table is away
// from home on either side of its home angle, while a bench is loaded only above its floor force
// (a slack bench, below the floor, is as safe as home and is never pulled back up to it).
#pragma once

#include <cmath>

#include "daemon/engine/plan.hpp"

namespace traction {

// How far `value` is from home in the direction that loads the person (0 at or past home on the
// safe side). Axis units.
inline double loaded_distance(double value, const EffectiveLimits& limits, DeviceKind kind) {
  const double from_home = value - limits.home;
  return kind == DeviceKind::traction ? std::max(0.0, from_home) : std::abs(from_home);
}

// True when `value` is further from home than half the tolerance, in the loading direction: the
// person is still loaded and somebody has to bring them home.
inline bool away_from_home(double value, const EffectiveLimits& limits, DeviceKind kind) {
  return loaded_distance(value, limits, kind) > 0.5 * limits.tolerance;
}

// Where a release from `value` ends: home, except for a slack bench, which stays where it is.
inline double release_target(double value, const EffectiveLimits& limits, DeviceKind kind) {
  return kind == DeviceKind::traction && value < limits.home ? value : limits.home;
}

// True when `a` is further from home than `b`, on either side: a farthest target, a peak, the
// farther of two levels.
inline bool further_from_home(double a, double b, double home) {
  return std::abs(a - home) > std::abs(b - home);
}
inline bool further_from_home(double a, double b, const EffectiveLimits& limits) {
  return further_from_home(a, b, limits.home);
}

// +1 when `value` lies on the high side of home (or at it), -1 on the low side: the sign that
// turns a move from home into a distance along it.
inline double side_of_home(double value, const EffectiveLimits& limits) {
  return value >= limits.home ? 1.0 : -1.0;
}

// True when `a` and `b` lie on the same side of home (either at home counts as both).
inline bool same_side_of_home(double a, double b, const EffectiveLimits& limits) {
  return (a - limits.home) * (b - limits.home) >= 0.0;
}

// Seconds a governed release from `value` home takes at `rate`: the distance at that rate, plus
// what the governor's acceleration and jerk limits add to reach it and to stop, and half a second
// for the reading to arrive.
inline double release_seconds(double value, double rate, const EffectiveLimits& limits,
                              DeviceKind kind) {
  const double distance = loaded_distance(value, limits, kind);
  if (distance <= 0.0) return 0.0;
  return distance / rate + rate / limits.max_accel + limits.max_accel / limits.max_jerk + 0.5;
}

}  // namespace traction
