// SPDX-License-Identifier: Apache-2.0
// End to end: real traction-sim and tractiond processes; assertions read the simulator's ground
// truth (peaks, trace) as well as the daemon's view.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "tests/e2e/process_harness.hpp"
#include "tests/e2e/sim_trace.hpp"

namespace traction::e2e {
namespace {

using namespace std::chrono_literals;

TEST(SessionEndToEnd, quick_check_completes_and_the_table_never_passes_the_target) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  ASSERT_TRUE(rig.sim({{"command", "reset_peaks"}})["ok"].get<bool>());
  const auto started = rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const std::string id = started["result"]["session_id"];

  const auto last = rig.wait_session_end(id, 60s);
  ASSERT_FALSE(last.is_null()) << rig.log();
  EXPECT_EQ(last["outcome"], "completed") << last.dump();

  const auto truth = rig.sim({{"command", "state"}});
  EXPECT_LE(truth["peak_angle_deg"].get<double>(), 15.0 + 0.5) << truth.dump();
  EXPECT_GE(truth["peak_angle_deg"].get<double>(), 15.0 - 0.5) << truth.dump();
  EXPECT_NEAR(truth["angle_deg"].get<double>(), 0.0, 0.1) << "the table is back home";
  EXPECT_EQ(rig.status()["state"], "idle");
}

// Once session.start has answered, every status.get shows that session, `starting` (the record
// is written and the drive enabled) or `running`: a script that polls until idle never believes
// it already ended. Polled back to back, as fast as the socket answers, from the reply on.
TEST(SessionEndToEnd, every_status_after_a_start_reply_shows_the_session) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto started = rig.call("session.start", {{"program", "quick-check"}});
    ASSERT_TRUE(started.contains("result")) << started.dump();
    const std::string id = started["result"]["session_id"];
    std::map<std::string, int> seen;
    const auto until = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < until) {
      const auto s = rig.status();
      const std::string state = s.value("state", "");
      ++seen[state];
      ASSERT_TRUE(state == "starting" || state == "running")
          << "poll " << seen.size() << ": " << state;
      ASSERT_TRUE(s["session"].is_object()) << s.dump();
      ASSERT_EQ(s["session"]["id"], id);
    }
    EXPECT_GT(seen["running"], 0) << "the drive was enabled and the plan began";
    const auto stop = rig.call("session.stop");
    ASSERT_TRUE(stop.contains("result")) << stop.dump();
    EXPECT_NE(rig.status()["state"], "running")
        << "the stop reply comes after the stop took effect";
    ASSERT_TRUE(wait_until([&] { return rig.status()["state"] == "idle"; }, 20s));
  }
}

TEST(SessionEndToEnd, estop_during_hold_brings_the_table_home_within_the_fault_release_rate) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  const auto started = rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  ASSERT_TRUE(wait_until(
      [&] {
        const auto s = rig.status();
        return s["session"].is_object() && s["session"]["phase_kind"] == "hold";
      },
      30s));
  const auto estop = rig.call("device.estop");
  ASSERT_TRUE(estop.contains("result")) << estop.dump();

  ASSERT_TRUE(wait_until(
      [&] {
        const auto t = rig.sim({{"command", "state"}});
        return std::abs(t["angle_deg"].get<double>()) < 0.05 &&
               std::abs(t["velocity"].get<double>()) < 0.01;
      },
      20s))
      << "the table did not return home";
  const auto status = rig.status();
  EXPECT_EQ(status["state"], "estop");
  EXPECT_EQ(status["last_session"]["outcome"], "estopped");

  // Ground truth: the release never ran faster than the fault release rate (12 deg/s on the sim
  // table), with 5 % for the drive's own velocity estimate.
  rig.daemon().terminate();
  const auto trace = read_trace(rig.dir() + "/trace.csv");
  ASSERT_GT(trace.count("velocity"), 0U) << "trace has no velocity column";
  EXPECT_LE(max_speed_towards_home(trace), 12.0 * 1.05);
  EXPECT_GT(max_speed_towards_home(trace), 1.0) << "the release was observed";
}

TEST(SessionEndToEnd, stop_switch_during_hold_ends_the_session_and_the_table_returns_home) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  const auto started = rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const std::string id = started["result"]["session_id"];
  ASSERT_TRUE(wait_until([&] { return rig.status()["session"]["phase_kind"] == "hold"; }, 30s));
  ASSERT_TRUE(rig.sim({{"command", "press_stop"}})["ok"].get<bool>());

  const auto last = rig.wait_session_end(id, 10s);
  EXPECT_EQ(last["outcome"], "stop_switch") << last.dump();
  ASSERT_TRUE(wait_until(
      [&] {
        return std::abs(rig.sim({{"command", "state"}})["angle_deg"].get<double>()) < 0.05;
      },
      20s));
  EXPECT_LE(rig.sim({{"command", "state"}})["peak_angle_deg"].get<double>(), 15.5);

  // Once released home, a new session is refused while the switch is still pressed.
  ASSERT_TRUE(wait_until([&] { return rig.status()["state"] == "idle"; }, 5s))
      << rig.status().dump();
  const auto refused = rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(refused.contains("error")) << refused.dump();
  EXPECT_EQ(refused["error"]["data"]["reason"], "stop_switch_pressed");
}

TEST(SessionEndToEnd, start_is_refused_while_the_stop_switch_is_unplugged_and_nothing_moves) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  ASSERT_TRUE(rig.sim({{"command", "unplug_stop_switch"}})["ok"].get<bool>());
  ASSERT_TRUE(wait_until([&] { return rig.status()["device"]["stop_connected"] == false; }, 5s));
  const auto refused = rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(refused.contains("error")) << refused.dump();
  EXPECT_EQ(refused["error"]["data"]["reason"], "stop_switch_unplugged");
  EXPECT_NEAR(rig.sim({{"command", "state"}})["peak_angle_deg"].get<double>(), 0.0, 0.01);
}

TEST(SessionEndToEnd, sigterm_during_a_session_releases_home_and_exits_zero) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  ASSERT_TRUE(rig.call("session.start", {{"program", "quick-check"}}).contains("result"));
  ASSERT_TRUE(wait_until([&] { return rig.status()["session"]["phase_kind"] == "hold"; }, 30s));
  EXPECT_EQ(rig.daemon().terminate(), 0) << rig.log();
  EXPECT_NEAR(rig.sim({{"command", "state"}})["angle_deg"].get<double>(), 0.0, 0.1);
}

}  // namespace
}  // namespace traction::e2e
