// SPDX-License-Identifier: Apache-2.0
// Limits at three levels and profiles: the most restrictive value wins and names its level.
#include "daemon/engine/limits.hpp"

#include <gtest/gtest.h>

#include "daemon/engine/profile.hpp"

namespace traction {
namespace {

using nlohmann::json;

json table_device() {
  return {{"min_target", -20.0},   {"max_target", 60.0}, {"home", 0.0},      {"max_rate_up", 10.0},
          {"max_rate_down", 12.0}, {"max_accel", 20.0},  {"max_jerk", 80.0}, {"tolerance", 1.5}};
}

json bench_device() {
  return {{"min_target", 0.0},   {"max_target", 900.0},   {"home", 15.0},
          {"max_rate_up", 60.0}, {"max_rate_down", 90.0}, {"max_accel", 120.0},
          {"max_jerk", 500.0},   {"tolerance", 25.0}};
}

LimitSet level(const json& j, LimitLevel which, DeviceKind kind = DeviceKind::inversion) {
  ObjectReader reader(j, "test.json", "/limits");
  LimitSet set = parse_limit_set(reader, which, kind);
  set.default_reason = std::string(to_string(which)) + " test";
  return set;
}

EffectiveLimits merge(const json& site, DeviceKind kind = DeviceKind::inversion) {
  const json device = kind == DeviceKind::inversion ? table_device() : bench_device();
  return merge_limits(
      kind, {level(device, LimitLevel::device, kind), level(site, LimitLevel::site, kind)});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

Profile profile(const json& j, DeviceKind kind) {
  return parse_profile(j, "daemon.json", "/profiles/0", kind);
}

EffectiveLimits with_profile(const json& p, DeviceKind kind) {
  const json device = kind == DeviceKind::inversion ? table_device() : bench_device();
  const double home = device["home"];
  return merge_limits(kind, {level(device, LimitLevel::device, kind),
                             profile_limit_set(profile(p, kind), kind, home)});
}

TEST(Limits, when_only_the_device_is_given_expect_its_values_and_the_documented_defaults) {
  const EffectiveLimits l = merge(json::object());
  EXPECT_EQ(l.max_rate_up, 10.0);
  EXPECT_EQ(l.source.at("max_rate_up"), "device");
  EXPECT_EQ(l.max_hold_seconds, 120.0);
  EXPECT_EQ(l.hold_cap_above, 30.0);
  EXPECT_EQ(l.max_session_seconds, 1200.0);
  EXPECT_EQ(l.release_rate_stop, 6.0);  // half of max_rate_down
  EXPECT_EQ(l.source.at("max_hold_seconds"), "default");
}

TEST(Limits, when_the_device_is_a_bench_expect_a_90_s_hold_cap_beyond_90_N) {
  const EffectiveLimits l = merge(json::object(), DeviceKind::traction);
  EXPECT_EQ(l.max_hold_seconds, 90.0) << "a 60 s pull with its ramps and settling";
  EXPECT_EQ(l.hold_cap_above, 90.0) << "half the first-session cap";
}

TEST(Limits, when_a_bench_profile_has_a_body_mass_expect_the_hold_cap_at_a_fifth_of_body_weight) {
  const EffectiveLimits l =
      with_profile({{"name", "p"}, {"body_mass_kg", 70}}, DeviceKind::traction);
  EXPECT_NEAR(l.hold_cap_above, 0.2 * 70 * kStandardGravity, 1e-9);
  EXPECT_EQ(l.source.at("hold_cap_above"), "profile");
}

TEST(Limits, when_the_site_is_stricter_expect_the_site_value_and_level) {
  const EffectiveLimits l = merge({{"max_rate_up", 4.0}, {"max_target", 45.0}});
  EXPECT_EQ(l.max_rate_up, 4.0);
  EXPECT_EQ(l.source.at("max_rate_up"), "site");
  EXPECT_EQ(l.max_target, 45.0);
  EXPECT_EQ(l.reason.at("max_target"), "site test");
}

TEST(Limits, when_the_site_is_looser_expect_the_device_value_to_stand) {
  const EffectiveLimits l = merge({{"max_rate_up", 50.0}, {"min_target", -60.0}});
  EXPECT_EQ(l.max_rate_up, 10.0);
  EXPECT_EQ(l.source.at("max_rate_up"), "device");
  EXPECT_EQ(l.min_target, -20.0);
}

TEST(Limits, when_the_site_sets_a_time_cap_expect_it_to_replace_the_default_even_if_longer) {
  const EffectiveLimits l = merge({{"max_session_seconds", 1800.0}});
  EXPECT_EQ(l.max_session_seconds, 1800.0);
  EXPECT_EQ(l.source.at("max_session_seconds"), "site");
}

TEST(Limits, when_min_rest_is_set_at_two_levels_expect_the_longer_rest) {
  const LimitSet device = level(
      [] {
        json d = table_device();
        d["min_rest_seconds"] = 8.0;
        return d;
      }(),
      LimitLevel::device);
  const EffectiveLimits l = merge_limits(
      DeviceKind::inversion, {device, level({{"min_rest_seconds", 20.0}}, LimitLevel::site)});
  EXPECT_EQ(l.min_rest_seconds, 20.0);
  EXPECT_EQ(l.source.at("min_rest_seconds"), "site");
}

TEST(Limits,
     when_a_release_rate_exceeds_max_rate_down_expect_it_capped_and_credited_to_that_level) {
  const EffectiveLimits l = merge({{"max_rate_down", 3.0}, {"release_rate_fault", 50.0}});
  EXPECT_EQ(l.release_rate_fault, 3.0);
  EXPECT_EQ(l.release_rate_patient, 3.0);
  EXPECT_EQ(l.source.at("release_rate_fault"), "site");
}

TEST(Limits, when_the_site_sets_home_expect_an_error_naming_the_path) {
  const std::string e = error_of([] { merge({{"home", 5.0}}); });
  EXPECT_NE(e.find("test.json: at /limits/home: only the device file may set"), std::string::npos)
      << e;
}

TEST(Limits, when_the_device_misses_a_required_key_expect_an_error_naming_it) {
  json d = table_device();
  d.erase("max_jerk");
  const std::string e = error_of([&] { level(d, LimitLevel::device); });
  EXPECT_NE(e.find("/limits/max_jerk: is required"), std::string::npos) << e;
}

TEST(Limits, when_a_key_is_misspelt_expect_did_you_mean) {
  const std::string e = error_of([] { merge({{"max_rate_upp", 4.0}}); });
  EXPECT_NE(e.find("unknown key \"max_rate_upp\" (did you mean \"max_rate_up\"?)"),
            std::string::npos)
      << e;
}

TEST(Limits, when_a_value_is_out_of_range_expect_the_value_and_the_range) {
  const std::string e = error_of([] { merge({{"max_rate_up", -1.0}}); });
  EXPECT_NE(e.find("/limits/max_rate_up: value -1 is outside the allowed range"), std::string::npos)
      << e;
}

TEST(Limits, when_the_site_puts_max_target_below_home_expect_an_error) {
  const std::string e = error_of([] { merge({{"max_target", -5.0}}); });
  EXPECT_NE(e.find("home 0 is outside the effective range"), std::string::npos) << e;
}

TEST(Profile, when_glaucoma_on_a_table_expect_no_inversion_past_horizontal_with_the_reason) {
  const EffectiveLimits l =
      with_profile({{"name", "ann"}, {"contraindications", {"glaucoma"}}}, DeviceKind::inversion);
  EXPECT_EQ(l.max_target, 0.0);
  EXPECT_EQ(l.source.at("max_target"), "profile");
  EXPECT_NE(l.reason.at("max_target").find("profile ann: glaucoma"), std::string::npos);
  EXPECT_NE(l.reason.at("max_target").find("no inversion past horizontal"), std::string::npos);
}

TEST(Profile, when_glaucoma_on_a_bench_expect_the_force_range_unchanged) {
  const EffectiveLimits l =
      with_profile({{"name", "ann"}, {"contraindications", {"glaucoma"}}}, DeviceKind::traction);
  EXPECT_EQ(l.max_target, 900.0);
}

TEST(Profile, when_osteoporosis_on_a_bench_expect_traction_refused) {
  const EffectiveLimits l =
      with_profile({{"name", "bo"}, {"body_mass_kg", 70}, {"contraindications", {"osteoporosis"}}},
                   DeviceKind::traction);
  EXPECT_EQ(l.max_target, 15.0);  // the home force: nothing above the floor
  EXPECT_NE(l.reason.at("max_target").find("traction refused"), std::string::npos);
}

TEST(Profile, when_spinal_fracture_on_a_table_expect_no_inversion_past_horizontal) {
  const EffectiveLimits l = with_profile(
      {{"name", "cy"}, {"contraindications", {"spinal_fracture"}}}, DeviceKind::inversion);
  EXPECT_EQ(l.max_target, 0.0);
}

TEST(Profile, when_a_body_mass_is_given_expect_a_cap_at_half_body_weight) {
  const EffectiveLimits l =
      with_profile({{"name", "di"}, {"body_mass_kg", 80}}, DeviceKind::traction);
  EXPECT_NEAR(l.max_target, 0.5 * 80 * kStandardGravity, 1e-9);
}

TEST(Profile, when_the_force_cap_fraction_is_lower_expect_it_applied) {
  const EffectiveLimits l = with_profile(
      {{"name", "di"}, {"body_mass_kg", 80}, {"force_cap_fraction_bw", 0.3}}, DeviceKind::traction);
  EXPECT_NEAR(l.max_target, 0.3 * 80 * kStandardGravity, 1e-9);
}

TEST(Profile, when_heart_condition_on_a_bench_expect_a_quarter_body_weight_cap) {
  const EffectiveLimits l = with_profile(
      {{"name", "ed"}, {"body_mass_kg", 60}, {"contraindications", {"heart_condition"}}},
      DeviceKind::traction);
  EXPECT_NEAR(l.max_target, kLowForceFractionBw * 60 * kStandardGravity, 1e-9);
}

TEST(Profile, when_a_caution_flag_has_no_body_mass_expect_traction_refused) {
  const EffectiveLimits l =
      with_profile({{"name", "fa"}, {"contraindications", {"pregnancy"}}}, DeviceKind::traction);
  EXPECT_EQ(l.max_target, 15.0);
}

TEST(Profile, when_max_inversion_deg_is_given_expect_it_as_max_target) {
  const EffectiveLimits l =
      with_profile({{"name", "gu"}, {"max_inversion_deg", 25}}, DeviceKind::inversion);
  EXPECT_EQ(l.max_target, 25.0);
  EXPECT_EQ(l.source.at("max_target"), "profile");
}

TEST(Profile, when_overrides_are_given_expect_them_as_the_profile_level) {
  const EffectiveLimits l =
      with_profile({{"name", "ho"}, {"limits", {{"max_rate_up", 2.0}, {"min_rest_seconds", 30.0}}}},
                   DeviceKind::inversion);
  EXPECT_EQ(l.max_rate_up, 2.0);
  EXPECT_EQ(l.min_rest_seconds, 30.0);
  EXPECT_EQ(l.source.at("min_rest_seconds"), "profile");
}

TEST(Profile, when_a_flag_is_misspelt_expect_did_you_mean_with_the_path) {
  const std::string e = error_of([] {
    profile({{"name", "x"}, {"contraindications", {"glaukoma"}}}, DeviceKind::inversion);
  });
  EXPECT_NE(
      e.find("daemon.json: at /profiles/0/contraindications/0: \"glaukoma\" is not a known value "
             "(did you mean \"glaucoma\"?)"),
      std::string::npos)
      << e;
}

TEST(Profile, every_flag_on_either_kind_tightens_or_keeps_every_limit) {
  for (const auto& rule : contraindication_rules()) {
    for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction}) {
      const EffectiveLimits base = with_profile({{"name", "p"}, {"body_mass_kg", 70}}, kind);
      const EffectiveLimits l = with_profile(
          {{"name", "p"}, {"body_mass_kg", 70}, {"contraindications", {rule.flag}}}, kind);
      for (const auto& key : limit_keys()) {
        EXPECT_TRUE(at_least_as_strict(key, limit_value(l, key), limit_value(base, key)))
            << rule.flag << " " << key;
      }
    }
  }
}

}  // namespace
}  // namespace traction
