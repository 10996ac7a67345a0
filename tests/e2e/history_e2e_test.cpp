// SPDX-License-Identifier: Apache-2.0
// The session history end to end (docs/history.md): SIGKILL during a ramp, a hold and a release
// leaves an `interrupted` session whose samples reach within a second of the kill, and the
// restart moves nothing; readers in a loop do not delay the control loop; tractionctl draws and
// exports what was recorded.
#include <gtest/gtest.h>

#include <cmath>
#include <ctime>
#include <iomanip>

#include "tests/e2e/process_harness.hpp"

namespace traction::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A short static session: ramp to 10 deg at 5 deg/s, hold 2 s, release at 5 deg/s.
const json kShort = {{"definition",
                      {{"kinds", {"inversion"}},
                       {"mode", "static"},
                       {"rate_up", 5.0},
                       {"rate_down", 5.0},
                       {"release_rate", 5.0},
                       {"target", 10.0},
                       {"hold_seconds", 2.0}}}};

double unix_seconds(const std::string& utc) {
  std::tm tm{};
  std::istringstream in(utc);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  const double ms = utc.size() >= 23 ? std::stod(utc.substr(20, 3)) / 1000.0 : 0.0;
  return static_cast<double>(timegm(&tm)) + ms;
}

double now_unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The fastest ground-truth speed in the simulator's trace.
double max_trace_speed(const std::string& file) {
  std::istringstream in(read_file(file));
  std::string line;
  std::getline(in, line);  // t,target,actual,velocity,...
  double top = 0.0;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string cell;
    for (int i = 0; i < 4 && std::getline(row, cell, ','); ++i) {
      if (i == 3 && !cell.empty()) top = std::max(top, std::abs(std::stod(cell)));
    }
  }
  return top;
}

json session_status(Rig& rig) {
  return rig.status().value("session", json());
}

// Starts the short session, waits until `moment` holds, SIGKILLs the daemon and restarts it; then
// checks the history and the simulator.
void kill_and_restart(const std::function<bool(const json&)>& moment, const char* what) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  const auto started = rig.call("session.start", kShort);
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const std::string id = started["result"]["session_id"];
  ASSERT_TRUE(wait_until([&] { return moment(session_status(rig)); }, 20s)) << what;
  const double killed_at = now_unix_seconds();
  rig.kill_daemon();

  ASSERT_TRUE(rig.start_daemon()) << rig.log();
  const auto got = rig.call("history.get", {{"id", id}, {"samples", true}});
  ASSERT_TRUE(got.contains("result")) << got.dump();
  const json& s = got["result"];
  EXPECT_EQ(s["outcome"], "interrupted") << what;
  const json rows = s["samples"]["rows"];
  ASSERT_FALSE(rows.empty());
  const double last_sample_at = unix_seconds(s["started_utc"]) + rows.back()[0].get<double>();
  EXPECT_LE(killed_at - last_sample_at, 1.0) << what << ": samples stop short of the kill";
  EXPECT_NEAR(unix_seconds(s["ended_utc"]), last_sample_at, 0.01) << "closed at its last sample";
  EXPECT_EQ(s["events"].back()["detail"]["recovered"], true);
  EXPECT_EQ(s["events"][0]["kind"], "session_started") << "events before the kill survive";

  // The restart resumes no session; an axis it finds away from home it brings home (recovering,
  // never idle away from home), then it is idle and the drive rests there.
  ASSERT_TRUE(wait_until(
      [&] {
        const auto t = rig.sim({{"command", "state"}});
        return rig.status()["state"] == "idle" && std::abs(t["angle_deg"].get<double>()) < 0.75 &&
               std::abs(t["velocity"].get<double>()) < 0.01;
      },
      20s))
      << what << ": " << rig.status().dump();
  EXPECT_TRUE(rig.status()["session"].is_null());
  rig.kill_daemon();
  EXPECT_LE(max_trace_speed(rig.dir() + "/trace.csv"), 12.0 * 1.05)
      << "no abrupt motion: at most the fault release rate";
}

TEST(HistoryEndToEnd,
     sigkill_during_a_ramp_leaves_an_interrupted_session_and_a_restart_brings_the_person_home) {
  kill_and_restart(
      [](const json& s) {
        return s.is_object() && s["phase_kind"] == "ramp" && s["target"].get<double>() > 4.0;
      },
      "ramp");
}

