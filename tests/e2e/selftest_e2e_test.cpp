// SPDX-License-Identifier: Apache-2.0
// The commissioning self-test end to end: `tractionctl selftest --yes` against real tractiond and
// traction-sim processes, the patient switch pressed by the test when the step asks for it. It
// passes on both simulated devices; a drive whose watchdog never trips, a switch not wired to the
// drive, and device files whose scale or sign is wrong each fail it, naming the step and the
// figure. The simulator's ground truth shows the axis never went further than the test's move.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/e2e/process_harness.hpp"

namespace traction::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Device {
  std::string kind;
  const char* axis_field;  // the simulator's ground truth of the axis
  double range;            // max_target - min_target of the device file
  double tolerance;
};

Device device(const std::string& kind) {
  const json file = json::parse(read_file(source_path("config/devices/sim-" + kind + ".json")));
  const json limits = file["limits"];
  return {kind, kind == "inversion" ? "peak_angle_deg" : "peak_force_n",
          limits["max_target"].get<double>() - limits["min_target"].get<double>(),
          limits["tolerance"].get<double>()};
}

// Starts the daemon on a device file that is the shipped one with the axis reading's scale
// multiplied by `factor` (a wrong map: 0.1 for a position in 0.01° read as 0.001°, -1 for a wrong
// sign); the target is written right.
bool start_with_reading_scaled(Rig& rig, const std::string& kind, double factor) {
  json device_file = json::parse(read_file(source_path("config/devices/sim-" + kind + ".json")));
  json& scale = device_file["registers"]["actual"]["scale"];
  scale = scale.get<double>() * factor;
  std::ofstream(rig.dir() + "/device.json") << device_file.dump(2);
  json config = json::parse(read_file(source_path("config/examples/sim-" + kind + ".json")));
  config["device"]["file"] = rig.dir() + "/device.json";
  config["programs"]["dirs"] = json::array({source_path("config/programs")});
  std::ofstream(rig.dir() + "/tractiond.json") << config.dump(2);
  rig.set_config(rig.dir() + "/tractiond.json");
  return rig.start_daemon();
}

// Presses the patient switch when the self-test asks for it and releases it when asked to (or
// when the test has ended); call it while waiting.
struct SwitchPresser {
  bool pressed = false;
  bool released = false;
  void step(Rig& rig) {
    const json progress = rig.status().value("selftest", json());
    const std::string prompt = progress.is_object() ? progress.value("prompt", "") : "";
    const bool ended = progress.is_null();
    if (!pressed && !ended && progress.value("step", "") == "stop_switch" &&
        prompt.rfind("press", 0) == 0) {
      pressed = rig.sim({{"command", "press_stop"}}).value("ok", false);
    } else if (pressed && !released && (ended || prompt.rfind("release", 0) == 0)) {
      released = rig.sim({{"command", "release_stop"}}).value("ok", false);
    }
  }
};

struct Outcome {
  int exit_code = -1;
  json result;  // the selftest_ended detail (--json)
  std::string output;
};

// Runs `tractionctl selftest --yes --json`, pressing and releasing the stop switch when the step
// asks for it (`press` false: nobody presses).
Outcome run_selftest(Rig& rig, bool press = true) {
  const std::string out = rig.dir() + "/selftest.out";
  Process ctl({build_path("cli/tractionctl"), "--socket", rig.dir() + "/d.sock", "selftest",
               "--yes", "--json", "--switch-seconds", "6"},
              out);
  SwitchPresser presser;
  const bool ended = wait_until(
      [&] {
        if (ctl.exited()) return true;
        if (press) presser.step(rig);
        return false;
      },
      90s, 20ms);
  Outcome o;
  if (!ended) ctl.terminate();
  if (presser.pressed && !presser.released) rig.sim({{"command", "release_stop"}});
  o.exit_code = ctl.exit_status();
  o.output = read_file(out);
  o.result = json::parse(o.output, nullptr, false);
  return o;
}

// The failed step of a self-test result, with its detail.
std::pair<std::string, std::string> failed_step(const json& result) {
  for (const json& step : result.value("steps", json::array())) {
    if (step.value("result", "") == "fail")
      return {step.value("step", ""), step.value("detail", "")};
  }
  return {"", ""};
}

// Ground truth after the test: home, at rest, and never further out than the test's move.
void expect_home_and_bounded(Rig& rig, const Device& d) {
  ASSERT_TRUE(wait_until([&] { return rig.status().value("state", "") == "idle"; }, 20s))
      << rig.status().dump();
  const json truth = rig.sim({{"command", "state"}});
  const double axis = truth.value(d.kind == "inversion" ? "angle_deg" : "force_n", 1e9);
  EXPECT_LE(std::abs(axis), d.tolerance) << truth.dump();
  EXPECT_LE(std::abs(truth.value(d.axis_field, 1e9)), 0.05 * d.range + d.tolerance)
      << "the axis went further than the self-test's move: " << truth.dump();
}

