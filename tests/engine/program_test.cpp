// SPDX-License-Identifier: Apache-2.0
// Program model and expansion: every mode expands into its documented phase sequence and timing.
#include "daemon/engine/program.hpp"

#include <gtest/gtest.h>

#include "daemon/engine/limits.hpp"
#include "daemon/engine/program_expand.hpp"

namespace traction {
namespace {

using nlohmann::json;

EffectiveLimits limits_of(DeviceKind kind) {
  const json device =
      kind == DeviceKind::inversion
          ? json{{"min_target", -20.0}, {"max_target", 60.0},    {"home", 0.0},
                 {"max_rate_up", 10.0}, {"max_rate_down", 12.0}, {"max_accel", 20.0},
                 {"max_jerk", 80.0},    {"tolerance", 1.5},      {"release_rate_stop", 6.0}}
          : json{{"min_target", 0.0},   {"max_target", 900.0},   {"home", 15.0},
                 {"max_rate_up", 60.0}, {"max_rate_down", 90.0}, {"max_accel", 120.0},
                 {"max_jerk", 500.0},   {"tolerance", 25.0},     {"release_rate_stop", 45.0}};
  ObjectReader reader(device, "device.json", "/limits");
  return merge_limits(kind, {parse_limit_set(reader, LimitLevel::device, kind)});
}

Plan expand(const json& definition, DeviceKind kind = DeviceKind::inversion,
            const Profile* profile = nullptr) {
  const ProgramDefinition p = parse_program(definition, "request", "/definition", true);
  return expand_program(p, kind, limits_of(kind), profile);
}

json inversion(json body) {
  body["kinds"] = {"inversion"};
  return body;
}

json traction(json body) {
  body["kinds"] = {"traction"};
  return body;
}

std::string kinds_of(const Plan& plan) {
  std::string out;
  for (const auto& p : plan.phases) out += std::string(out.empty() ? "" : " ") + to_string(p.kind);
  return out;
}

std::vector<double> targets_of(const Plan& plan) {
  std::vector<double> out;
  for (const auto& p : plan.phases) out.push_back(p.target);
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ProgramExpand, static_is_ramp_hold_release_with_ramps_at_their_rates) {
  const Plan plan = expand(inversion({{"mode", "static"},
                                      {"target", 15},
                                      {"hold_seconds", 5},
                                      {"rate_up", 5},
                                      {"release_rate", 5}}));
  EXPECT_EQ(kinds_of(plan), "ramp hold release");
  EXPECT_EQ(targets_of(plan), (std::vector<double>{15, 15, 0}));
  EXPECT_DOUBLE_EQ(plan.total_seconds, 3 + 5 + 3);
  EXPECT_EQ(plan.phases[1].label, "hold 15° for 5 s");
}

TEST(ProgramExpand, intermittent_rests_between_holds_and_releases_after_the_last) {
  const Plan plan = expand(inversion({{"mode", "intermittent"},
                                      {"hold_target", 20},
                                      {"hold_seconds", 20},
                                      {"rest_target", 0},
                                      {"rest_seconds", 10},
                                      {"cycles", 3},
                                      {"rate_up", 5},
                                      {"rate_down", 5}}));
  EXPECT_EQ(kinds_of(plan), "ramp hold ramp rest ramp hold ramp rest ramp hold release");
  EXPECT_EQ(plan.repetitions, 3);
  EXPECT_EQ(plan.phases[4].repetition, 2);
  // 3 x (4 s up + 20 s hold) + 2 x (4 s down + 10 s rest) + 20° released at 6 deg/s.
  EXPECT_NEAR(plan.total_seconds, 3 * 24 + 2 * 14 + 20.0 / 6.0, 1e-9);
}

TEST(ProgramExpand, progressive_steps_evenly_from_start_to_end) {
  const Plan plan = expand(inversion({{"mode", "progressive"},
                                      {"start_target", 10},
                                      {"end_target", 40},
                                      {"steps", 4},
                                      {"hold_seconds", 30},
                                      {"rate_up", 5}}));
  EXPECT_EQ(kinds_of(plan), "ramp hold ramp hold ramp hold ramp hold release");
  EXPECT_EQ(targets_of(plan), (std::vector<double>{10, 10, 20, 20, 30, 30, 40, 40, 0}));
  EXPECT_NEAR(plan.total_seconds, 4 * (2 + 30) + 40.0 / 6.0, 1e-9);
}

TEST(ProgramExpand, progressive_with_rest_fraction_drops_between_steps_relative_to_home) {
  const Plan plan = expand(traction({{"mode", "progressive"},
                                     {"start_target", 215},
                                     {"end_target", 415},
                                     {"steps", 2},
                                     {"hold_seconds", 10},
                                     {"rest_seconds", 5},
                                     {"rest_fraction", 0.5}}),
                           DeviceKind::traction);
  EXPECT_EQ(kinds_of(plan), "pretension ramp hold ramp rest ramp hold release");
  EXPECT_DOUBLE_EQ(plan.phases[3].target, 15 + 0.5 * (215 - 15));
}

TEST(ProgramExpand, regressive_steps_down) {
  const Plan plan = expand(inversion({{"mode", "regressive"},
                                      {"start_target", 30},
                                      {"end_target", 10},
                                      {"steps", 3},
                                      {"hold_seconds", 10}}));
  EXPECT_EQ(targets_of(plan), (std::vector<double>{30, 30, 20, 20, 10, 10, 0}));
}

TEST(ProgramExpand, when_a_regressive_program_rises_expect_the_path_and_rule) {
  const std::string e = error_of([] {
    expand(inversion({{"mode", "regressive"},
                      {"start_target", 10},
                      {"end_target", 30},
                      {"steps", 3},
                      {"hold_seconds", 10}}));
  });
  EXPECT_NE(
      e.find("request: at /definition/end_target: a regressive program's end_target 30° must be "
             "below its start_target 10°"),
      std::string::npos)
      << e;
}

TEST(ProgramExpand, cyclic_rates_follow_the_ramp_times) {
  const Plan plan = expand(traction({{"mode", "cyclic"},
                                     {"low_target", 100},
                                     {"high_target", 300},
                                     {"ramp_up_seconds", 10},
                                     {"ramp_down_seconds", 5},
                                     {"cycles", 2}}),
                           DeviceKind::traction);
  EXPECT_EQ(kinds_of(plan), "pretension ramp ramp ramp ramp ramp release");
  EXPECT_DOUBLE_EQ(plan.phases[2].rate, 20.0);
  EXPECT_DOUBLE_EQ(plan.phases[3].rate, 40.0);
  // slack take-up 10 N at 5 N/s + 1 s, to low at the default half rate (30 N/s), 2 x (10 + 5),
  // release 85 N at 45 N/s.
  EXPECT_NEAR(plan.total_seconds, 2 + 1 + 75.0 / 30.0 + 30 + 85.0 / 45.0, 1e-9);
}

TEST(ProgramExpand, steps_repeat_with_repetition_numbers_and_custom_labels) {
  const Plan plan =
      expand(inversion({{"mode", "steps"},
                        {"repeat", 2},
                        {"phases",
                         {{{"kind", "ramp"}, {"target", 10}, {"rate", 2}, {"label", "tilt"}},
                          {{"kind", "hold"}, {"seconds", 5}},
                          {{"kind", "ramp"}, {"target", 0}},
                          {{"kind", "rest"}, {"seconds", 5}}}}}));
  EXPECT_EQ(kinds_of(plan), "ramp hold ramp rest ramp hold ramp rest release");
  EXPECT_EQ(plan.phases[0].label, "tilt");
  EXPECT_EQ(plan.phases[4].repetition, 2);
  EXPECT_NEAR(plan.total_seconds, 2 * (5 + 5 + 10.0 / 6.0 + 5), 1e-9);
}

TEST(ProgramExpand, when_a_steps_rest_is_not_below_the_hold_expect_the_path) {
  const std::string e = error_of([] {
    expand(inversion({{"mode", "steps"},
                      {"phases",
                       {{{"kind", "ramp"}, {"target", 10}},
                        {{"kind", "hold"}, {"seconds", 5}},
                        {{"kind", "rest"}, {"seconds", 5}}}}}));
  });
  EXPECT_NE(e.find("at /definition/phases/2: a rest at 10° must be below the hold before it"),
            std::string::npos)
      << e;
}

// The time of a shaped rise, by stepping its speed law in 1 ms steps.
double stepped_shaped_seconds(double distance, double rate) {
  double remaining = distance;
  double t = 0.0;
  for (; remaining > 0.0; t += 1e-3) remaining -= shaped_speed(remaining, rate) * 1e-3;
  return t;
}

TEST(ProgramExpand, a_shaped_rise_takes_the_time_of_its_speed_law) {
  for (const auto& [distance, rate] : {std::pair{200.0, 20.0},
                                       {100.0, 20.0},
                                       {10.0, 20.0},
                                       {3.0, 20.0},
                                       {165.0, 30.0},
                                       {20.0, 5.0}}) {
    EXPECT_NEAR(shaped_move_seconds(distance, rate), stepped_shaped_seconds(distance, rate), 2e-3)
        << distance << " at " << rate;
  }
  EXPECT_DOUBLE_EQ(shaped_speed(1000.0, 20.0), 20.0);  // far: the peak rate
  EXPECT_DOUBLE_EQ(shaped_speed(40.0, 20.0), 10.0);    // nearer: remaining / 4 s
  EXPECT_DOUBLE_EQ(shaped_speed(1.0, 20.0), 4.0);      // at the end: a fifth of the rate
}

TEST(ProgramExpand, shaped_rise_shapes_the_rising_ramps_and_leaves_the_fall_linear) {
  const Plan plan = expand(traction({{"mode", "intermittent"},
                                     {"hold_target", 215},
                                     {"hold_seconds", 10},
                                     {"rest_target", 115},
                                     {"rest_seconds", 10},
                                     {"cycles", 2},
                                     {"rate_up", 20},
                                     {"rate_down", 20},
                                     {"shaped_rise", true}}),
                           DeviceKind::traction);
  EXPECT_FALSE(plan.phases[0].shaped);  // the slack take-up
  EXPECT_TRUE(plan.phases[1].shaped);
  EXPECT_FALSE(plan.phases[3].shaped);
  EXPECT_TRUE(plan.phases[5].shaped);
  EXPECT_NEAR(plan.total_seconds,
              3 + shaped_move_seconds(190, 20) + 10 + 5 + 10 + shaped_move_seconds(100, 20) + 10 +
                  200.0 / 45.0,
              1e-9);
}

TEST(ProgramExpand, pretension_comes_first_and_dwells) {
  const Plan plan =
      expand(traction({{"mode", "static"},
                       {"target", 215},
                       {"hold_seconds", 10},
                       {"rate_up", 20},
                       {"pretension", {{"target", 35}, {"rate", 10}, {"seconds", 4}}}}),
             DeviceKind::traction);
  EXPECT_EQ(kinds_of(plan), "pretension ramp hold release");
  EXPECT_NEAR(plan.total_seconds, 2 + 4 + 9 + 10 + 200.0 / 45.0, 1e-9);
}

TEST(ProgramExpand, a_traction_plan_without_pretension_begins_with_a_slow_slack_take_up) {
  const Plan plan = expand(traction({{"mode", "static"}, {"target", 100}, {"hold_seconds", 5}}),
                           DeviceKind::traction);
  EXPECT_EQ(kinds_of(plan), "pretension ramp hold release");
  EXPECT_DOUBLE_EQ(plan.phases[0].target, 25.0);  // home 15 N + 10 N
  EXPECT_DOUBLE_EQ(plan.phases[0].rate, 5.0);
  EXPECT_DOUBLE_EQ(plan.phases[0].seconds, 1.0);
  EXPECT_EQ(plan.phases[0].label, "slack take-up to 25 N");
  // 10 N at 5 N/s, 1 s, 75 N at 30 N/s, 5 s, release 85 N at 45 N/s.
  EXPECT_NEAR(plan.total_seconds, 2 + 1 + 75.0 / 30.0 + 5 + 85.0 / 45.0, 1e-9);
}

TEST(ProgramExpand, a_slack_take_up_stops_half_way_to_a_first_target_near_home) {
  const Plan plan = expand(traction({{"mode", "static"}, {"target", 21}, {"hold_seconds", 5}}),
                           DeviceKind::traction);
  EXPECT_EQ(kinds_of(plan), "pretension ramp hold release");
  EXPECT_DOUBLE_EQ(plan.phases[0].target, 18.0);
}

TEST(ProgramExpand, a_declared_pretension_or_a_table_gets_no_slack_take_up) {
  const Plan own = expand(traction({{"mode", "static"},
                                    {"target", 100},
                                    {"hold_seconds", 5},
                                    {"pretension", {{"target", 40}, {"rate", 8}}}}),
                          DeviceKind::traction);
  EXPECT_EQ(kinds_of(own), "pretension ramp hold release");
  EXPECT_DOUBLE_EQ(own.phases[0].target, 40.0);
  EXPECT_EQ(own.phases[0].label, "pre-tension 40 N");
  const Plan table = expand(inversion({{"mode", "static"}, {"target", 15}, {"hold_seconds", 5}}));
  EXPECT_EQ(kinds_of(table), "ramp hold release");
}

TEST(ProgramExpand, when_pretension_is_not_below_the_first_target_expect_the_path) {
  const std::string e = error_of([] {
    expand(traction({{"mode", "static"},
                     {"target", 30},
                     {"hold_seconds", 10},
                     {"pretension", {{"target", 40}, {"rate", 10}}}}),
           DeviceKind::traction);
  });
  EXPECT_NE(
      e.find("/definition/pretension/target: pre-tension 40 N must be below the first target 30 N"),
      std::string::npos)
      << e;
}

TEST(ProgramExpand, recovery_rests_at_a_low_level_before_the_release) {
  const Plan plan = expand(traction({{"mode", "static"},
                                     {"target", 215},
                                     {"hold_seconds", 60},
                                     {"recovery", {{"target", 80}, {"seconds", 30}}}}),
                           DeviceKind::traction);
  EXPECT_EQ(kinds_of(plan), "pretension ramp hold ramp rest release");
  EXPECT_EQ(plan.phases[4].label, "recovery at 80 N for 30 s");
}

TEST(ProgramExpand, fraction_bw_targets_resolve_with_the_profile_mass) {
  Profile p;
  p.name = "ann";
  p.body_mass_kg = 70.0;
  const Plan plan = expand(
      traction({{"mode", "static"}, {"target", {{"fraction_bw", 0.3}}}, {"hold_seconds", 10}}),
      DeviceKind::traction, &p);
  EXPECT_NEAR(plan.phases[1].target, 0.3 * 70 * kStandardGravity, 1e-9);
  EXPECT_EQ(plan.profile, "ann");
}

TEST(ProgramExpand, when_fraction_bw_has_no_profile_expect_the_path_and_what_to_do) {
  const std::string e = error_of([] {
    expand(traction({{"mode", "static"}, {"target", {{"fraction_bw", 0.3}}}, {"hold_seconds", 10}}),
           DeviceKind::traction);
  });
  EXPECT_NE(e.find("at /definition/target: a fraction_bw target needs a profile with body_mass_kg"),
            std::string::npos)
      << e;
}

TEST(ProgramExpand, default_rates_are_half_the_effective_maximum) {
  const Plan plan = expand(inversion({{"mode", "static"}, {"target", 20}, {"hold_seconds", 5}}));
  EXPECT_DOUBLE_EQ(plan.phases[0].rate, 5.0);
  EXPECT_DOUBLE_EQ(plan.phases[2].rate, 6.0);  // release: release_rate_stop
}

TEST(ProgramExpand, a_hold_at_home_needs_no_ramp_and_still_ends_with_a_release) {
  const Plan plan = expand(inversion({{"mode", "static"}, {"target", 0}, {"hold_seconds", 180}}));
  EXPECT_EQ(kinds_of(plan), "hold release");
  EXPECT_DOUBLE_EQ(plan.total_seconds, 180.0);
}

TEST(ProgramExpand, when_a_program_has_no_variant_for_the_device_expect_the_kinds_it_supports) {
  const std::string e = error_of([] {
    expand(inversion({{"mode", "static"}, {"target", 10}, {"hold_seconds", 5}}),
           DeviceKind::traction);
  });
  EXPECT_NE(e.find("has no traction variant (it supports: [\"inversion\"])"), std::string::npos)
      << e;
}

TEST(ProgramParse, when_a_key_is_misspelt_expect_the_path_and_did_you_mean) {
  const std::string e = error_of([] {
    parse_program(
        inversion({{"mode", "static"}, {"target", 10}, {"hold_seconds", 5}, {"shaped_rize", true}}),
        "request", "/definition", true);
  });
  EXPECT_NE(e.find("request: at /definition/shaped_rize: unknown key \"shaped_rize\" (did you mean "
                   "\"shaped_rise\"?)"),
            std::string::npos)
      << e;
}

TEST(ProgramParse, when_the_mode_is_unknown_expect_the_list_and_did_you_mean) {
  const std::string e = error_of([] {
    parse_program(inversion({{"mode", "statik"}}), "request", "/definition", true);
  });
  EXPECT_NE(e.find("/definition/mode: value \"statik\" is not one of: static, intermittent"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("(did you mean \"static\"?)"), std::string::npos) << e;
}

TEST(ProgramParse, when_a_hold_is_negative_expect_the_value_and_the_range) {
  const std::string e = error_of([] {
    parse_program(inversion({{"mode", "static"}, {"target", 10}, {"hold_seconds", -5}}), "request",
                  "/definition", true);
  });
  EXPECT_NE(e.find("/definition/hold_seconds: value -5 is outside the allowed range [0, 3600]"),
            std::string::npos)
      << e;
}

TEST(ProgramParse, when_pretension_is_asked_of_a_table_expect_a_refusal_with_the_path) {
  const std::string e = error_of([] {
    parse_program(inversion({{"mode", "static"},
                             {"target", 10},
                             {"hold_seconds", 5},
                             {"pretension", {{"target", 5}, {"rate", 1}}}}),
                  "request", "/definition", true);
  });
  EXPECT_NE(
      e.find(
          "/definition/pretension: pre-tension (slack take-up) applies to traction benches only"),
      std::string::npos)
      << e;
}

TEST(ProgramParse, when_a_table_target_is_a_fraction_of_body_weight_expect_a_refusal) {
  const std::string e = error_of([] {
    parse_program(
        inversion({{"mode", "static"}, {"target", {{"fraction_bw", 0.2}}}, {"hold_seconds", 5}}),
        "request", "/definition", true);
  });
  EXPECT_NE(e.find("/definition/target: fraction_bw targets apply to traction benches only"),
            std::string::npos)
      << e;
}

TEST(ProgramParse, when_variants_and_a_top_level_mode_are_mixed_expect_a_refusal) {
  const std::string e = error_of([] {
    parse_program({{"name", "x"}, {"mode", "static"}, {"variants", json::object()}}, "request", "",
                  true);
  });
  EXPECT_NE(e.find("a program has either \"variants\" or a top-level \"mode\""), std::string::npos)
      << e;
}

TEST(ProgramParse, when_a_program_file_lacks_a_description_expect_it_required) {
  const std::string e = error_of([] {
    parse_program(inversion({{"name", "x"},
                             {"guidance", "g"},
                             {"mode", "static"},
                             {"target", 1},
                             {"hold_seconds", 1}}),
                  "x.json");
  });
  EXPECT_NE(e.find("x.json: at /description: is required but missing"), std::string::npos) << e;
}

TEST(ProgramParse, variants_give_one_variant_per_kind_with_its_own_guidance) {
  const ProgramDefinition p = parse_program(
      {{"name", "two"},
       {"description", "d"},
       {"guidance", "top"},
       {"variants",
        {{"inversion",
          {{"mode", "static"}, {"target", 10}, {"hold_seconds", 5}, {"guidance", "own"}}},
         {"traction", {{"mode", "static"}, {"target", 100}, {"hold_seconds", 5}}}}}},
      "two.json");
  EXPECT_EQ(p.kinds(), (std::vector<std::string>{"inversion", "traction"}));
  EXPECT_EQ(p.variant_guidance.at(DeviceKind::inversion), "own");
}

}  // namespace
}  // namespace traction
