// SPDX-License-Identifier: Apache-2.0
// A person's profile: body mass, force cap, maximum inversion angle, contraindications and limit
// overrides. A profile only ever tightens the limits; each tightening says why (docs/programs.md
// "Profiles and contraindications").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "daemon/engine/limits.hpp"
#include "drivers/device_state.hpp"

namespace traction {

inline constexpr double kStandardGravity = 9.80665;  // m/s^2: newtons per kilogram-force

struct Profile {
  std::string name;
  std::optional<double> body_mass_kg;
  double force_cap_fraction_bw = 0.5;
  std::optional<double> max_inversion_deg;
  std::vector<std::string> contraindications;
  LimitSet limit_overrides;  // the "limits" object (level profile); may only tighten
  std::string notes;
  std::string source;  // "daemon.json /profiles/0"

  nlohmann::json to_json() const;
};

// What a contraindication does on each kind of device.
enum class FlagEffect {
  none,             // no tightening on this device (precaution text only)
  no_inversion,     // inversion table: max_target 0 (no inversion past horizontal)
  low_force,        // traction bench: force cap 0.25 x body weight (needs body mass; else refused)
  refuse_traction,  // traction bench: max_target = home (no traction at all)
};

struct ContraindicationRule {
  const char* flag;
  FlagEffect inversion;
  FlagEffect traction;
  const char* why;  // the guidance behind it, for messages and docs
};

// The closed list of contraindication flags and their effects, in documentation order.
const std::vector<ContraindicationRule>& contraindication_rules();

// The force cap that `low_force` flags impose, as a fraction of body weight.
inline constexpr double kLowForceFractionBw = 0.25;
// A bench's hold cap counts time above this fraction of body weight (hold_cap_above).
inline constexpr double kHoldCapFractionBw = 0.2;

// Parses one profile object (an element of the `profiles` array). Throws ConfigError.
Profile parse_profile(const nlohmann::json& json, const std::string& source,
                      const std::string& path, DeviceKind kind);

// The profile's level of limits on a device of `kind` whose home is `home`: max_inversion_deg,
// force cap, contraindications and overrides, each with its reason.
LimitSet profile_limit_set(const Profile& profile, DeviceKind kind, double home);

}  // namespace traction
