// SPDX-License-Identifier: Apache-2.0
// `tractionctl show`: a program's plan as a table of phases, its total, and the limits binding it.
#include "cli/plan_text.hpp"

#include <gtest/gtest.h>

#include "cli/text_table.hpp"

namespace traction::client {
namespace {

using nlohmann::json;

json phase(int index, const char* kind, double target, double rate, double seconds, int rep,
           bool shaped = false) {
  return {{"index", index},     {"kind", kind},      {"target", target}, {"rate", rate},
          {"seconds", seconds}, {"repetition", rep}, {"shaped", shaped}, {"label", "-"}};
}

// quick-check's plan on the simulated table, as program.get sends it (limits trimmed to those
// shown).
json quick_check_plan() {
  const std::string device = "device file ../../config/devices/sim-inversion.json";
  return {{"kind", "inversion"},
          {"unit", "deg"},
          {"profile", ""},
          {"total_seconds", 11.0},
          {"phases",
           {phase(0, "ramp", 15, 5, 0, 1), phase(1, "hold", 15, 0, 5, 1),
            phase(2, "release", 0, 5, 0, 0)}},
          {"limits",
           {{"home", 0.0},
            {"min_target", -20.0},
            {"max_target", 45.0},
            {"max_rate_up", 10.0},
            {"max_rate_down", 12.0},
            {"hold_cap_above", 30.0},
            {"max_hold_seconds", 120.0},
            {"min_rest_seconds", 5.0},
            {"max_session_seconds", 1200.0},
            {"reason",
             {{"min_target", device},
              {"max_target", "site limits in inversion.json"},
              {"max_rate_up", device},
              {"max_rate_down", device},
              {"max_hold_seconds", "built-in default"},
              {"min_rest_seconds", "built-in default"},
              {"max_session_seconds", "built-in default"}}}}}};
}

TEST(DisplayWidth, when_text_has_a_degree_sign_expect_it_counted_once) {
  EXPECT_EQ(display_width("15°"), 3U);
  EXPECT_EQ(render_table({{"a", "b"}, {"15°", "x"}}, "  "), "  a    b\n  15°  x\n");
}

TEST(PhasesText, when_quick_check_expect_a_row_per_phase_with_units_and_the_total) {
  EXPECT_EQ(phases_text(quick_check_plan()),
            "  #  kind     target  rate   seconds  rep\n"
            "  1  ramp     15°     5 °/s  ~3       1\n"
            "  2  hold     15°            5        1\n"
            "  3  release  0°      5 °/s  ~3\n"
            "total: 0:11 (11 s)\n");
}

TEST(PhasesText, when_a_bench_rises_shaped_expect_newtons_and_no_guessed_time) {
  json plan = {
      {"unit", "N"},
      {"total_seconds", 20.5},
      {"limits", {{"home", 20.0}}},
      {"phases", {phase(0, "pretension", 40, 10, 5, 0), phase(1, "ramp", 200, 20, 0, 1, true)}}};
  EXPECT_EQ(phases_text(plan),
            "  #  kind        target  rate           seconds  rep\n"
            "  1  pretension  40 N    10 N/s         ~2 + 5\n"
            "  2  ramp        200 N   20 N/s shaped           1\n"
            "total: 0:21 (20.5 s)\n");
}

TEST(BindingLimitsText, when_quick_check_expect_use_limit_and_who_set_it) {
  EXPECT_EQ(binding_limits_text(quick_check_plan()),
            "  limit                plan   limit   set by\n"
            "  highest target       15°    45°     site limits in inversion.json\n"
            "  lowest target        0°     -20°    device file "
            "../../config/devices/sim-inversion.json\n"
            "  rate away from home  5 °/s  10 °/s  device file "
            "../../config/devices/sim-inversion.json\n"
            "  rate towards home    5 °/s  12 °/s  device file "
            "../../config/devices/sim-inversion.json\n"
            "  hold above 30°       -      120 s   built-in default\n"
            "  rest (at least)      -      5 s     built-in default\n"
            "  session              11 s   1200 s  built-in default\n");
}

TEST(ProgramText, when_program_has_a_plan_expect_description_guidance_source_plan_and_limits) {
  const json program = {
      {"name", "quick-check"},       {"description", "A short check."},
      {"guidance", "Start gently."}, {"source", "../../config/programs/quick-check.json"},
      {"plan", quick_check_plan()},  {"violations", json::array()}};
  const std::string text = program_text(program);
  EXPECT_EQ(text.rfind("quick-check: A short check.\nguidance: Start gently.\n"
                       "source:   ../../config/programs/quick-check.json\n\n"
                       "plan on the inversion device (no profile):\n",
                       0),
            0U)
      << text;
  EXPECT_NE(text.find(phases_text(quick_check_plan()) + "\neffective limits:\n" +
                      binding_limits_text(quick_check_plan())),
            std::string::npos)
      << text;
}

TEST(ProgramText, when_refused_without_a_profile_expect_each_violation) {
  json program = {{"name", "p"},
                  {"plan", quick_check_plan()},
                  {"violations", {{{"message", "phase 1 (ramp to 15°): target above 0°"}}}}};
  EXPECT_NE(program_text(program).find(
                "refused without a profile:\n  - phase 1 (ramp to 15°): target above 0°\n"),
            std::string::npos);
  program["plan"] = nullptr;
  program["error"] = "needs a profile";
  EXPECT_NE(program_text(program).find("no plan: needs a profile\n"), std::string::npos);
}

}  // namespace
}  // namespace traction::client
