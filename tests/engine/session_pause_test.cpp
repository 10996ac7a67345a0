// SPDX-License-Identifier: Apache-2.0
// Pause and resume through the session controller and the simulator's physics (simulated clock):
// a pause waits at the plan's rest level (never further from home than where it was), a resume
// continues the program smoothly with the hold time already served, and a pause longer than
// max_pause_seconds ends the session with a normal release.
#include <gtest/gtest.h>

#include "tests/engine/controller_rig.hpp"
#include "tests/engine/setpoint_profile.hpp"

namespace traction {
namespace {

using engine_test::ControllerRig;
using nlohmann::json;

constexpr double kPeriod = 0.01;

std::shared_ptr<const Plan> table_plan(const json& definition) {
  const auto catalog = engine_test::sim_catalog(DeviceKind::inversion);
  json d = definition;
  d["kinds"] = {"inversion"};
  return catalog ? engine_test::plan_for(*catalog, {{"definition", d}}) : nullptr;
}

// Hold 20° for 20 s, rest at 5° for 10 s, twice.
std::shared_ptr<const Plan> intermittent_with_rest_at_5() {
  return table_plan({{"mode", "intermittent"},
                     {"hold_target", 20},
                     {"hold_seconds", 20},
                     {"rest_target", 5},
                     {"rest_seconds", 10},
                     {"cycles", 2}});
}

bool in_phase(ControllerRig& rig, PhaseKind kind) {
  const auto s = rig.controller().snapshot(rig.now());
  return s.session && std::string(s.session->phase_kind) == to_string(kind);
}

engine_test::SetpointProfile setpoints(const ControllerRig& rig) {
  engine_test::SetpointProfile p;
  p.dt = kPeriod;
  for (const auto& c : rig.trace()) p.p.push_back(c.setpoint);
  return p;
}

TEST(SessionPause, plan_rest_level_is_its_rest_closest_to_home_or_home_without_rests) {
  EXPECT_DOUBLE_EQ(intermittent_with_rest_at_5()->rest_level(), 5.0);
  EXPECT_DOUBLE_EQ(
      table_plan({{"mode", "static"}, {"target", 15}, {"hold_seconds", 5}})->rest_level(), 0.0);
  const auto progressive = table_plan({{"mode", "progressive"},
                                       {"start_target", 10},
                                       {"end_target", 30},
                                       {"steps", 3},
                                       {"hold_seconds", 5},
                                       {"rest_seconds", 5},
                                       {"rest_fraction", 0.5}});
  EXPECT_DOUBLE_EQ(progressive->rest_level(), 5.0) << "half of the first step";
}

TEST(SessionPause,
     pause_during_a_hold_waits_at_the_rest_level_and_resume_finishes_the_hold_smoothly) {
  const auto plan = intermittent_with_rest_at_5();
  ControllerRig rig(DeviceKind::inversion, plan->limits);
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return in_phase(rig, PhaseKind::hold); }, 30));
  rig.run_for(8.0);  // 8 s of the 20 s hold served
  const double hold_level = rig.controller().snapshot(rig.now()).setpoint;
  ASSERT_NEAR(hold_level, 20.0, 1e-9);
  const double paused_at = rig.time();
  ASSERT_FALSE(rig.command(CommandKind::pause).error);
  EXPECT_EQ(rig.state(), DaemonState::paused);

  // It goes down to the rest level at no more than the stop release rate, and stays there.
  rig.run_for(30.0);
  EXPECT_EQ(rig.state(), DaemonState::paused);
  EXPECT_NEAR(rig.controller().snapshot(rig.now()).setpoint, 5.0, 1e-9);
  EXPECT_NEAR(rig.device().axis(), 5.0, 0.1) << "ground truth at the rest level";
  const auto down = setpoints(rig);
  EXPECT_LE(down.max_speed(), plan->limits.release_rate_stop * 1.001);

  // Resume: back up to the hold, then the 12 s left of it, then the rest of the program.
  const std::size_t resumed_cycle = rig.trace().size();
  ASSERT_FALSE(rig.command(CommandKind::resume).error);
  const double resumed_at = rig.time();
  ASSERT_TRUE(rig.run_until([&] { return !in_phase(rig, PhaseKind::hold); }, 60));
  const double back_up = 15.0 / 5.0;  // 15° at the plan's 5 deg/s
  EXPECT_NEAR(rig.time() - resumed_at, back_up + 12.0, 1.0) << "served hold time is kept";
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 120));
  EXPECT_EQ(rig.last_outcome(), "completed");
  EXPECT_GT(resumed_at - paused_at, 29.0);

  const auto all = setpoints(rig);
  EXPECT_LE(all.max_accel(), plan->limits.max_accel * 1.001)
      << "no step anywhere, pause and resume included";
  EXPECT_LE(all.max_jerk(), plan->limits.max_jerk * 1.001);
  EXPECT_LT(all.max_landing_dv(), engine_test::kLandingSpeed);
  for (std::size_t i = resumed_cycle; i < rig.trace().size(); ++i) {
    ASSERT_LE(rig.trace()[i].truth, 20.0 + plan->limits.tolerance);
  }
}

