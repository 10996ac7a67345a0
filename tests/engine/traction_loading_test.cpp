// SPDX-License-Identifier: Apache-2.0
// Findings of the fault matrix, checked on the simulator's physics with a simulated clock: no
// built-in traction program loads the person faster than the bench's rate limit (slack take-up,
// docs/programs.md), a plan that validates just under the session cap completes on both kinds
// (the duration bound), and a reading stuck short of its target ends in settle_timeout, not at the
// session cap (docs/safety.md).
#include <gtest/gtest.h>

#include "daemon/engine/program_expand.hpp"
#include "tests/engine/controller_rig.hpp"

namespace traction {
namespace {

using engine_test::ControllerRig;
using nlohmann::json;

// Margin on max_rate_up for the measured loading rate: the force loop's lag behind a ramp.
constexpr double kRateMargin = 1.1;
// The loading rate is measured on the ground truth over this window (the drive's own rate filter
// is 20 ms; a 0.1 s window reads like a real load cell's rate).
constexpr int kRateWindowCycles = 10;

// Runs `plan` to its end; the fastest rise of the true force while the person is loaded (more than
// half the tolerance above home), over kRateWindowCycles.
double fastest_loading(ControllerRig& rig, const std::shared_ptr<const Plan>& plan) {
  EXPECT_FALSE(rig.command(CommandKind::start, plan).error);
  rig.run_until([&] { return !rig.in_session(); }, 2000);
  EXPECT_EQ(rig.last_outcome(), "completed") << plan->program << ": " << rig.first_fault_rule();
  const auto& trace = rig.trace();
  const double loaded = plan->limits.home + 0.5 * plan->limits.tolerance;
  double fastest = 0.0;
  for (std::size_t i = kRateWindowCycles; i < trace.size(); ++i) {
    const engine_test::CycleRecord& a = trace[i - kRateWindowCycles];
    const engine_test::CycleRecord& b = trace[i];
    if (b.truth > loaded) fastest = std::max(fastest, (b.truth - a.truth) / (b.t - a.t));
  }
  return fastest;
}

TEST(TractionLoading, no_builtin_traction_program_loads_faster_than_max_rate_up) {
  const json profiles = json::array({{{"name", "dee"}, {"body_mass_kg", 75}}});
  const auto catalog = engine_test::sim_catalog(DeviceKind::traction, profiles);
  ASSERT_TRUE(catalog);
  int ran = 0;
  for (const auto& entry : catalog->program_list()) {
    json params = {{"program", entry["name"]}};
    if (entry["needs_profile"].get<bool>()) params["profile"] = "dee";
    const auto plan = engine_test::plan_for(*catalog, params);
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->phases.front().kind, PhaseKind::pretension) << entry["name"];
    ControllerRig rig(DeviceKind::traction, plan->limits);
    EXPECT_LE(fastest_loading(rig, plan), kRateMargin * plan->limits.max_rate_up) << entry["name"];
    ++ran;
  }
  EXPECT_EQ(ran, 4) << "quick-check, backblock-hold, intermittent-traction, press-up-series";
}

// A site that raises the first-session force cap explicitly, for pulls past 180 N without a
// profile.
const json kHeavySite = {{"max_force_without_body_mass", 900}};

TEST(TractionLoading, a_first_ramp_without_slack_take_up_loads_too_fast_and_the_monitor_says_so) {
  // What the slack take-up prevents: the plan without it (built by hand, as an older daemon made
  // it), a fast first ramp. The setpoint runs ahead while the rope is slack, then the force
  // catches up faster than the limit, and rate_exceeded ends the session.
  const auto catalog = engine_test::sim_catalog(DeviceKind::traction, json::array(), kHeavySite);
  ASSERT_TRUE(catalog);
  auto plan = std::make_shared<Plan>(*engine_test::plan_for(*catalog, {{"definition",
                                                                        {{"kinds", {"traction"}},
                                                                         {"mode", "static"},
                                                                         {"target", 300},
                                                                         {"rate_up", 60},
                                                                         {"hold_seconds", 5}}}}));
  ASSERT_EQ(plan->phases.front().kind, PhaseKind::pretension);
  plan->phases.erase(plan->phases.begin());
  ControllerRig rig(DeviceKind::traction, plan->limits);
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  rig.run_until([&] { return !rig.in_session(); }, 60);
  EXPECT_EQ(rig.first_fault_rule(), "rate_exceeded");
  EXPECT_EQ(rig.last_outcome(), "faulted");
}

// A plan of `kind` whose duration bound is just under the session cap: `cycles` intermittent
// cycles, the hold time chosen to fill the cap.
std::shared_ptr<const Plan> just_under_the_cap(const Catalog& catalog, DeviceKind kind) {
  const bool table = kind == DeviceKind::inversion;
  json d = {{"kinds", {to_string(kind)}},
            {"mode", "intermittent"},
            {"hold_target", table ? 20 : 200},
            {"rest_target", table ? 5 : 60},
            {"rest_seconds", 10},
            {"cycles", 20},
            {"hold_seconds", 10}};
  const auto probe = engine_test::plan_for(catalog, {{"definition", d}});
  if (!probe) return nullptr;
  const double spare = probe->limits.max_session_seconds - probe->duration_bound();
  d["hold_seconds"] = 10 + std::floor(spare / 20 * 10) / 10 - 0.1;
  return engine_test::plan_for(catalog, {{"definition", d}});
}

TEST(TractionLoading, a_plan_that_validates_just_under_the_cap_completes_on_both_kinds) {
  for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction}) {
    const auto catalog = engine_test::sim_catalog(
        kind, json::array(), kind == DeviceKind::traction ? kHeavySite : json::object());
    ASSERT_TRUE(catalog);
    const auto plan = just_under_the_cap(*catalog, kind);
    ASSERT_TRUE(plan);
    const double cap = plan->limits.max_session_seconds;
    EXPECT_GT(plan->duration_bound(), cap - 5.0) << "just under the cap";
    EXPECT_LE(plan->duration_bound(), cap);
    ControllerRig rig(kind, plan->limits);
    ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
    const double started = rig.time();
    rig.run_until([&] { return !rig.in_session(); }, cap + 60);
    EXPECT_EQ(rig.last_outcome(), "completed") << to_string(kind) << ": " << rig.first_fault_rule();
    EXPECT_LE(rig.time() - started, plan->duration_bound()) << to_string(kind);
  }
}

