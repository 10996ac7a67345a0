// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/limits.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace traction {
namespace {

// Which direction is "more restrictive" for a key.
enum class Strict { lower, higher, fixed };

struct KeySpec {
  const char* name;
  double EffectiveLimits::*field;
  Strict strict;
  bool device_required;
  bool is_target;      // bounds depend on the axis (deg or N)
  bool traction_only;  // meaningful for a bench only
  double min;          // bounds for non-target keys
  double max;
};

constexpr double kDay = 86400.0;
constexpr double kUnweighedHoldCapN = 90.0;
constexpr double kTiny = 1e-6;

const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> table = {
      {"min_target", &EffectiveLimits::min_target, Strict::higher, true, true, false, 0, 0},
      {"max_target", &EffectiveLimits::max_target, Strict::lower, true, true, false, 0, 0},
      {"home", &EffectiveLimits::home, Strict::fixed, true, true, false, 0, 0},
      {"max_rate_up", &EffectiveLimits::max_rate_up, Strict::lower, true, false, false, kTiny, 1e5},
      {"max_rate_down", &EffectiveLimits::max_rate_down, Strict::lower, true, false, false, kTiny,
       1e5},
      {"max_accel", &EffectiveLimits::max_accel, Strict::lower, true, false, false, kTiny, 1e6},
      {"max_jerk", &EffectiveLimits::max_jerk, Strict::lower, true, false, false, kTiny, 1e7},
      {"tolerance", &EffectiveLimits::tolerance, Strict::lower, true, false, false, kTiny, 1e4},
      {"max_hold_seconds", &EffectiveLimits::max_hold_seconds, Strict::lower, false, false, false,
       1, kDay},
      {"hold_cap_above", &EffectiveLimits::hold_cap_above, Strict::lower, false, true, false, 0, 0},
      {"min_rest_seconds", &EffectiveLimits::min_rest_seconds, Strict::higher, false, false, false,
       0, 3600},
      {"max_session_seconds", &EffectiveLimits::max_session_seconds, Strict::lower, false, false,
       false, 1, kDay},
      {"max_pause_seconds", &EffectiveLimits::max_pause_seconds, Strict::lower, false, false, false,
       1, kDay},
      {"release_rate_stop", &EffectiveLimits::release_rate_stop, Strict::lower, false, false, false,
       kTiny, 1e5},
      {"release_rate_patient", &EffectiveLimits::release_rate_patient, Strict::lower, false, false,
       false, kTiny, 1e5},
      {"release_rate_fault", &EffectiveLimits::release_rate_fault, Strict::lower, false, false,
       false, kTiny, 1e5},
      {"max_force_without_body_mass", &EffectiveLimits::max_force_without_body_mass, Strict::lower,
       false, true, true, 0, 0},
  };
  return table;
}

const KeySpec& spec_of(const std::string& key) {
  for (const auto& s : specs()) {
    if (key == s.name) return s;
  }
  throw std::out_of_range("unknown limit key " + key);
}

// Axis bounds: a table cannot point past vertical; a bench's force is never negative.
std::pair<double, double> target_bounds(DeviceKind kind) {
  return kind == DeviceKind::inversion ? std::pair{-90.0, 90.0} : std::pair{0.0, 1e5};
}

std::string number_text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

// The built-in fallbacks (docs/configuration.md "Limits and profiles"). Release rates are derived
// from the device's max_rate_down after the device level is known.
void apply_defaults(DeviceKind kind, EffectiveLimits& limits) {
  const bool table = kind == DeviceKind::inversion;
  // A bench's 90 s leave a 60 s pull (VAX-D) its ramps and settling.
  limits.max_hold_seconds = table ? 120.0 : 90.0;
  // Exposure counts beyond 30° on a table; on a bench beyond 90 N, half the first-session cap (a
  // profile with a body mass lowers it to 20 % of body weight: profile.cpp).
  limits.hold_cap_above = table ? 30.0 : std::max(limits.home, kUnweighedHoldCapN);
  limits.min_rest_seconds = 5.0;
  limits.max_session_seconds = 1200.0;
  limits.max_pause_seconds = 120.0;
  // A normal stop releases at half the mechanical maximum (gentle); a patient stop and a fault
  // release as fast as the mechanics allow, still jerk-limited by the governor.
  limits.release_rate_stop = 0.5 * limits.max_rate_down;
  limits.release_rate_patient = limits.max_rate_down;
  limits.release_rate_fault = limits.max_rate_down;
}

// A release from anywhere in the range ends within kFullReleaseSeconds: no level may set a
// release rate so slow that a person waits minutes to come home.
void check_release_floor(const EffectiveLimits& out) {
  const double floor = full_release_distance(out) / kFullReleaseSeconds;
  for (const char* key : {"release_rate_stop", "release_rate_patient", "release_rate_fault"}) {
    const double rate = out.*(spec_of(key).field);
    if (rate + 1e-9 < floor) {
      throw ConfigError("limits: " + std::string(key) + " " + number_text(rate) + " (set by " +
                        out.reason.at(key) + ") is below the floor " + number_text(floor) +
                        " per second: a full release from max_target must take at most " +
                        number_text(kFullReleaseSeconds) + " s");
    }
  }
}

}  // namespace

double full_release_distance(const EffectiveLimits& limits) {
  return std::max(std::abs(limits.max_target - limits.home),
                  std::abs(limits.min_target - limits.home));
}

