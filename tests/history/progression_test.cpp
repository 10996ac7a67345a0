// SPDX-License-Identifier: Apache-2.0
// Progression through the real catalog and built-in programs (docs/programs.md "Progression"):
// the documented parameter paths, the caps, and the steps back; and the same path when the
// sessions come from the history database.
#include "daemon/engine/progression.hpp"

#include <gtest/gtest.h>

#include "core/utc_time.hpp"
#include "daemon/engine/catalog.hpp"
#include "daemon/history/history_store.hpp"
#include "drivers/device_file.hpp"
#include "tests/engine/sim_fixtures.hpp"
#include "tests/history/history_test_support.hpp"

namespace traction {
namespace {

using nlohmann::json;
using std::chrono::hours;

const auto kDay0 = *parse_utc("2026-03-02T08:00:00.000Z");

std::shared_ptr<const Catalog> catalog_for(const std::string& device_file) {
  auto catalog = Catalog::load(engine_test::sim_catalog_config(
      device_file,
      json::array({{{"name", "ann"}, {"body_mass_kg", 62}, {"max_inversion_deg", 52}}})));
  EXPECT_TRUE(catalog.ok()) << catalog.status().message();
  return *catalog;
}

PastSession past(int day, Outcome outcome, std::optional<int> before = std::nullopt,
                 std::optional<int> after = std::nullopt) {
  static int n = 0;
  return PastSession{"p" + std::to_string(++n), kDay0 + hours(24 * day), outcome, before, after};
}

// The plan of the next session, planned on the day after the last one (or on day 0).
std::shared_ptr<const Plan> plan_after(const Catalog& catalog, const json& params,
                                       const std::vector<PastSession>& history) {
  ProgressionHistory h{history, history.empty() ? kDay0 : history.back().started + hours(24)};
  std::shared_ptr<const Plan> plan;
  const auto error = catalog.make_plan(plan_request(params), plan, h);
  EXPECT_FALSE(error.has_value()) << (error ? error->message : "");
  return plan;
}

// The seconds of the plan's first hold.
double hold_seconds(const Plan& plan) {
  for (const Phase& p : plan.phases) {
    if (p.kind == PhaseKind::hold) return p.seconds;
  }
  return -1.0;
}

// The farthest target of the plan.
double top_target(const Plan& plan) {
  double top = plan.limits.home;
  for (const Phase& p : plan.phases) top = std::max(top, p.target);
  return top;
}

TEST(Progression, press_up_series_adds_2_s_per_completed_session_up_to_30_s) {
  const auto catalog = catalog_for("sim-inversion.json");
  const json params = {{"program", "press-up-series"}};
  std::vector<PastSession> history;
  std::vector<double> path;
  for (int session = 0; session < 13; ++session) {
    const auto plan = plan_after(*catalog, params, history);
    ASSERT_TRUE(plan);
    path.push_back(hold_seconds(*plan));
    EXPECT_LE(hold_seconds(*plan), plan->limits.max_hold_seconds);
    history.push_back(past(session, Outcome::completed));
  }
  const std::vector<double> documented = {10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 30, 30};
  EXPECT_EQ(path, documented);
}

TEST(Progression, a_stop_switch_session_steps_back_one_step_even_from_the_cap) {
  const auto catalog = catalog_for("sim-inversion.json");
  const json params = {{"program", "press-up-series"}};
  std::vector<PastSession> history;
  for (int day = 0; day < 15; ++day) history.push_back(past(day, Outcome::completed));
  EXPECT_EQ(hold_seconds(*plan_after(*catalog, params, history)), 30.0);
  history.push_back(past(15, Outcome::stop_switch));
  EXPECT_EQ(hold_seconds(*plan_after(*catalog, params, history)), 28.0);
  history.push_back(past(16, Outcome::completed));
  EXPECT_EQ(hold_seconds(*plan_after(*catalog, params, history)), 30.0);
}

TEST(Progression, worse_comfort_steps_back_and_other_endings_change_nothing) {
  const auto catalog = catalog_for("sim-inversion.json");
  const json params = {{"program", "press-up-series"}};
  std::vector<PastSession> history = {past(0, Outcome::completed), past(1, Outcome::completed),
                                      past(2, Outcome::completed)};
  EXPECT_EQ(hold_seconds(*plan_after(*catalog, params, history)), 16.0);
  history.push_back(past(3, Outcome::completed, 7, 4));  // felt worse after
  EXPECT_EQ(hold_seconds(*plan_after(*catalog, params, history)), 14.0);
  history.push_back(past(4, Outcome::completed, 5, 5));  // same comfort: a step up
  EXPECT_EQ(hold_seconds(*plan_after(*catalog, params, history)), 16.0);
  for (Outcome o : {Outcome::stopped, Outcome::estopped, Outcome::faulted, Outcome::interrupted}) {
    history.push_back(past(5, o));
  }
  EXPECT_EQ(hold_seconds(*plan_after(*catalog, params, history)), 16.0);
  const auto plan = plan_after(*catalog, params, history);
  EXPECT_EQ(plan->progression["rules"][0]["level"], 3);
  EXPECT_EQ(plan->progression["sessions_considered"], history.size());
}

TEST(Progression, progressive_inversion_adds_5_deg_per_week_up_to_the_profile_cap) {
  const auto catalog = catalog_for("sim-inversion.json");
  const json params = {{"program", "progressive-inversion"}, {"profile", "ann"}};
  std::vector<PastSession> history;
  std::vector<double> weekly;  // the top angle offered at the start of each week
  for (int day = 0; day < 35; ++day) {
    const auto plan = plan_after(*catalog, params, history);
    ASSERT_TRUE(plan);
    EXPECT_LE(top_target(*plan), plan->limits.max_target);
    if (day % 7 == 0) weekly.push_back(top_target(*plan));
    history.push_back(past(day, Outcome::completed));
  }
  // 40 in the first week, +5 each week, capped by ann's 52 deg (the last step reaches the cap).
  EXPECT_EQ(weekly, (std::vector<double>{40, 45, 50, 52, 52}));
  history.push_back(past(35, Outcome::stop_switch));
  EXPECT_EQ(top_target(*plan_after(*catalog, params, history)), 50.0);
}

TEST(Progression, without_a_profile_the_device_limit_caps_the_angle) {
  const auto catalog = catalog_for("sim-inversion.json");
  const json params = {{"program", "progressive-inversion"}};
  std::vector<PastSession> history;
  for (int week = 0; week < 10; ++week) history.push_back(past(7 * week, Outcome::completed));
  const auto plan = plan_after(*catalog, params, history);
  EXPECT_EQ(top_target(*plan), plan->limits.max_target);
}

TEST(Progression, the_next_session_is_derived_from_the_sessions_in_the_database) {
  history::testing::TempDir dir;
  history::HistoryStore store(dir.db());
  const auto catalog = catalog_for("sim-inversion.json");
  const json params = {{"program", "press-up-series"}};
  const std::vector<std::pair<std::string, std::optional<int>>> sessions = {
      {"completed", std::nullopt},
      {"completed", std::nullopt},
      {"stop_switch", std::nullopt},
      {"completed", std::nullopt},
      {"completed", 2}};  // the last felt worse (5 before)
  int i = 0;
  for (const auto& [outcome, after] : sessions) {
    const std::string id = "h" + std::to_string(++i);
    const std::string day = format_utc(kDay0 + hours(24 * i));
    store.begin_session({id, "press-up-series", "", day, json::object(), json::object(), nullptr});
    store.end_session({id, day, outcome, "test", std::nullopt});
    if (after) store.feedback(id, {5, after, std::nullopt});
  }
  store.begin_session({"other", "press-up-series", "ann", format_utc(kDay0), json::object(),
                       json::object(), nullptr});
  store.end_session({"other", format_utc(kDay0), "completed", "", std::nullopt});
  const auto history = store.past_sessions("press-up-series", "");
  ASSERT_EQ(history.size(), 5U) << "another profile's sessions do not count";
  // +1 +1 -1 +1, then the worse comfort steps back: level 1.
  EXPECT_EQ(hold_seconds(*plan_after(*catalog, params, history)), 12.0);
}

TEST(Progression, a_rule_on_a_parameter_the_mode_lacks_is_refused_with_its_path) {
  const json definition = {{"kinds", {"inversion"}},
                           {"mode", "static"},
                           {"target", 20},
                           {"hold_seconds", 20},
                           {"progression", {{"rules", {{{"parameter", "cycles"}, {"add", 1}}}}}}};
  try {
    parse_program(definition, "request", "/definition", true);
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/definition/progression/rules/0/parameter"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace traction
