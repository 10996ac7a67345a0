// SPDX-License-Identifier: Apache-2.0
// End to end, faults and pauses: real traction-sim and tractiond processes. Every abort test reads
// the simulator's ground truth (peaks, trace, drive state) as well as the daemon's view.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include "tests/e2e/process_harness.hpp"
#include "tests/e2e/sim_trace.hpp"

namespace traction::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

double sim_angle(Rig& rig) {
  return rig.sim({{"command", "state"}})["angle_deg"].get<double>();
}

bool table_home_at_rest(Rig& rig) {
  const auto t = rig.sim({{"command", "state"}});
  return std::abs(t["angle_deg"].get<double>()) < 0.05 &&
         std::abs(t["velocity"].get<double>()) < 0.01;
}

std::string start(Rig& rig, const json& params) {
  const auto started = rig.call("session.start", params);
  EXPECT_TRUE(started.contains("result")) << started.dump();
  return started.contains("result") ? started["result"]["session_id"].get<std::string>() : "";
}

bool in_phase(Rig& rig, const char* kind) {
  const auto s = rig.status();
  return s["session"].is_object() && s["session"]["phase_kind"] == kind;
}

// A daemon config beside the example one, with the given extra keys (absolute paths).
std::string write_config(const std::string& dir, const json& extra) {
  json c = {{"device",
             {{"file", source_path("config/devices/sim-inversion.json")},
              {"uri", "tcp://127.0.0.1:1?unit=1"}}},
            {"programs", {{"dirs", {source_path("config/programs")}}}}};
  c.update(extra);
  const std::string file = dir + "/tractiond.json";
  std::ofstream(file) << c.dump(2);
  return file;
}

// Holds a temporary directory for a config file.
struct ConfigDir {
  std::string path;
  ConfigDir() {
    char tmpl[] = "/tmp/tractiond-e2e-config.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~ConfigDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

TEST(FaultsEndToEnd, estop_during_a_ramp_releases_home_within_the_fault_rate) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  start(rig, {{"definition",
               {{"kinds", {"inversion"}},
                {"mode", "static"},
                {"target", 40},
                {"hold_seconds", 10},
                {"rate_up", 8}}}});
  ASSERT_TRUE(wait_until([&] { return sim_angle(rig) > 12.0; }, 20s));
  ASSERT_TRUE(in_phase(rig, "ramp"));
  ASSERT_TRUE(rig.call("device.estop").contains("result"));
  ASSERT_TRUE(wait_until([&] { return table_home_at_rest(rig); }, 20s))
      << "the table did not return home";
  const auto status = rig.status();
  EXPECT_EQ(status["state"], "estop");
  EXPECT_EQ(status["last_session"]["outcome"], "estopped");
  const auto truth = rig.sim({{"command", "state"}});
  EXPECT_LT(truth["peak_angle_deg"].get<double>(), 40.0) << "stopped during the ramp";

  rig.daemon().terminate();
  const auto trace = read_trace(rig.dir() + "/trace.csv");
  EXPECT_LE(max_speed_towards_home(trace), 12.0 * 1.05) << "release_rate_fault of the sim table";
  EXPECT_GT(max_speed_towards_home(trace), 5.0) << "the release was observed";
}

TEST(FaultsEndToEnd, drive_fault_during_a_hold_latches_and_reset_is_allowed_only_at_rest) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  const std::string id = start(rig, {{"program", "quick-check"}});
  ASSERT_TRUE(wait_until([&] { return in_phase(rig, "hold"); }, 30s));
  ASSERT_TRUE(
      rig.sim({{"command", "drive_fault"}, {"code", 0x2310}, {"seconds", 0.5}})["ok"].get<bool>());

  const auto last = rig.wait_session_end(id, 10s);
  EXPECT_EQ(last["outcome"], "faulted") << last.dump();
  EXPECT_NE(last["reason"].get<std::string>().find("drive_fault"), std::string::npos)
      << last.dump();
  EXPECT_EQ(rig.status()["state"], "fault");
  ASSERT_TRUE(wait_until(
      [&] {
        return std::abs(rig.sim({{"command", "state"}})["velocity"].get<double>()) > 1.0;
      },
      5s));
  const auto early = rig.call("device.reset");  // the drive is still bringing the table home
  ASSERT_TRUE(early.contains("error")) << early.dump();
  EXPECT_EQ(early["error"]["data"]["reason"], "not_at_rest");