nlohmann::json worst_case_seconds_home(const EffectiveLimits& limits) {
  auto seconds = [&](double rate) {
    const double d = full_release_distance(limits);
    return d / rate + rate / limits.max_accel + limits.max_accel / limits.max_jerk;
  };
  return {{"stop", seconds(limits.release_rate_stop)},
          {"patient", seconds(limits.release_rate_patient)},
          {"fault", seconds(limits.release_rate_fault)}};
}

void cap_without_body_mass(EffectiveLimits& limits, DeviceKind kind) {
  if (kind != DeviceKind::traction || limits.max_target <= limits.max_force_without_body_mass)
    return;
  limits.max_target = std::max(limits.home, limits.max_force_without_body_mass);
  limits.source["max_target"] = limits.source["max_force_without_body_mass"];
  limits.reason["max_target"] = "no body mass on record: the first-session force cap " +
                                number_text(limits.max_force_without_body_mass) + " N (" +
                                limits.reason["max_force_without_body_mass"] +
                                "; a profile's body_mass_kg sets a cap from body weight)";
}

const char* to_string(LimitLevel level) {
  switch (level) {
    case LimitLevel::device:
      return "device";
    case LimitLevel::site:
      return "site";
    case LimitLevel::profile:
      return "profile";
  }
  return "?";
}

const std::vector<std::string>& limit_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const auto& s : specs()) out.emplace_back(s.name);
    return out;
  }();
  return keys;
}

LimitSet parse_limit_set(ObjectReader& reader, LimitLevel level, DeviceKind kind) {
  LimitSet set;
  set.level = level;
  const auto [target_min, target_max] = target_bounds(kind);
  for (const auto& s : specs()) {
    if (s.traction_only && kind != DeviceKind::traction) {
      if (reader.has(s.name)) reader.fail(s.name, "applies to a traction bench only");
      continue;
    }
    if (s.strict == Strict::fixed && level != LimitLevel::device) {
      if (reader.has(s.name)) {
        reader.fail(s.name,
                    "only the device file may set \"home\" (it is where the mechanics are safe)");
      }
      continue;
    }
    const double lo = s.is_target ? target_min : s.min;
    const double hi = s.is_target ? target_max : s.max;
    if (s.device_required && level == LimitLevel::device) {
      set.values[s.name] = reader.number(s.name, lo, hi);
    } else if (auto v = reader.optional_number(s.name, lo, hi)) {
      set.values[s.name] = *v;
    }
  }
  reader.finish();
  return set;
}

bool at_least_as_strict(const std::string& key, double candidate, double current) {
  switch (spec_of(key).strict) {
    case Strict::lower:
      return candidate <= current;
    case Strict::higher:
      return candidate >= current;
    case Strict::fixed:
      return candidate == current;
  }
  return false;
}

double limit_value(const EffectiveLimits& limits, const std::string& key) {
  return limits.*(spec_of(key).field);
}

namespace {

// One level's values over `out`: defaults are fallbacks, not a level, so any level's value
// replaces them; between levels the most restrictive value wins, and on a tie the lower level
// keeps the credit.
void apply_level(EffectiveLimits& out, const LimitSet& level) {
  for (const auto& [key, value] : level.values) {
    const KeySpec& s = spec_of(key);
    const bool from_default = out.source[key] == "default";
    const bool stricter = s.strict == Strict::lower    ? value < out.*(s.field)
                          : s.strict == Strict::higher ? value > out.*(s.field)
                                                       : false;
    if (from_default || stricter || (level.level == LimitLevel::device && s.device_required)) {
      out.*(s.field) = value;
      out.source[key] = to_string(level.level);
      const auto why = level.reason.find(key);
      out.reason[key] = why != level.reason.end() ? why->second : level.default_reason;
    }
  }
}

// Releasing faster than the mechanics allow is not a release rate; cap it and credit the level
// that set max_rate_down.
void cap_release_rates(EffectiveLimits& out) {
  for (const char* key : {"release_rate_stop", "release_rate_patient", "release_rate_fault"}) {
    double& rate = out.*(spec_of(key).field);
    if (rate > out.max_rate_down) {
      rate = out.max_rate_down;
      out.source[key] = out.source["max_rate_down"];
      out.reason[key] = out.reason["max_rate_down"] + " (max_rate_down)";
    }
  }
}

void check_range(EffectiveLimits& out) {
  if (out.min_target > out.max_target) {
    throw ConfigError("limits: effective min_target " + number_text(out.min_target) + " (" +
                      out.reason["min_target"] + ") is above effective max_target " +
                      number_text(out.max_target) + " (" + out.reason["max_target"] + ")");
  }
  if (out.home < out.min_target || out.home > out.max_target) {
    throw ConfigError(
        "limits: home " + number_text(out.home) + " is outside the effective range [" +
        number_text(out.min_target) + ", " + number_text(out.max_target) + "] (max_target set by " +
        out.reason["max_target"] + ", min_target set by " + out.reason["min_target"] + ")");
  }
}

}  // namespace

EffectiveLimits merge_limits(DeviceKind kind, const std::vector<LimitSet>& levels) {
  if (levels.empty() || levels.front().level != LimitLevel::device) {
    throw ConfigError("limits: the device level is required and must come first");
  }
  EffectiveLimits out;
  const LimitSet& device = levels.front();
  for (const auto& s : specs()) {
    if (s.device_required) out.*(s.field) = device.values.at(s.name);
  }
  apply_defaults(kind, out);
  for (const auto& s : specs()) {
    out.source[s.name] = "default";
    out.reason[s.name] = "built-in default";
  }
  for (const auto& level : levels) apply_level(out, level);
  cap_release_rates(out);
  check_range(out);
  check_release_floor(out);
  return out;
}

}  // namespace traction