TEST(SessionPause, a_plan_without_rests_pauses_at_home) {
  const auto plan = table_plan({{"mode", "static"}, {"target", 15}, {"hold_seconds", 30}});
  ControllerRig rig(DeviceKind::inversion, plan->limits);
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return in_phase(rig, PhaseKind::hold); }, 30));
  ASSERT_FALSE(rig.command(CommandKind::pause).error);
  rig.run_for(10.0);
  EXPECT_EQ(rig.state(), DaemonState::paused);
  EXPECT_TRUE(rig.at_home_and_at_rest(0.0, 0.05));
}

TEST(SessionPause, pause_while_rising_below_the_rest_level_stops_there_and_never_rises) {
  const auto plan = intermittent_with_rest_at_5();
  ControllerRig rig(DeviceKind::inversion, plan->limits);
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.device().axis() > 2.0; }, 10));
  ASSERT_FALSE(rig.command(CommandKind::pause).error);
  const double paused_setpoint = rig.controller().snapshot(rig.now()).setpoint;
  ASSERT_LT(paused_setpoint, 5.0);
  rig.run_for(10.0);
  double peak = 0.0;
  for (const auto& c : rig.trace()) peak = std::max(peak, c.truth);
  EXPECT_LT(peak, 5.0) << "a pause never moves towards the rest level from below it";
  const double stopped_at = rig.controller().snapshot(rig.now()).setpoint;
  EXPECT_GE(stopped_at, paused_setpoint) << "it brakes to a stop without turning back";
  EXPECT_NEAR(rig.device().axis(), stopped_at, 0.05);
}

TEST(SessionPause, a_pause_longer_than_max_pause_seconds_stops_the_session_with_a_normal_release) {
  auto limited = std::make_shared<Plan>(*intermittent_with_rest_at_5());
  limited->limits.max_pause_seconds = 20.0;
  limited->limits.release_rate_stop = 4.0;
  ControllerRig rig(DeviceKind::inversion, limited->limits);
  ASSERT_FALSE(rig.command(CommandKind::start, limited).error);
  ASSERT_TRUE(rig.run_until([&] { return in_phase(rig, PhaseKind::hold); }, 30));
  ASSERT_FALSE(rig.command(CommandKind::pause).error);
  const double paused_at = rig.time();
  ASSERT_TRUE(rig.run_until([&] { return rig.state() != DaemonState::paused; }, 60));
  EXPECT_NEAR(rig.time() - paused_at, 20.0, 2 * kPeriod);
  EXPECT_EQ(rig.state(), DaemonState::stopping);
  EXPECT_EQ(rig.last_outcome(), "stopped");
  std::string reason;
  for (const Event& e : rig.events()) {
    if (e.kind == EventKind::session_ended) reason = e.reason;
  }
  EXPECT_NE(reason.find("maximum pause of 20 s"), std::string::npos) << reason;
  rig.clear_trace();
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 30));
  EXPECT_TRUE(rig.at_home_and_at_rest(0.0, 0.1));
  EXPECT_LE(setpoints(rig).max_speed(), 4.0 * 1.001) << "released at release_rate_stop";
}

TEST(SessionPause, paused_time_does_not_count_towards_max_session_seconds) {
  auto tight = std::make_shared<Plan>(*intermittent_with_rest_at_5());
  tight->limits.max_session_seconds = tight->total_seconds + 5.0;
  ControllerRig rig(DeviceKind::inversion, tight->limits);
  ASSERT_FALSE(rig.command(CommandKind::start, tight).error);
  ASSERT_TRUE(rig.run_until([&] { return in_phase(rig, PhaseKind::rest); }, 60));
  ASSERT_FALSE(rig.command(CommandKind::pause).error);
  rig.run_for(60.0);
  ASSERT_FALSE(rig.command(CommandKind::resume).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 120));
  EXPECT_EQ(rig.last_outcome(), "completed") << rig.first_fault_rule();
}

TEST(SessionPause, pause_and_resume_are_refused_without_a_matching_session) {
  const auto plan = intermittent_with_rest_at_5();
  ControllerRig rig(DeviceKind::inversion, plan->limits);
  const auto pause = rig.command(CommandKind::pause);
  ASSERT_TRUE(pause.error);
  EXPECT_EQ(pause.error->reason, reason::kNoSession);
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  const auto resume = rig.command(CommandKind::resume);
  ASSERT_TRUE(resume.error);
  EXPECT_EQ(resume.error->reason, reason::kNoSession);
}

}  // namespace
}  // namespace traction