  ASSERT_TRUE(wait_until([&] { return table_home_at_rest(rig); }, 20s))
      << "the drive's reaction goes home";
  EXPECT_LE(rig.sim({{"command", "state"}})["peak_angle_deg"].get<double>(), 15.0 + 0.5);
  EXPECT_EQ(rig.status()["state"], "fault") << "latched until device.reset";
  ASSERT_TRUE(wait_until([&] { return rig.call("device.reset").contains("result"); }, 5s));
  ASSERT_TRUE(wait_until([&] { return rig.status()["state"] == "idle"; }, 5s))
      << rig.status().dump();
}

TEST(FaultsEndToEnd, comm_loss_during_a_hold_the_drive_watchdog_goes_home_and_nothing_resumes) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  const std::string id = start(rig, {{"program", "quick-check"}});
  ASSERT_TRUE(wait_until([&] { return in_phase(rig, "hold"); }, 30s));
  ASSERT_TRUE(rig.sim({{"command", "comm_loss"}, {"seconds", 2.0}})["ok"].get<bool>());

  // The simulator's own watchdog brings the table home while the daemon cannot reach it.
  ASSERT_TRUE(wait_until(
      [&] {
        return rig.sim({{"command", "state"}})["watchdog_tripped"] == true;
      },
      5s));
  ASSERT_TRUE(wait_until([&] { return table_home_at_rest(rig); }, 20s));
  const auto last = rig.wait_session_end(id, 10s);
  EXPECT_EQ(last["outcome"], "faulted") << last.dump();
  const std::string why = last["reason"];
  EXPECT_TRUE(why.find("data_stale") != std::string::npos ||
              why.find("device_unavailable") != std::string::npos)
      << why;

  // The link is back: the daemon stays in fault and never moves the table again by itself.
  ASSERT_TRUE(wait_until(
      [&] {
        return rig.sim({{"command", "state"}})["comm_silent"] == false;
      },
      10s));
  ASSERT_TRUE(wait_until([&] { return rig.status()["state"] == "fault"; }, 10s))
      << rig.status().dump();
  ASSERT_TRUE(rig.sim({{"command", "reset_peaks"}})["ok"].get<bool>());
  EXPECT_FALSE(wait_until([&] { return std::abs(sim_angle(rig)) > 0.2; }, 1500ms))
      << "nothing resumed or jumped";
  EXPECT_LT(rig.sim({{"command", "state"}})["peak_angle_deg"].get<double>(), 0.2);
  EXPECT_EQ(rig.status()["state"], "fault");
}

