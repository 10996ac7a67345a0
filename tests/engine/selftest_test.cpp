// SPDX-License-Identifier: Apache-2.0
// The commissioning self-test on the simulator's physics with a simulated clock: it passes on both
// devices with the switch pressed when asked; a watchdog that never trips, a switch not wired to
// the drive, nobody pressing, a reading scaled wrong or with the wrong sign, each fail it at the
// step they concern, with the figure; an estop or a stop ends it with the axis brought home; the
// site's require_selftest_days refuses session.start until a recent self-test has passed.
#include <gtest/gtest.h>

#include "daemon/engine/home.hpp"
#include "tests/engine/controller_rig.hpp"

namespace traction::engine_test {
namespace {

constexpr std::uint16_t kCommLoss = 0x8130;  // the simulator's communication-loss fault

ControllerOptions selftest_options(double require_days = 0.0) {
  ControllerOptions o;
  o.release.comm_loss_fault_code = kCommLoss;
  o.selftest.watchdog_timeout_ms = static_cast<int>(ControllerRig::kWatchdogMs);
  o.selftest.comm_loss_fault_code = kCommLoss;
  o.require_selftest_days = require_days;
  return o;
}

EffectiveLimits device_limits(DeviceKind kind) {
  auto limits = sim_catalog(kind)->limits_for("");
  EXPECT_TRUE(limits.ok());
  return *limits;
}

struct SelfTestRun {
  bool ended = false;
  nlohmann::json result;  // the selftest_ended event's data
  std::string summary;
  double max_excursion = 0.0;  // ground truth, from home
};

// Starts the self-test and runs it to its end, pressing the switch when it asks (unless `press`
// is false) and releasing it half a second later.
SelfTestRun run_selftest(ControllerRig& rig, const EffectiveLimits& limits, bool press = true) {
  SelfTestRun run;
  const CommandReply reply = rig.command(CommandKind::selftest);
  EXPECT_FALSE(reply.error) << reply.error->message;
  std::optional<double> pressed_at;
  const std::size_t first = rig.events().size();
  run.ended = rig.run_until(
      [&] {
        run.max_excursion = std::max(
            run.max_excursion, loaded_distance(rig.device().axis(), limits, rig.device().kind()));
        const StatusSnapshot s = rig.controller().snapshot(rig.now());
        if (press && s.selftest && s.selftest->prompt.rfind("press", 0) == 0 && !pressed_at) {
          rig.device().press_stop();
          pressed_at = rig.time();
        }
        if (pressed_at && rig.device().stop_pressed() && rig.time() > *pressed_at + 0.5)
          rig.device().release_stop();
        for (std::size_t i = first; i < rig.events().size(); ++i) {
          if (rig.events()[i].kind == EventKind::selftest_ended) {
            run.result = rig.events()[i].data;
            run.summary = rig.events()[i].reason;
            return true;
          }
        }
        return false;
      },
      120.0);
  return run;
}

std::string failed_step(const nlohmann::json& result) {
  for (const auto& s : result.value("steps", nlohmann::json::array())) {
    if (s.value("result", "") == "fail") return s.value("step", "") + ": " + s.value("detail", "");
  }
  return "";
}

class SelfTestEngine : public ::testing::TestWithParam<DeviceKind> {};

TEST_P(SelfTestEngine, passes_with_every_step_and_its_figures) {
  const EffectiveLimits limits = device_limits(GetParam());
  ControllerRig rig(GetParam(), limits, 1, selftest_options());
  ASSERT_EQ(rig.state(), DaemonState::idle);
  const SelfTestRun run = run_selftest(rig, limits);
  ASSERT_TRUE(run.ended);
  EXPECT_TRUE(run.result.value("passed", false)) << run.result.dump(2);
  const auto& steps = run.result["steps"];
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[1]["figures"]["fault_code"], kCommLoss);
  EXPECT_EQ(steps[2]["figures"]["drive_reaction"], "quick_stop_active");
  const double move = 0.05 * (limits.max_target - limits.min_target);
  EXPECT_NEAR(steps[3]["figures"]["ratio"].get<double>(), 1.0, limits.tolerance / move);
  // Ground truth: never further than the move (and the governor's settle band), home at the end.
  EXPECT_LE(run.max_excursion, move + limits.tolerance);
  EXPECT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 2.0));
  EXPECT_TRUE(
      rig.run_until([&] { return rig.at_home_and_at_rest(limits.home, limits.tolerance); }, 5.0));
  const auto last = rig.controller().snapshot(rig.now()).last_selftest;
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->passed);
}

