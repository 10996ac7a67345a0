// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/governor.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace traction {
namespace {

constexpr double kPositionEpsilon = 1e-9;
constexpr double kVelocityEpsilon = 1e-6;
constexpr int kMaxBrakeSteps = 100000;
constexpr int kAccelCandidates = 32;
constexpr double kLandingSpeed = 0.1;  // units/s

double sign(double x) {
  return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
}

struct Kinematics {
  double p, v, a;
};

// One period of velocity control: the acceleration moves (jerk-limited) towards the value that
// brings the velocity to `wanted_v` with the acceleration returning to zero as it arrives.
Kinematics velocity_step(const Kinematics& s, double wanted_v, double a_max, double j_max,
                         double dt) {
  const double dv = wanted_v - s.v;
  // Velocity the current acceleration still adds while it is unwound at the jerk limit.
  const double pending = s.a * std::abs(s.a) / (2.0 * j_max);
  const double dv_left = dv - pending;
  double wanted_a = sign(dv_left) * std::min(a_max, std::sqrt(2.0 * j_max * std::abs(dv_left)));
  if (std::abs(dv) < a_max * dt && std::abs(s.a) < j_max * dt)
    wanted_a = dv / dt;  // arrive exactly
  const double max_da = j_max * dt;
  const double a = std::clamp(s.a + std::clamp(wanted_a - s.a, -max_da, max_da), -a_max, a_max);
  const double v = s.v + a * dt;
  return {s.p + v * dt, v, a};
}

// Where the setpoint comes to rest if it brakes now, jerk-limited.
double rest_position(Kinematics s, double a_max, double j_max, double dt) {
  for (int i = 0; i < kMaxBrakeSteps; ++i) {
    if (std::abs(s.v) < kVelocityEpsilon && std::abs(s.a) < j_max * dt) break;
    s = velocity_step(s, 0.0, a_max, j_max, dt);
  }
  return s.p;
}

}  // namespace

void MotionGovernor::reset(double measured) {
  state_ = GovernorState{std::clamp(measured, limits_.min_target, limits_.max_target), 0.0, 0.0};
}

double MotionGovernor::direction_rate_limit(double direction) const {
  // "Up" is away from home (deeper inversion, more force); "down" is towards home.
  const double away = sign(state_.position - limits_.home);
  const bool moving_away = away == 0.0 ? true : direction == away;
  return moving_away ? limits_.max_rate_up : limits_.max_rate_down;
}

namespace {

// Among the accelerations the jerk limit allows this period, the feasible one closest to the
// preferred (the first of them on a tie); `fallback` (braking) when none is. The candidates are
// tried closest first and the search stops at the first feasible one: each check brakes to rest in
// simulation, so checking only until the answer is known is what keeps a cycle short.
template <class Feasible>
Kinematics closest_feasible(const Kinematics& now, const Kinematics& preferred,
                            const Kinematics& fallback, const Feasible& feasible, double a_max,
                            double j_max, double dt_s) {
  struct Candidate {
    double gap;
    int index;
  };
  std::array<Candidate, kAccelCandidates + 1> order;
  std::size_t count = 0;
  const double lo = std::max(-a_max, now.a - j_max * dt_s);
  const double hi = std::min(a_max, now.a + j_max * dt_s);
  const auto acceleration = [&](int i) { return lo + (hi - lo) * i / kAccelCandidates; };
  for (int i = 0; i <= kAccelCandidates; ++i) {
    const double gap = std::abs(acceleration(i) - preferred.a);
    // Only a finite gap can be the closest (a NaN or infinite one never is).
    if (gap < std::numeric_limits<double>::infinity()) order[count++] = {gap, i};
  }
  std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count),
            [](const Candidate& x, const Candidate& y) {
              return x.gap < y.gap || (x.gap == y.gap && x.index < y.index);
            });
  for (std::size_t k = 0; k < count; ++k) {
    const double acc = acceleration(order[k].index);
    const double v = now.v + acc * dt_s;
    const Kinematics c{now.p + v * dt_s, v, acc};
    if (feasible(c)) return c;
  }
  return fallback;
}

}  // namespace

double MotionGovernor::step(double target, double max_rate, double dt_s) {
  if (!(dt_s > 0.0) || !std::isfinite(target) || !std::isfinite(max_rate)) return state_.position;
  const double goal = std::clamp(target, limits_.min_target, limits_.max_target);
  const double a_max = limits_.max_accel;
  const double j_max = limits_.max_jerk;
  const Kinematics now{state_.position, state_.velocity, state_.acceleration};

  const double distance = goal - now.p;
  if (std::abs(distance) < kPositionEpsilon && std::abs(now.v) < kVelocityEpsilon &&
      std::abs(now.a) < 0.01 * j_max * dt_s) {
    state_ = GovernorState{goal, 0.0, 0.0};  // at rest on the goal (residual below 1e-9 units)
    return state_.position;
  }
  const double direction = sign(distance);
  const double rate_cap = std::min(std::max(0.0, max_rate), direction_rate_limit(direction));

  // Choose this period's acceleration among those the jerk limit allows (so no choice is ever a
  // jolt): the one closest to what the velocity controller wants, among those from which (a) the
  // speed stays within the cap once the acceleration is unwound and (b) a jerk-limited stop still
  // ends short of the goal. Braking is always among the candidates and was feasible one period
  // ago, so a feasible choice exists unless the limits changed mid-motion.
  const double wanted_speed = std::min(rate_cap, std::abs(distance) / dt_s);
  const Kinematics preferred = velocity_step(now, direction * wanted_speed, a_max, j_max, dt_s);
  const Kinematics braking = velocity_step(now, 0.0, a_max, j_max, dt_s);
  const double speed_cap = std::max(
      std::min(std::max(0.0, max_rate), direction_rate_limit(sign(now.v))), std::abs(now.v));
  auto feasible = [&](const Kinematics& c) {
    const double unwound = c.v + c.a * std::abs(c.a) / (2.0 * j_max);
    if (std::abs(c.v) > speed_cap + 1e-12 || std::abs(unwound) > speed_cap + 1e-9) return false;
    if ((goal - c.p) * direction < 0.0) return false;
    return (goal - rest_position(c, a_max, j_max, dt_s)) * direction >= 0.0;
  };
  Kinematics next = feasible(preferred)
                        ? preferred
                        : closest_feasible(now, preferred, braking, feasible, a_max, j_max, dt_s);
  // Landing: the last period may close a residual creep speed in one step. A goal that moved too
  // close to stop before it (a new target mid-motion) is passed with smooth braking instead, and
  // approached again from the other side: a jolt would be worse than the small overshoot.
  if ((goal - next.p) * direction < 0.0 && std::abs(now.v) < kLandingSpeed) next = {goal, 0.0, 0.0};
  state_ =
      GovernorState{std::clamp(next.p, limits_.min_target, limits_.max_target), next.v, next.a};
  return state_.position;
}

double MotionGovernor::stopping_position(double dt_s) const {
  if (!(dt_s > 0.0)) return state_.position;
  const Kinematics now{state_.position, state_.velocity, state_.acceleration};
  const double stop = rest_position(now, limits_.max_accel, limits_.max_jerk, dt_s);
  return std::clamp(stop, limits_.min_target, limits_.max_target);
}

bool MotionGovernor::settled_at(double target) const {
  return std::abs(state_.position - target) < kPositionEpsilon &&
         std::abs(state_.velocity) < kVelocityEpsilon;
}

}  // namespace traction