TEST(TractionLoading, a_plan_whose_bound_passes_the_cap_is_refused_though_its_estimate_fits) {
  const auto catalog = engine_test::sim_catalog(DeviceKind::traction, json::array(), kHeavySite);
  ASSERT_TRUE(catalog);
  const auto fits = just_under_the_cap(*catalog, DeviceKind::traction);
  ASSERT_TRUE(fits);
  json d = fits->phases.empty() ? json()
                                : json{{"kinds", {"traction"}},
                                       {"mode", "intermittent"},
                                       {"hold_target", 200},
                                       {"rest_target", 60},
                                       {"rest_seconds", 10},
                                       {"cycles", 20},
                                       {"hold_seconds", fits->phases[2].seconds + 1.0}};
  std::shared_ptr<const Plan> plan;
  const auto error = catalog->make_plan(plan_request({{"definition", d}}), plan);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, reason::kLimitExceeded);
  EXPECT_NE(error->message.find("may take up to"), std::string::npos) << error->message;
}

TEST(TractionLoading, a_reading_stuck_short_of_its_target_faults_as_settle_timeout) {
  for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction}) {
    const auto catalog = engine_test::sim_catalog(kind);
    ASSERT_TRUE(catalog);
    const auto plan = engine_test::plan_for(*catalog, {{"program", "quick-check"}});
    ASSERT_TRUE(plan);
    const Phase& ramp = plan->phases[kind == DeviceKind::traction ? 1 : 0];
    ControllerRig rig(kind, plan->limits);
    ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
    // Stick the sensor on the ramp, 1.2 settle bands short of its target: inside the tracking
    // band, so only the settle rule can see it.
    const double stick_at = ramp.target - 1.2 * settle_band(plan->limits);
    ASSERT_TRUE(rig.run_until([&] { return rig.trace().back().actual >= stick_at; }, 60));
    rig.device().sensors().stick(600);
    const double stuck = rig.time();
    rig.run_until([&] { return !rig.in_session(); }, 60);
    EXPECT_EQ(rig.first_fault_rule(), "settle_timeout") << to_string(kind);
    EXPECT_EQ(rig.last_outcome(), "faulted");
    EXPECT_LE(rig.time() - stuck, kSettleTimeoutSeconds + 2.0) << "not at the session cap";
    // Released at the fault rate, home.
    EXPECT_TRUE(rig.run_until(
        [&] { return rig.at_home_and_at_rest(plan->limits.home, settle_band(plan->limits)); }, 30))
        << to_string(kind);
  }
}

}  // namespace
}  // namespace traction