TEST_P(SelfTestEngine, a_watchdog_that_never_trips_fails_the_watchdog_step) {
  const EffectiveLimits limits = device_limits(GetParam());
  ControllerRig rig(GetParam(), limits, 1, selftest_options());
  rig.device().drive().set_watchdog_ignored(true);
  const SelfTestRun run = run_selftest(rig, limits);
  ASSERT_TRUE(run.ended);
  EXPECT_FALSE(run.result.value("passed", true));
  EXPECT_EQ(failed_step(run.result).rfind("watchdog: the drive was still operation_enabled", 0), 0u)
      << failed_step(run.result);
  EXPECT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 2.0));
}

TEST_P(SelfTestEngine, a_switch_not_wired_to_the_drive_fails_the_stop_switch_step) {
  const EffectiveLimits limits = device_limits(GetParam());
  ControllerRig rig(GetParam(), limits, 1, selftest_options());
  rig.device().set_stop_switch_wired(false);
  const SelfTestRun run = run_selftest(rig, limits);
  ASSERT_TRUE(run.ended);
  EXPECT_NE(failed_step(run.result).find("stop_switch: the daemon saw the press, but the drive"),
            std::string::npos)
      << run.result.dump(2);
  EXPECT_LE(run.max_excursion, limits.tolerance) << "nothing moved before the switch was proven";
}

TEST_P(SelfTestEngine, nobody_pressing_fails_the_stop_switch_step_when_its_time_is_up) {
  const EffectiveLimits limits = device_limits(GetParam());
  ControllerRig rig(GetParam(), limits, 1, selftest_options());
  const SelfTestRun run = run_selftest(rig, limits, false);
  ASSERT_TRUE(run.ended);
  EXPECT_EQ(failed_step(run.result).rfind("stop_switch: no press", 0), 0u) << run.result.dump(2);
  EXPECT_EQ(run.result["steps"][2]["figures"]["window_s"], 30.0);
}

TEST_P(SelfTestEngine, a_reading_scaled_ten_times_too_small_fails_the_motion_step) {
  const EffectiveLimits limits = device_limits(GetParam());
  ControllerRig rig(GetParam(), limits, 1, selftest_options());
  rig.set_reading_scale(0.1);
  const SelfTestRun run = run_selftest(rig, limits);
  ASSERT_TRUE(run.ended);
  EXPECT_EQ(failed_step(run.result).rfind("motion: scale", 0), 0u) << run.result.dump(2);
  const auto& figures = run.result["steps"][3]["figures"];
  EXPECT_NEAR(figures["ratio"].get<double>(), 0.1, 0.05) << figures.dump();
  EXPECT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 20.0));
  EXPECT_TRUE(
      rig.run_until([&] { return rig.at_home_and_at_rest(limits.home, limits.tolerance); }, 5.0));
}

TEST_P(SelfTestEngine, a_reading_with_the_wrong_sign_fails_the_motion_step_at_once) {
  const EffectiveLimits limits = device_limits(GetParam());
  ControllerRig rig(GetParam(), limits, 1, selftest_options());
  rig.set_reading_scale(-1.0);
  const SelfTestRun run = run_selftest(rig, limits);
  ASSERT_TRUE(run.ended);
  EXPECT_EQ(failed_step(run.result).rfind("motion: direction", 0), 0u) << run.result.dump(2);
  // Stopped as soon as the direction was wrong: far short of the whole move.
  EXPECT_LE(run.max_excursion, 0.05 * (limits.max_target - limits.min_target));
  EXPECT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 20.0))
      << to_string(rig.state()) << " " << rig.controller().snapshot(rig.now()).fault;
  EXPECT_TRUE(
      rig.run_until([&] { return rig.at_home_and_at_rest(limits.home, limits.tolerance); }, 5.0));
}