RigOptions without_daemon() {
  RigOptions options;
  options.start_daemon = false;
  return options;
}

class SelfTestE2E : public ::testing::TestWithParam<std::string> {};

TEST_P(SelfTestE2E, passes_with_the_switch_pressed_when_asked) {
  const Device d = device(GetParam());
  Rig rig(d.kind);
  ASSERT_TRUE(rig.ready()) << rig.log();
  const Outcome o = run_selftest(rig);
  ASSERT_EQ(o.exit_code, 0) << o.output << "\n" << rig.log();
  EXPECT_TRUE(o.result.value("passed", false)) << o.output;
  const json steps = o.result["steps"];
  ASSERT_EQ(steps.size(), 5u) << o.output;
  const char* names[] = {"identity", "watchdog", "stop_switch", "motion", "release"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(steps[i]["step"], names[i]);
    EXPECT_EQ(steps[i]["result"], "pass") << steps[i].dump();
  }
  EXPECT_EQ(steps[1]["figures"]["fault_code"], 0x8130) << steps[1].dump();
  EXPECT_GE(steps[2]["figures"]["reaction_ms"].get<double>(), 0.0);
  const double ratio = steps[3]["figures"]["ratio"].get<double>();
  EXPECT_NEAR(ratio, 1.0, d.tolerance / (0.05 * d.range)) << steps[3].dump();
  EXPECT_LE(steps[4]["figures"]["seconds"].get<double>(),
            1.25 * steps[4]["figures"]["expected_seconds"].get<double>());
  expect_home_and_bounded(rig, d);
  // Recorded: status.get and daemon.info show it.
  const json last = rig.status()["last_selftest"];
  ASSERT_TRUE(last.is_object()) << rig.status().dump();
  EXPECT_TRUE(last["passed"].get<bool>());
  EXPECT_EQ(rig.call("daemon.info")["result"]["last_selftest"], last);
  std::cout << "self-test on the " << d.kind << ": " << o.result["summary"] << "\n";
  for (const json& s : steps) std::cout << "  " << s["step"] << ": " << s["detail"] << "\n";
}

TEST_P(SelfTestE2E, a_watchdog_that_never_trips_fails_the_watchdog_step) {
  const Device d = device(GetParam());
  Rig rig(d.kind);
  ASSERT_TRUE(rig.ready()) << rig.log();
  ASSERT_TRUE(rig.sim({{"command", "watchdog_ignore"}, {"on", true}}).value("ok", false));
  const Outcome o = run_selftest(rig);
  EXPECT_EQ(o.exit_code, 4) << o.output;
  const auto [step, detail] = failed_step(o.result);
  EXPECT_EQ(step, "watchdog") << o.output;
  EXPECT_NE(detail.find("does not trip"), std::string::npos) << detail;
  EXPECT_NE(detail.find("500 ms"), std::string::npos) << detail;
  expect_home_and_bounded(rig, d);
}

TEST_P(SelfTestE2E, a_switch_not_wired_to_the_drive_fails_the_stop_switch_step) {
  const Device d = device(GetParam());
  Rig rig(d.kind);
  ASSERT_TRUE(rig.ready()) << rig.log();
  ASSERT_TRUE(rig.sim({{"command", "stop_switch_dead"}, {"on", true}}).value("ok", false));
  const Outcome o = run_selftest(rig);
  EXPECT_EQ(o.exit_code, 4) << o.output;
  const auto [step, detail] = failed_step(o.result);
  EXPECT_EQ(step, "stop_switch") << o.output;
  EXPECT_NE(detail.find("does not reach the drive"), std::string::npos) << detail;
  expect_home_and_bounded(rig, d);
}

TEST_P(SelfTestE2E, nobody_pressing_the_switch_fails_the_stop_switch_step_in_time) {
  const Device d = device(GetParam());
  Rig rig(d.kind);
  ASSERT_TRUE(rig.ready()) << rig.log();
  const Outcome o = run_selftest(rig, false);
  EXPECT_EQ(o.exit_code, 4) << o.output;
  const auto [step, detail] = failed_step(o.result);
  EXPECT_EQ(step, "stop_switch") << o.output;
  EXPECT_NE(detail.find("no press"), std::string::npos) << detail;
}

TEST_P(SelfTestE2E, a_reading_scaled_ten_times_too_small_fails_the_motion_step) {
  const Device d = device(GetParam());
  Rig rig(d.kind, without_daemon());
  ASSERT_TRUE(start_with_reading_scaled(rig, d.kind, 0.1)) << rig.log();
  const Outcome o = run_selftest(rig);
  EXPECT_EQ(o.exit_code, 4) << o.output;
  const auto [step, detail] = failed_step(o.result);
  EXPECT_EQ(step, "motion") << o.output;
  EXPECT_NE(detail.find("scale"), std::string::npos) << detail;
  expect_home_and_bounded(rig, d);
}

