// SPDX-License-Identifier: Apache-2.0
// Validation before anything moves: every rule, every level, every violation at once.
#include "daemon/engine/validate.hpp"

#include <gtest/gtest.h>

#include "daemon/engine/limits.hpp"
#include "daemon/engine/profile.hpp"
#include "daemon/engine/program_expand.hpp"

namespace traction {
namespace {

using nlohmann::json;

const json kTable = {{"min_target", -20.0}, {"max_target", 60.0},    {"home", 0.0},
                     {"max_rate_up", 10.0}, {"max_rate_down", 12.0}, {"max_accel", 20.0},
                     {"max_jerk", 80.0},    {"tolerance", 1.5},      {"release_rate_stop", 6.0}};
const json kBench = {{"min_target", 0.0},   {"max_target", 900.0},   {"home", 15.0},
                     {"max_rate_up", 60.0}, {"max_rate_down", 90.0}, {"max_accel", 120.0},
                     {"max_jerk", 500.0},   {"tolerance", 25.0},     {"release_rate_stop", 45.0}};

LimitSet level(const json& j, LimitLevel which, DeviceKind kind) {
  ObjectReader reader(j, "cfg.json", "/limits");
  LimitSet set = parse_limit_set(reader, which, kind);
  set.default_reason = std::string(to_string(which)) + " limits";
  return set;
}

// Limits of a table (or bench) with optional site and profile levels.
EffectiveLimits limits(DeviceKind kind = DeviceKind::inversion, const json& site = json::object(),
                       const json& profile = json()) {
  const json& device = kind == DeviceKind::inversion ? kTable : kBench;
  std::vector<LimitSet> levels = {level(device, LimitLevel::device, kind),
                                  level(site, LimitLevel::site, kind)};
  if (!profile.is_null()) {
    const Profile p = parse_profile(profile, "cfg.json", "/profiles/0", kind);
    levels.push_back(profile_limit_set(p, kind, device["home"]));
  }
  return merge_limits(kind, levels);
}

std::vector<Violation> check(json definition, const EffectiveLimits& l,
                             DeviceKind kind = DeviceKind::inversion) {
  definition["kinds"] = {to_string(kind)};
  const ProgramDefinition p = parse_program(definition, "request", "/definition", true);
  return check_plan(expand_program(p, kind, l, nullptr));
}

json static_at(double target, double hold_seconds, double rate_up = 5.0) {
  return {
      {"mode", "static"}, {"target", target}, {"hold_seconds", hold_seconds}, {"rate_up", rate_up}};
}

TEST(Validate, when_the_program_is_within_every_limit_expect_no_violation) {
  EXPECT_TRUE(check(static_at(20, 20), limits()).empty());
}

TEST(Validate, when_a_target_is_above_the_device_maximum_expect_a_device_violation) {
  const auto v = check(static_at(70, 5), limits());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].phase, 0);
  EXPECT_EQ(v[0].field, "target");
  EXPECT_EQ(v[0].value, 70.0);
  EXPECT_EQ(v[0].limit, 60.0);
  EXPECT_EQ(v[0].level, "device");
  EXPECT_NE(v[0].message.find("phase 1 (ramp to 70°): target 70° is above the maximum 60"),
            std::string::npos)
      << v[0].message;
}

TEST(Validate, when_a_target_is_below_the_minimum_expect_a_min_target_violation) {
  const auto v = check(static_at(-30, 5), limits());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].limit, -20.0);
  EXPECT_NE(v[0].message.find("below the minimum"), std::string::npos);
}

TEST(Validate, when_a_rise_is_faster_than_max_rate_up_expect_a_rate_violation) {
  const auto v = check(static_at(20, 5, 11.0), limits());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "rate");
  EXPECT_EQ(v[0].limit, 10.0);
}

TEST(Validate, when_a_return_is_faster_than_max_rate_down_expect_a_rate_violation) {
  const auto v = check({{"mode", "intermittent"},
                        {"hold_target", 20},
                        {"hold_seconds", 5},
                        {"rest_target", 0},
                        {"rest_seconds", 10},
                        {"cycles", 2},
                        {"rate_down", 13}},
                       limits());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].phase, 2);
  EXPECT_EQ(v[0].limit, 12.0);
}

TEST(Validate, when_the_release_is_faster_than_release_rate_stop_expect_a_release_violation) {
  json d = static_at(20, 5);
  d["release_rate"] = 8.0;
  const auto v = check(d, limits());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "release_rate");
  EXPECT_EQ(v[0].limit, 6.0);
}

TEST(Validate, when_a_hold_past_30_deg_is_longer_than_120_s_expect_a_default_level_violation) {
  const auto v = check(static_at(35, 121), limits());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "hold_seconds");
  EXPECT_EQ(v[0].level, "default");
  EXPECT_EQ(v[0].limit, 120.0);
}

TEST(Validate, when_a_long_hold_stays_below_30_deg_with_its_settle_band_expect_no_hold_violation) {
  // The settle band (half the 1.5° tolerance) stays below 30°: no second counts.
  EXPECT_TRUE(check(static_at(29, 600), limits()).empty());
}

TEST(Validate, when_a_hold_at_30_deg_may_settle_beyond_it_expect_its_time_counted) {
  const auto v = check(static_at(30, 600), limits());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "hold_seconds");
  EXPECT_GE(v[0].value, 600.0);
}

TEST(Validate, when_a_traction_hold_is_longer_than_90_s_expect_a_violation) {
  const auto v = check(static_at(170, 91, 20), limits(DeviceKind::traction), DeviceKind::traction);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "hold_seconds");
  EXPECT_EQ(v[0].limit, 90.0);
}

