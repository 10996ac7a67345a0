// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/plan.hpp"

#include <cmath>

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
      {"source", source},
      {"reason", reason},
  };
}

double Plan::rest_level() const {
  double level = limits.home;
  bool found = false;
  for (const Phase& p : phases) {
    if (p.kind != PhaseKind::rest) continue;
    const bool closer = std::abs(p.target - limits.home) < std::abs(level - limits.home);
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
  return {{"program", program},
          {"description", description},
          {"guidance", guidance},
          {"profile", profile},
          {"kind", to_string(kind)},
          {"unit", axis_unit(kind)},
          {"repetitions", repetitions},
          {"total_seconds", total_seconds},
          {"rest_level", rest_level()},
          {"phases", std::move(phase_list)},
          {"limits", limits.to_json()},
          {"progression", progression}};
}

}  // namespace traction