TEST(FaultsEndToEnd,
     a_program_beyond_the_profiles_limits_is_refused_with_every_violation_and_nothing_moves) {
  ConfigDir config;
  Rig rig(
      "inversion",
      RigOptions{
          write_config(config.path,
                       {{"profiles",
                         {{{"name", "alice"}, {"body_mass_kg", 68}, {"max_inversion_deg", 35}}}}}),
          false,
          {}});
  ASSERT_TRUE(rig.ready()) << rig.log();
  ASSERT_TRUE(rig.sim({{"command", "reset_peaks"}})["ok"].get<bool>());
  // docs/programs.md: past alice's 35°, faster than 10 deg/s, a 150 s hold past 30°, a 3 s rest.
  const auto refused = rig.call("session.start", {{"definition",
                                                   {{"kinds", {"inversion"}},
                                                    {"mode", "intermittent"},
                                                    {"hold_target", 45},
                                                    {"hold_seconds", 150},
                                                    {"rest_target", 0},
                                                    {"rest_seconds", 3},
                                                    {"cycles", 2},
                                                    {"rate_up", 12}}},
                                                  {"profile", "alice"}});
  ASSERT_TRUE(refused.contains("error")) << refused.dump();
  EXPECT_EQ(refused["error"]["data"]["reason"], "limit_exceeded");
  const auto& violations = refused["error"]["data"]["violations"];
  EXPECT_EQ(violations.size(), 7U) << violations.dump();
  std::set<std::string> fields;
  for (const auto& v : violations) fields.insert(v["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"target", "rate", "hold_seconds", "rest_seconds"}))
      << violations.dump();
  EXPECT_EQ(violations[0]["level"], "profile");

  EXPECT_FALSE(wait_until([&] { return std::abs(sim_angle(rig)) > 0.01; }, 1s));
  EXPECT_NEAR(rig.sim({{"command", "state"}})["peak_angle_deg"].get<double>(), 0.0, 0.01);
  EXPECT_EQ(rig.status()["state"], "idle");
}

TEST(FaultsEndToEnd, a_traction_bench_session_completes_and_the_force_peaks_at_the_target) {
  Rig rig("traction");
  ASSERT_TRUE(rig.ready()) << rig.log();
  ASSERT_TRUE(rig.sim({{"command", "reset_peaks"}})["ok"].get<bool>());
  const std::string id = start(rig, {{"program", "quick-check"}});
  const auto last = rig.wait_session_end(id, 60s);
  ASSERT_FALSE(last.is_null()) << rig.log();
  EXPECT_EQ(last["outcome"], "completed") << last.dump();
  const auto truth = rig.sim({{"command", "state"}});
  // quick-check on a bench: 100 N; the bench's tolerance is 25 N.
  EXPECT_NEAR(truth["peak_force_n"].get<double>(), 100.0, 10.0) << truth.dump();
  EXPECT_LE(truth["force_n"].get<double>(), 15.0 + 12.5) << "released to the floor force";
  EXPECT_EQ(rig.status()["state"], "idle");
}

TEST(FaultsEndToEnd, pause_waits_at_the_rest_level_and_resume_completes_the_program) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  ASSERT_TRUE(rig.sim({{"command", "reset_peaks"}})["ok"].get<bool>());
  // A hold at 12°, then a rest at 5°: the rest level is 5°.
  const json steps = json::array({{{"kind", "ramp"}, {"target", 12}, {"rate", 8}},
                                  {{"kind", "hold"}, {"seconds", 6}},
                                  {{"kind", "ramp"}, {"target", 5}, {"rate", 8}},
                                  {{"kind", "rest"}, {"seconds", 5}}});
  const std::string id = start(
      rig, {{"definition", {{"kinds", {"inversion"}}, {"mode", "steps"}, {"phases", steps}}}});
  ASSERT_TRUE(wait_until([&] { return in_phase(rig, "hold"); }, 30s))
      << rig.status().dump() << rig.log();
  ASSERT_TRUE(rig.call("session.pause").contains("result"));
  ASSERT_TRUE(wait_until(
      [&] {
        const auto t = rig.sim({{"command", "state"}});
        return std::abs(t["angle_deg"].get<double>() - 5.0) < 0.05 &&
               std::abs(t["velocity"].get<double>()) < 0.01;
      },
      10s))
      << "the table waits at the rest level, 5°";
  EXPECT_EQ(rig.status()["state"], "paused");
  ASSERT_TRUE(rig.call("session.resume").contains("result"));
  const auto last = rig.wait_session_end(id, 60s);
  EXPECT_EQ(last["outcome"], "completed") << last.dump();
  EXPECT_LE(rig.sim({{"command", "state"}})["peak_angle_deg"].get<double>(), 12.0 + 0.5);
  EXPECT_NEAR(sim_angle(rig), 0.0, 0.1);
}

TEST(FaultsEndToEnd, a_pause_past_max_pause_seconds_stops_the_session_and_status_shows_the_loop) {
  ConfigDir config;
  Rig rig("inversion",
          RigOptions{write_config(config.path,
                                  {{"site_limits", {{"max_pause_seconds", 2}}},
                                   {"control", {{"rate_hz", 100}, {"realtime_priority", 10}}}}),
                     false,
                     {}});
  ASSERT_TRUE(rig.ready()) << rig.log();
  const std::string id = start(rig, {{"program", "quick-check"}});
  ASSERT_TRUE(wait_until([&] { return in_phase(rig, "hold"); }, 30s));
  ASSERT_TRUE(rig.call("session.pause").contains("result"));
  const auto last = rig.wait_session_end(id, 10s);
  EXPECT_EQ(last["outcome"], "stopped") << last.dump();
  EXPECT_NE(last["reason"].get<std::string>().find("maximum pause"), std::string::npos)
      << last.dump();
  ASSERT_TRUE(
      wait_until([&] { return table_home_at_rest(rig) && rig.status()["state"] == "idle"; }, 15s));

  // status.get reports the control loop: cycles, overruns, and the real-time priority asked for
  // and obtained (0 where the system refuses SCHED_FIFO, with a warning in the log).
  const auto loop = rig.status()["loop"];
  EXPECT_GT(loop["cycles"].get<std::uint64_t>(), 100U) << loop.dump();
  EXPECT_TRUE(loop["overruns"].is_number_unsigned()) << loop.dump();
  EXPECT_EQ(loop["realtime_priority_requested"], 10) << loop.dump();
  const int achieved = loop["realtime_priority"].get<int>();
  EXPECT_TRUE(achieved == 10 || achieved == 0) << loop.dump();
  if (achieved == 0) {
    EXPECT_NE(rig.log().find("SCHED_FIFO priority 10 was refused"), std::string::npos) << rig.log();
  }
}

}  // namespace
}  // namespace traction::e2e