TEST(HistoryEndToEnd,
     sigkill_during_a_hold_leaves_an_interrupted_session_and_a_restart_brings_the_person_home) {
  kill_and_restart([](const json& s) { return s.is_object() && s["phase_kind"] == "hold"; },
                   "hold");
}

TEST(HistoryEndToEnd,
     sigkill_during_a_release_leaves_an_interrupted_session_and_a_restart_brings_the_person_home) {
  kill_and_restart(
      [](const json& s) {
        return s.is_object() && s["phase_kind"] == "release" && s["target"].get<double>() < 8.0;
      },
      "release");
}

TEST(HistoryEndToEnd,
     readers_in_a_loop_never_make_the_loop_wait_and_tractionctl_draws_the_session) {
  Rig rig("inversion");
  ASSERT_TRUE(rig.ready()) << rig.log();
  const std::uint64_t overruns_before = rig.status()["loop"].value("overruns", 0ULL);
  const auto started = rig.call("session.start", kShort);
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const std::string id = started["result"]["session_id"];
  auto reader = RpcClient::connect(rig.dir() + "/d.sock");
  ASSERT_TRUE(reader.ok());
  // The session row is committed before motion starts, shortly after session.start answers.
  ASSERT_TRUE(wait_until(
      [&] {
        auto get = (*reader)->call("history.get", {{"id", id}}, 5000);
        return get.ok() && !get->error;
      },
      5s));
  int reads = 0;
  while (rig.status()["session"].is_object()) {
    auto list = (*reader)->call("history.list", {{"limit", 100}}, 5000);
    ASSERT_TRUE(list.ok() && !list->error)
        << (list.ok() ? list->error->message : list.status().message());
    // The running session itself, samples and all, while the recorder writes it.
    auto get = (*reader)->call("history.get", {{"id", id}, {"samples", true}}, 5000);
    ASSERT_TRUE(get.ok() && !get->error)
        << (get.ok() ? get->error->message : get.status().message());
    reads += 2;
  }
  const json status = rig.status();
  EXPECT_GT(reads, 20);
  // Readers never make the control thread wait: a cycle that waited on the database would last
  // as long as a query (hundreds of ms). An overrun of a few ms is the machine's scheduling, which
  // the benchmarks measure (docs/performance.md), not a wait.
  EXPECT_LT(status["loop"].value("max_cycle_ms", 0.0), 100.0)
      << reads << " reads; overruns " << status["loop"].value("overruns", 0ULL) - overruns_before;
  std::cout << "history e2e: " << reads << " reads during the session; max cycle "
            << status["loop"].value("max_cycle_ms", 0.0) << " ms; overruns "
            << status["loop"].value("overruns", 0ULL) << "\n";
  EXPECT_EQ(rig.wait_session_end(id, 10s)["outcome"], "completed");

  // tractionctl: the list, a CSV export and a plot of the session just recorded.
  const std::string ctl = build_path("cli/tractionctl") + " --socket " + rig.dir() + "/d.sock ";
  const std::string csv = rig.dir() + "/s.csv";
  const std::string svg = rig.dir() + "/s.svg";
  ASSERT_TRUE(wait_until(
      [&] {
        auto g = rig.call("history.get", {{"id", id}});
        return g.contains("result") && g["result"]["outcome"] == "completed";
      },
      5s));
  ASSERT_EQ(std::system((ctl + "history export " + id + " --csv -o " + csv).c_str()), 0);
  ASSERT_EQ(std::system((ctl + "plot " + id + " -o " + svg).c_str()), 0);
  const std::string table = read_file(csv);
  EXPECT_EQ(table.substr(0, table.find('\n')), "t_s,target,actual,velocity,phase,phase_kind");
  EXPECT_GT(std::count(table.begin(), table.end(), '\n'), 50) << "about 6 s at 10 Hz";
  EXPECT_NE(table.find(",hold\n"), std::string::npos);
  const std::string picture = read_file(svg);
  EXPECT_EQ(picture.rfind("<svg", 0), 0U);
  EXPECT_EQ(std::count(picture.begin(), picture.end(), '\n') > 10, true);
  EXPECT_NE(picture.find("<polyline"), std::string::npos);
  EXPECT_NE(picture.find(">hold<"), std::string::npos) << "the hold phase is shaded and named";
  EXPECT_NE(picture.find("ended: completed"), std::string::npos) << "the end is marked";
}

}  // namespace
}  // namespace traction::e2e
