// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/profile.hpp"

#include <algorithm>
#include <sstream>

namespace traction {
namespace {

std::string number_text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

std::vector<std::string> flag_names() {
  std::vector<std::string> out;
  for (const auto& rule : contraindication_rules()) out.emplace_back(rule.flag);
  return out;
}

// Sets `key` in `set` to `value` when it is stricter than what the set already holds.
void tighten(LimitSet& set, const std::string& key, double value, const std::string& why) {
  const auto it = set.values.find(key);
  if (it != set.values.end() && at_least_as_strict(key, it->second, value)) return;
  set.values[key] = value;
  set.reason[key] = why;
}

}  // namespace

const std::vector<ContraindicationRule>& contraindication_rules() {
  using E = FlagEffect;
  // The contraindications and precautions of inversion and traction therapy: inversion is refused
  // past horizontal for eye, blood-pressure, heart, circulation, bone and implant conditions;
  // traction is refused for bone and spinal conditions and kept low for the "caution" conditions.
  static const std::vector<ContraindicationRule> rules = {
      {"glaucoma", E::no_inversion, E::none, "inversion roughly doubles eye pressure"},
      {"eye_condition", E::no_inversion, E::none, "inversion raises eye pressure"},
      {"hypertension", E::no_inversion, E::none, "inversion raises blood pressure"},
      {"heart_condition", E::no_inversion, E::low_force,
       "heart or circulatory disorder: no inversion, traction with caution"},
      {"pregnancy", E::no_inversion, E::low_force,
       "pregnancy: no inversion, traction with caution"},
      {"anticoagulants", E::no_inversion, E::none, "anticoagulants: inversion is contraindicated"},
      {"hernia", E::no_inversion, E::none, "hernia: inversion is contraindicated"},
      {"hypermobility", E::none, E::low_force, "hypermobility: traction with caution"},
      {"respiratory_insufficiency", E::none, E::low_force,
       "respiratory insufficiency: traction with caution"},
      {"osteoporosis", E::no_inversion, E::refuse_traction, "bone weakness"},
      {"spinal_fracture", E::no_inversion, E::refuse_traction, "spinal fracture"},
      {"spinal_hardware", E::no_inversion, E::refuse_traction, "spinal hardware or implants"},
      {"spinal_infection", E::no_inversion, E::refuse_traction, "spinal infection"},
      {"spinal_tumour", E::no_inversion, E::refuse_traction, "spinal tumour"},
      {"cord_compression", E::no_inversion, E::refuse_traction, "spinal cord compression"},
      {"inflammatory_disease", E::no_inversion, E::refuse_traction, "inflammatory spinal disease"},
      {"spondylolisthesis", E::no_inversion, E::refuse_traction, "unstable spondylolisthesis"},
  };
  return rules;
}

Profile parse_profile(const nlohmann::json& json, const std::string& source,
                      const std::string& path, DeviceKind kind) {
  ObjectReader reader(json, source, path);
  Profile p;
  p.source = source + " " + path;
  p.name = reader.string("name");
  if (p.name.empty() || p.name.find_first_of(" /\t\n") != std::string::npos) {
    reader.fail("name", "value \"" + p.name + "\" must be a non-empty word without spaces or '/'");
  }
  p.body_mass_kg = reader.optional_number("body_mass_kg", 20.0, 250.0);
  p.force_cap_fraction_bw = reader.number_or("force_cap_fraction_bw", 0.5, 0.05, 0.6);
  p.max_inversion_deg = reader.optional_number("max_inversion_deg", -20.0, 90.0);
  p.contraindications = reader.string_list_or("contraindications", flag_names());
  p.notes = reader.string_or("notes", "");
  if (auto limits = reader.optional_object("limits")) {
    p.limit_overrides = parse_limit_set(*limits, LimitLevel::profile, kind);
  }
  p.limit_overrides.level = LimitLevel::profile;
  reader.finish();
  return p;
}

namespace {

// What one contraindication flag does to the profile's limits on this kind of device.
void apply_flag(LimitSet& set, const Profile& profile, const std::string& flag, DeviceKind kind,
                double home) {
  const auto& rules = contraindication_rules();
  const auto rule = std::find_if(rules.begin(), rules.end(),
                                 [&](const ContraindicationRule& r) { return flag == r.flag; });
  if (rule == rules.end()) return;  // parse_profile accepts only known flags
  const FlagEffect effect = kind == DeviceKind::inversion ? rule->inversion : rule->traction;
  const std::string why = "profile " + profile.name + ": " + flag + " (" + rule->why + ")";
  switch (effect) {
    case FlagEffect::none:
      break;
    case FlagEffect::no_inversion:
      tighten(set, "max_target", std::max(0.0, home), why + ": no inversion past horizontal");
      break;
    case FlagEffect::low_force:
      if (profile.body_mass_kg) {
        const double cap_n = kLowForceFractionBw * *profile.body_mass_kg * kStandardGravity;
        tighten(set, "max_target", std::max(cap_n, home),
                why + ": force cap " + number_text(kLowForceFractionBw) + " x body weight");
      } else {
        tighten(set, "max_target", home,
                why +
                    ": traction refused because the profile has no body_mass_kg to set a low "
                    "force cap");
      }
      break;
    case FlagEffect::refuse_traction:
      tighten(set, "max_target", home, why + ": traction refused");
      break;
  }
}

}  // namespace

LimitSet profile_limit_set(const Profile& profile, DeviceKind kind, double home) {
  LimitSet set = profile.limit_overrides;
  set.level = LimitLevel::profile;
  set.default_reason = "profile " + profile.name + ": limits override";
  for (const auto& [key, value] : set.values) {
    if (set.reason.count(key) == 0) set.reason[key] = set.default_reason;
  }
  const std::string who = "profile " + profile.name;

  if (kind == DeviceKind::inversion && profile.max_inversion_deg) {
    tighten(set, "max_target", *profile.max_inversion_deg,
            who + ": max_inversion_deg " + number_text(*profile.max_inversion_deg));
  }
  if (kind == DeviceKind::traction && profile.body_mass_kg) {
    const double cap_n = profile.force_cap_fraction_bw * *profile.body_mass_kg * kStandardGravity;
    tighten(set, "max_target", std::max(cap_n, home),
            who + ": force cap " + number_text(profile.force_cap_fraction_bw) + " x body weight (" +
                number_text(*profile.body_mass_kg) + " kg)");
    // Below a fifth of body weight the spine rests: time there relieves the hold cap.
    const double rest_n = kHoldCapFractionBw * *profile.body_mass_kg * kStandardGravity;
    tighten(set, "hold_cap_above", std::max(rest_n, home),
            who + ": " + number_text(kHoldCapFractionBw) + " x body weight (" +
                number_text(*profile.body_mass_kg) + " kg)");
  }
  for (const auto& flag : profile.contraindications) apply_flag(set, profile, flag, kind, home);
  return set;
}

nlohmann::json Profile::to_json() const {
  nlohmann::json out = {{"name", name},
                        {"force_cap_fraction_bw", force_cap_fraction_bw},
                        {"contraindications", contraindications},
                        {"notes", notes}};
  out["body_mass_kg"] = body_mass_kg ? nlohmann::json(*body_mass_kg) : nlohmann::json(nullptr);
  out["max_inversion_deg"] =
      max_inversion_deg ? nlohmann::json(*max_inversion_deg) : nlohmann::json(nullptr);
  out["limits"] = nlohmann::json(limit_overrides.values);
  return out;
}

}  // namespace traction