TEST_P(SelfTestEngine, an_estop_during_the_move_ends_it_and_brings_the_axis_home) {
  const EffectiveLimits limits = device_limits(GetParam());
  ControllerRig rig(GetParam(), limits, 1, selftest_options());
  ASSERT_FALSE(rig.command(CommandKind::selftest).error);
  bool pressed = false;
  ASSERT_TRUE(rig.run_until(
      [&] {
        const auto s = rig.controller().snapshot(rig.now()).selftest;
        if (s && s->prompt.rfind("press", 0) == 0 && !pressed) {
          rig.device().press_stop();
          pressed = true;
        } else if (s && s->prompt.rfind("release", 0) == 0) {
          rig.device().release_stop();
        }
        const double move = 0.05 * (limits.max_target - limits.min_target);
        return s && std::string(s->step) == "motion" &&
               loaded_distance(rig.device().axis(), limits, rig.device().kind()) > 0.5 * move;
      },
      60.0));
  ASSERT_FALSE(rig.command(CommandKind::estop).error);
  EXPECT_EQ(rig.state(), DaemonState::estop);
  const auto last = rig.controller().snapshot(rig.now()).last_selftest;
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->passed);
  EXPECT_NE(last->summary.find("failed at motion"), std::string::npos) << last->summary;
  EXPECT_TRUE(rig.run_until([&] { return rig.at_home_and_at_rest(limits.home, 0.5); }, 20.0));
}

TEST_P(SelfTestEngine, refused_unless_idle_at_home_with_the_switch_ready) {
  const EffectiveLimits limits = device_limits(GetParam());
  ControllerRig rig(GetParam(), limits, 1, selftest_options());
  rig.device().unplug_stop_switch();
  rig.step();
  auto reply = rig.command(CommandKind::selftest);
  ASSERT_TRUE(reply.error);
  EXPECT_EQ(reply.error->reason, reason::kStopSwitch);
  rig.device().plug_stop_switch();
  rig.device().press_stop();
  rig.step();
  reply = rig.command(CommandKind::selftest);
  ASSERT_TRUE(reply.error);
  EXPECT_EQ(reply.error->reason, reason::kStopSwitchPressed);
  rig.device().release_stop();
  rig.step();
  ASSERT_FALSE(rig.command(CommandKind::selftest).error);
  reply = rig.command(CommandKind::selftest);
  ASSERT_TRUE(reply.error);
  EXPECT_EQ(reply.error->reason, reason::kSelfTestRunning);
  // A session cannot start during the self-test; a stop ends the self-test.
  const auto plan = plan_for(*sim_catalog(GetParam()), {{"program", "quick-check"}});
  reply = rig.command(CommandKind::start, plan);
  ASSERT_TRUE(reply.error);
  EXPECT_EQ(reply.error->reason, reason::kSelfTestRunning);
  ASSERT_FALSE(rig.command(CommandKind::stop).error);
  EXPECT_EQ(rig.state(), DaemonState::idle);
}

INSTANTIATE_TEST_SUITE_P(Devices, SelfTestEngine,
                         ::testing::Values(DeviceKind::inversion, DeviceKind::traction),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(SelfTestPolicy, session_start_needs_a_passed_selftest_at_most_that_many_days_old) {
  const EffectiveLimits limits = device_limits(DeviceKind::inversion);
  ControllerRig rig(DeviceKind::inversion, limits, 1, selftest_options(7.0));
  const auto plan = plan_for(*sim_catalog(DeviceKind::inversion), {{"program", "quick-check"}});
  auto reply = rig.command(CommandKind::start, plan);
  ASSERT_TRUE(reply.error);
  EXPECT_EQ(reply.error->reason, reason::kSelfTestRequired);
  EXPECT_NE(reply.error->message.find("no passed self-test"), std::string::npos);

  // One that passed eight days ago is too old.
  const auto utc = rig.tick().utc;
  rig.controller().set_selftest_history(SelfTestSummary{utc - std::chrono::hours(24 * 8), true, ""},
                                        utc - std::chrono::hours(24 * 8));
  reply = rig.command(CommandKind::start, plan);
  ASSERT_TRUE(reply.error);
  EXPECT_NE(reply.error->message.find("8.0 days old"), std::string::npos) << reply.error->message;

  // A failed self-test does not count; a passed one does.
  rig.device().drive().set_watchdog_ignored(true);
  EXPECT_FALSE(run_selftest(rig, limits).result.value("passed", true));
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 5.0));
  EXPECT_EQ(rig.command(CommandKind::start, plan).error->reason, reason::kSelfTestRequired);
  rig.device().drive().set_watchdog_ignored(false);
  EXPECT_TRUE(run_selftest(rig, limits).result.value("passed", false));
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 5.0));
  reply = rig.command(CommandKind::start, plan);
  EXPECT_FALSE(reply.error) << reply.error->message;
}

}  // namespace
}  // namespace traction::engine_test
