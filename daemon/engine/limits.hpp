// SPDX-License-Identifier: Apache-2.0
// Limits at three levels: the device's mechanics, the site's policy and the
// person's profile. Each level is a partial set of named values; merging takes the most restrictive
// value of each and records which level set it, so a refusal can say who decided.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "daemon/engine/plan.hpp"
#include "drivers/device_state.hpp"

namespace traction {

enum class LimitLevel { device, site, profile };
const char* to_string(LimitLevel level);

// One level's values, keyed by the EffectiveLimits field name ("max_rate_up", ...).
struct LimitSet {
  LimitLevel level = LimitLevel::device;
  std::map<std::string, double> values;
  // Why a value is what it is, per key; keys without an entry use `default_reason`.
  std::map<std::string, std::string> reason;
  std::string default_reason;  // e.g. "device file config/devices/sim-inversion.json"
};

// Every limit key, in documentation order.
const std::vector<std::string>& limit_keys();

// Reads a `limits` object of the given level. The device level requires the mechanical keys
// (min_target, max_target, home, rates, accel, jerk, tolerance); only the device may set `home`.
// Throws ConfigError naming the source, the JSON path, the value and the rule.
LimitSet parse_limit_set(ObjectReader& reader, LimitLevel level, DeviceKind kind);

// True when `candidate` is at least as restrictive as `current` for `key`.
bool at_least_as_strict(const std::string& key, double candidate, double current);

// Merges the levels in order (device first). Keys no level sets take the documented defaults
// (source "default"). Release rates never exceed the effective max_rate_down. Throws ConfigError
// when the result is unusable (min_target > max_target, home outside them).
EffectiveLimits merge_limits(DeviceKind kind, const std::vector<LimitSet>& levels);

// A full release from the farthest point of the range home must take at most this long: every
// release rate is at least full_release_distance / kFullReleaseSeconds (merge_limits refuses a
// slower one).
inline constexpr double kFullReleaseSeconds = 60.0;
double full_release_distance(const EffectiveLimits& limits);
// Seconds home from the farthest point of the range at each release rate, with the governor's
// acceleration and jerk allowance: {"stop": s, "patient": s, "fault": s} (limits.get).
nlohmann::json worst_case_seconds_home(const EffectiveLimits& limits);
// A bench whose person has no body mass on record: max_target is capped at
// max_force_without_body_mass, with the reason (the catalog applies it to the site limits and to
// profiles without body_mass_kg).
void cap_without_body_mass(EffectiveLimits& limits, DeviceKind kind);

// The value of a field by its key name (a key of limit_keys()).
double limit_value(const EffectiveLimits& limits, const std::string& key);

}  // namespace traction