TEST(Validate, when_holds_follow_each_other_without_rest_expect_their_seconds_added) {
  const auto v = check({{"mode", "progressive"},
                        {"start_target", 35},
                        {"end_target", 45},
                        {"steps", 3},
                        {"hold_seconds", 50}},
                       limits());
  ASSERT_EQ(v.size(), 1u);
  // 150 s of holds, plus the moves beyond 30° with their acceleration and settle allowances.
  EXPECT_GT(v[0].value, 150.0);
  EXPECT_LT(v[0].value, 200.0);
  EXPECT_EQ(v[0].phase, 0);  // the ramp that first goes beyond 30°
}

TEST(Validate, when_a_rest_separates_holds_expect_each_hold_counted_alone) {
  EXPECT_TRUE(check({{"mode", "intermittent"},
                     {"hold_target", 40},
                     {"hold_seconds", 100},
                     {"rest_target", 0},
                     {"rest_seconds", 30},
                     {"cycles", 2}},
                    limits())
                  .empty());
}

TEST(Validate, when_a_rest_stays_near_the_hold_level_expect_it_refused_and_counted_as_hold_time) {
  // 45° holds with "rests" at 40°: no relief. The rest is refused, and 100 + 10 + 100 s (with
  // the moves between) is one continuous stretch.
  const auto v = check({{"mode", "intermittent"},
                        {"hold_target", 45},
                        {"hold_seconds", 100},
                        {"rest_target", 40},
                        {"rest_seconds", 10},
                        {"cycles", 2}},
                       limits());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].field, "target") << "the rest does not relieve: " << v[0].message;
  EXPECT_EQ(v[1].field, "hold_seconds");
  EXPECT_GE(v[1].value, 210.0);
}

TEST(Validate, when_traction_rests_drop_below_the_cap_level_expect_each_hold_counted_alone) {
  // 75 kg: the cap level is 20 % of body weight, 147 N. 215 N holds, rests at 115 N: relief.
  EXPECT_TRUE(
      check({{"mode", "intermittent"},
             {"hold_target", 215},
             {"hold_seconds", 50},
             {"rest_target", 115},
             {"rest_seconds", 10},
             {"cycles", 3},
             {"rate_up", 20}},
            limits(DeviceKind::traction, json::object(), {{"name", "ann"}, {"body_mass_kg", 75}}),
            DeviceKind::traction)
          .empty());
}

TEST(Validate, when_a_rest_after_a_hold_is_shorter_than_min_rest_expect_a_site_violation) {
  const auto v = check({{"mode", "intermittent"},
                        {"hold_target", 20},
                        {"hold_seconds", 10},
                        {"rest_target", 0},
                        {"rest_seconds", 10},
                        {"cycles", 2}},
                       limits(DeviceKind::inversion, {{"min_rest_seconds", 15.0}}));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "rest_seconds");
  EXPECT_EQ(v[0].level, "site");
  EXPECT_EQ(v[0].limit, 15.0);
}

TEST(Validate, when_the_session_is_longer_than_the_cap_expect_a_whole_plan_violation) {
  const auto v = check(static_at(0, 1300), limits());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].phase, -1);
  EXPECT_EQ(v[0].field, "total_seconds");
  EXPECT_TRUE(v[0].to_json()["phase"].is_null());
}

TEST(Validate, when_a_profile_caps_the_angle_expect_a_profile_violation_naming_the_flag) {
  const auto v =
      check(static_at(20, 10), limits(DeviceKind::inversion, json::object(),
                                      {{"name", "ann"}, {"contraindications", {"hypertension"}}}));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].level, "profile");
  EXPECT_EQ(v[0].limit, 0.0);
  EXPECT_NE(v[0].message.find("profile ann: hypertension"), std::string::npos) << v[0].message;
}

TEST(Validate, when_many_rules_are_broken_expect_every_violation_at_once_with_its_level) {
  // Too steep for the profile, too fast for the site, held too long by default, too long overall.
  const auto v = check({{"mode", "intermittent"},
                        {"hold_target", 50},
                        {"hold_seconds", 200},
                        {"rest_target", 0},
                        {"rest_seconds", 2},
                        {"cycles", 6},
                        {"rate_up", 8}},
                       limits(DeviceKind::inversion, {{"max_rate_up", 6.0}},
                              {{"name", "bo"}, {"max_inversion_deg", 40}}));
  std::map<std::string, std::set<std::string>> levels_by_field;
  for (const auto& x : v) levels_by_field[x.field].insert(x.level);
  EXPECT_EQ(levels_by_field["target"], std::set<std::string>{"profile"});
  EXPECT_EQ(levels_by_field["rate"], std::set<std::string>{"site"});
  EXPECT_EQ(levels_by_field["hold_seconds"], std::set<std::string>{"default"});
  EXPECT_EQ(levels_by_field["rest_seconds"], std::set<std::string>{"default"});
  EXPECT_EQ(levels_by_field["total_seconds"], std::set<std::string>{"default"});
  EXPECT_EQ(v.size(), 6u * 3 + 5 + 1);  // per cycle: target, rate, hold; 5 short rests; session
}

TEST(Validate, a_shaped_rise_is_checked_at_its_peak_rate) {
  json d = static_at(200, 10, 61.0);
  d["shaped_rise"] = true;
  const auto v = check(d, limits(DeviceKind::traction), DeviceKind::traction);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "rate");
}

}  // namespace
}  // namespace traction