TEST_P(SelfTestE2E, a_reading_with_the_wrong_sign_fails_the_motion_step) {
  const Device d = device(GetParam());
  Rig rig(d.kind, without_daemon());
  ASSERT_TRUE(start_with_reading_scaled(rig, d.kind, -1.0)) << rig.log();
  const Outcome o = run_selftest(rig);
  EXPECT_EQ(o.exit_code, 4) << o.output;
  const auto [step, detail] = failed_step(o.result);
  EXPECT_EQ(step, "motion") << o.output;
  EXPECT_NE(detail.find("direction"), std::string::npos) << detail;
  expect_home_and_bounded(rig, d);
}

TEST_P(SelfTestE2E, an_estop_during_the_move_ends_it_at_home) {
  const Device d = device(GetParam());
  Rig rig(d.kind);
  ASSERT_TRUE(rig.ready()) << rig.log();
  const std::string out = rig.dir() + "/selftest.out";
  Process ctl({build_path("cli/tractionctl"), "--socket", rig.dir() + "/d.sock", "selftest",
               "--yes", "--json", "--switch-seconds", "6"},
              out);
  SwitchPresser presser;
  ASSERT_TRUE(wait_until(
      [&] {
        presser.step(rig);
        const json p = rig.status().value("selftest", json());
        return p.is_object() && p.value("step", "") == "motion";
      },
      60s, 20ms))
      << rig.log();
  ASSERT_TRUE(wait_until(
      [&] {
        const json truth = rig.sim({{"command", "state"}});
        return std::abs(truth.value(d.kind == "inversion" ? "angle_deg" : "force_n", 0.0)) >
               0.5 * d.tolerance;
      },
      10s, 5ms));
  ASSERT_TRUE(rig.call("device.estop").contains("result"));
  ASSERT_TRUE(wait_until([&] { return ctl.exited(); }, 20s));
  EXPECT_EQ(ctl.exit_status(), 4);
  const auto [step, detail] = failed_step(json::parse(read_file(out), nullptr, false));
  EXPECT_EQ(step, "motion");
  EXPECT_NE(detail.find("emergency stop"), std::string::npos) << detail;
  ASSERT_TRUE(wait_until(
      [&] {
        const json truth = rig.sim({{"command", "state"}});
        return std::abs(truth.value(d.kind == "inversion" ? "angle_deg" : "force_n", 1e9)) <=
                   d.tolerance &&
               std::abs(truth.value("velocity", 1e9)) < 0.05;
      },
      20s))
      << rig.sim({{"command", "state"}}).dump();
  EXPECT_EQ(rig.status().value("state", ""), "estop");
  EXPECT_LE(std::abs(rig.sim({{"command", "state"}}).value(d.axis_field, 1e9)),
            0.05 * d.range + d.tolerance);
}

INSTANTIATE_TEST_SUITE_P(Devices, SelfTestE2E, ::testing::Values("inversion", "traction"));

// The site's rule: session.start refused until a self-test has passed; the pass survives a restart.
TEST(SelfTestPolicyE2E, session_start_needs_a_recent_passed_selftest) {
  Rig rig("inversion", without_daemon());
  json config = json::parse(read_file(source_path("config/examples/sim-inversion.json")));
  config["device"]["file"] = source_path("config/devices/sim-inversion.json");
  config["programs"]["dirs"] = json::array({source_path("config/programs")});
  config["commissioning"] = {{"require_selftest_days", 7}};
  std::ofstream(rig.dir() + "/tractiond.json") << config.dump(2);
  rig.set_config(rig.dir() + "/tractiond.json");
  ASSERT_TRUE(rig.start_daemon()) << rig.log();
  ASSERT_TRUE(rig.ready()) << rig.log();
  const json refused = rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(refused.contains("error")) << refused.dump();
  EXPECT_EQ(refused["error"]["data"]["reason"], "selftest_required") << refused.dump();
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("7 days"), std::string::npos);
  EXPECT_EQ(rig.status().value("state", ""), "idle");
  EXPECT_LE(std::abs(rig.sim({{"command", "state"}}).value("peak_angle_deg", 1e9)), 0.01)
      << "nothing moved";

  const Outcome o = run_selftest(rig);
  ASSERT_EQ(o.exit_code, 0) << o.output << rig.log();
  ASSERT_TRUE(rig.start_daemon()) << rig.log();  // a restart reads the pass from the history
  ASSERT_TRUE(rig.ready()) << rig.log();
  EXPECT_TRUE(rig.status()["last_selftest"].value("passed", false)) << rig.status().dump();
  const json started = rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  ASSERT_TRUE(rig.call("session.stop").contains("result"));
  ASSERT_TRUE(wait_until([&] { return rig.status().value("state", "") == "idle"; }, 30s));
}

}  // namespace
}  // namespace traction::e2e
