// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/plan.hpp"

#include <algorithm>
#include <cmath>

#include "daemon/engine/home.hpp"

namespace traction {

const char* to_string(PhaseKind kind) {
  switch (kind) {
    case PhaseKind::pretension:
      return "pretension";
    case PhaseKind::ramp:
      return "ramp";
    case PhaseKind::hold:
      return "hold";
    case PhaseKind::rest:
      return "rest";
    case PhaseKind::release:
      return "release";
  }
  return "?";
}

nlohmann::json EffectiveLimits::to_json() const {
  return {
      {"min_target", min_target},
      {"max_target", max_target},
      {"home", home},
      {"max_rate_up", max_rate_up},
      {"max_rate_down", max_rate_down},
      {"max_accel", max_accel},
      {"max_jerk", max_jerk},
      {"tolerance", tolerance},
      {"max_hold_seconds", max_hold_seconds},
      {"hold_cap_above", hold_cap_above},
      {"min_rest_seconds", min_rest_seconds},
      {"max_session_seconds", max_session_seconds},
      {"max_pause_seconds", max_pause_seconds},
      {"release_rate_stop", release_rate_stop},
      {"release_rate_patient", release_rate_patient},
      {"release_rate_fault", release_rate_fault},
      {"max_force_without_body_mass", max_force_without_body_mass},
      {"source", source},
      {"reason", reason},
  };
}

namespace {
constexpr double kShapedTimeConstantS = 4.0;  // shaped_speed: remaining / this
constexpr double kShapedFloor = 0.2;          // shaped_speed: never below this x the rate
// Control periods a phase change takes (the setpoint settles on a target over two of them).
constexpr double kPhaseChangeSeconds = 0.05;
}  // namespace

double shaped_speed(double remaining, double rate) {
  return std::clamp(remaining / kShapedTimeConstantS, kShapedFloor * rate, rate);
}

double shaped_move_seconds(double distance, double rate) {
  if (distance <= 0.0 || rate <= 0.0) return 0.0;
  const double full = kShapedTimeConstantS * rate;  // below this distance to go, it slows
  const double slow = kShapedFloor * full;          // below this, it moves at the floor
  double seconds = std::max(0.0, distance - full) / rate;
  const double slowing_from = std::min(distance, full);
  if (slowing_from > slow) seconds += kShapedTimeConstantS * std::log(slowing_from / slow);
  return seconds + std::min(distance, slow) / (kShapedFloor * rate);
}

double Plan::duration_bound() const {
  double bound = total_seconds;
  double position = limits.home;
  bool first_move = true;
  for (const Phase& p : phases) {
    bound += kPhaseChangeSeconds;
    if (p.rate > 0.0 && p.target != position) {
      bound +=
          p.rate / limits.max_accel + limits.max_accel / limits.max_jerk + kSettleTimeoutSeconds;
      if (first_move) {
        // The axis may start below home (a slack bench, a head-up table), down to min_target.
        const auto move = [&](double distance) {
          return p.shaped ? shaped_move_seconds(distance, p.rate) : distance / p.rate;
        };
        const double planned = std::abs(p.target - position);
        bound += move(planned + std::abs(limits.home - limits.min_target)) - move(planned);
      }
      first_move = false;
    }
    position = p.target;
  }
  return bound;
}

double Plan::rest_level() const {
  double level = limits.home;
  bool found = false;
  for (const Phase& p : phases) {
    if (p.kind != PhaseKind::rest) continue;
    const bool closer = further_from_home(level, p.target, limits);
    if (!found || closer) level = p.target;
    found = true;
  }
  return level;
}

nlohmann::json Plan::to_json() const {
  nlohmann::json phase_list = nlohmann::json::array();
  for (std::size_t i = 0; i < phases.size(); ++i) {
    const Phase& p = phases[i];
    phase_list.push_back({{"index", i},
                          {"kind", to_string(p.kind)},
                          {"target", p.target},
                          {"rate", p.rate},
                          {"seconds", p.seconds},
                          {"shaped", p.shaped},
                          {"repetition", p.repetition},
                          {"label", p.label}});
  }
  return {{"program", program},         {"description", description},
          {"guidance", guidance},       {"profile", profile},
          {"kind", to_string(kind)},    {"unit", axis_unit(kind)},
          {"repetitions", repetitions}, {"total_seconds", total_seconds},
          {"rest_level", rest_level()}, {"phases", std::move(phase_list)},
          {"limits", limits.to_json()}, {"progression", progression}};
}

}  // namespace traction
