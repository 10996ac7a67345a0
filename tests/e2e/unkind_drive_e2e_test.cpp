// SPDX-License-Identifier: Apache-2.0
// End to end with drives as unkind as real ones. Most CiA 402 servo drives stop in place and hold
// the load with their brake on a fault, a watchdog trip or a quick stop, and stay there after a
// crash of the controller; traction-sim models that with --drive-reaction hold (and the kinder
// return home with home). Whatever the drive does by itself, the daemon must bring the person
// home: never say idle while the person is loaded, release at no more than the fault release
// rate, never disable the drive under load while a release can proceed, and never step.
// Real traction-sim and tractiond processes; every case runs on both device kinds side by side,
// judged on the simulator's ground truth (its state, trace and peaks).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/e2e/unkind_rig.hpp"

namespace traction::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Runs `scenario` on the table and the bench at once, each on its own rig.
template <class F>
void on_both_kinds(const std::string& reaction, F scenario) {
  std::vector<std::thread> kinds;
  for (const UnkindKind* k : {&kUnkindTable, &kUnkindBench}) {
    kinds.emplace_back([k, &reaction, &scenario] {
      SCOPED_TRACE(k->limits.kind + ", drive reaction " + reaction);
      scenario(*k, reaction);
    });
  }
  for (std::thread& t : kinds) t.join();
}

class UnkindDrive : public ::testing::TestWithParam<std::string> {};

// a) The drive faults in a hold; device.reset once the daemon allows it. The daemon brings the
// person home (in `recovering` after the reset, or already in `fault` before it) and only then
// says idle.
void drive_fault_then_reset(const UnkindKind& k, const std::string& reaction) {
  UnkindRig u(k, reaction);
  ASSERT_TRUE(u.rig.ready()) << u.rig.log();
  const std::string id = u.start_session();
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(u.reach_hold()) << u.rig.status().dump();
  const double t0 = u.inject({{"command", "drive_fault"}, {"code", 0x2310}});
  const json last = u.rig.wait_session_end(id, 10s);
  EXPECT_EQ(last.value("outcome", ""), "faulted") << last.dump();
  ASSERT_TRUE(u.reset_when_allowed(30s)) << u.rig.status().dump();
  const bool home_before_reset = u.home();
  EXPECT_TRUE(u.wait_home("idle", 30s)) << u.why();
  u.watch.stop();
  EXPECT_TRUE(home_before_reset || u.watch.saw("recovering")) << u.why();
  u.expect_never_idle_while_loaded();
  u.expect_gentle_trace(t0);
}

TEST_P(UnkindDrive, a_drive_fault_in_a_hold_then_reset_brings_the_person_home_before_idle) {
  on_both_kinds(GetParam(), drive_fault_then_reset);
}

// b) SIGKILL of the daemon in a hold, and a restart: at once (the drive's watchdog has usually not
// tripped yet: the new daemon meets an enabled drive under load) or once the watchdog tripped. The
// new daemon brings the person home (`recovering`) and then says idle; it never disables the
// drive under load and never steps.
void sigkill_then_restart(const UnkindKind& k, const std::string& reaction, bool after_trip) {
  UnkindRig u(k, reaction);
  ASSERT_TRUE(u.rig.ready()) << u.rig.log();
  ASSERT_FALSE(u.start_session().empty());
  ASSERT_TRUE(u.reach_hold()) << u.rig.status().dump();
  const double t0 = u.sim_t();
  u.rig.kill_daemon();
  if (after_trip) {
    ASSERT_TRUE(wait_until([&] { return u.truth().value("watchdog_tripped", false); }, 5s));
  }
  const bool away_at_restart = away_from_home(u.axis(), k.limits);
  ASSERT_TRUE(u.rig.start_daemon()) << u.rig.log();
  EXPECT_TRUE(u.wait_home("idle", 40s)) << u.why();
  u.watch.stop();
  if (away_at_restart && reaction == "hold") {
    EXPECT_TRUE(u.watch.saw("recovering")) << u.why();
  }
  EXPECT_TRUE(u.rig.status()["session"].is_null()) << "a restart never resumes a session";
  u.expect_never_idle_while_loaded();
  u.expect_gentle_trace(t0);
}

TEST_P(UnkindDrive, a_sigkill_in_a_hold_and_an_immediate_restart_recovers_home_without_a_step) {
  on_both_kinds(GetParam(), [](const UnkindKind& k, const std::string& r) {
    sigkill_then_restart(k, r, false);
  });
}

TEST_P(UnkindDrive, a_sigkill_in_a_hold_and_a_restart_after_the_watchdog_trip_recovers_home) {
  on_both_kinds(GetParam(), [](const UnkindKind& k, const std::string& r) {
    sigkill_then_restart(k, r, true);
  });
}

// c) A momentary press of the patient stop switch (released 0.2 s later) in a hold: the session
// ends as stop_switch and the daemon brings the person home, then says idle.
void momentary_stop_press(const UnkindKind& k, const std::string& reaction) {
  UnkindRig u(k, reaction);
  ASSERT_TRUE(u.rig.ready()) << u.rig.log();
  const std::string id = u.start_session();
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(u.reach_hold()) << u.rig.status().dump();
  const double t0 = u.inject({{"command", "press_stop"}});
  ASSERT_TRUE(wait_until([&] { return u.sim_t() >= t0 + 0.2; }, 5s));
  u.inject({{"command", "release_stop"}});
  const json last = u.rig.wait_session_end(id, 10s);
  EXPECT_EQ(last.value("outcome", ""), "stop_switch") << last.dump();
  EXPECT_TRUE(u.wait_home("idle", 30s)) << u.why();
  u.watch.stop();
  u.expect_never_idle_while_loaded();
  u.expect_gentle_trace(t0);
}

TEST_P(UnkindDrive, a_momentary_stop_switch_press_in_a_hold_ends_idle_at_home) {
  on_both_kinds(GetParam(), momentary_stop_press);
}

// d) device.estop during the ramp: latched `estop`, the person home on the ground truth at no
// more than the fault release rate, whatever the drive's own reaction would be.
void estop_in_a_ramp(const UnkindKind& k, const std::string& reaction) {
  UnkindRig u(k, reaction);
  ASSERT_TRUE(u.rig.ready()) << u.rig.log();
  ASSERT_FALSE(u.start_session().empty());
  ASSERT_TRUE(wait_until(
      [&] {
        const json s = u.rig.status().value("session", json());
        return s.is_object() && s.value("phase_kind", "") == "ramp" &&
               loaded_offset(u.axis(), k.limits) > 0.3 * (k.hold - k.limits.home);
      },
      30s))
      << u.rig.status().dump();
  const double t0 = u.sim_t();
  ASSERT_TRUE(u.rig.call("device.estop").contains("result"));
  EXPECT_TRUE(u.wait_home("estop", 30s)) << u.why();
  EXPECT_EQ(u.rig.status()["last_session"].value("outcome", ""), "estopped");
  EXPECT_LT(u.truth().value(k.limits.peak_field, 1e9), k.hold) << "stopped during the ramp";
  EXPECT_GT(max_speed_towards_home(trace_through(u.rig, u.sim_t()), t0), 0.2 * k.fault_rate)
      << "the release was observed";
  u.expect_gentle_trace(t0);
  EXPECT_TRUE(u.reset_when_allowed(10s));
  EXPECT_TRUE(u.wait_home("idle", 10s));
  u.watch.stop();
  u.expect_never_idle_while_loaded();
}

TEST_P(UnkindDrive, an_estop_in_a_ramp_latches_and_releases_home_within_the_fault_rate) {
  on_both_kinds(GetParam(), estop_in_a_ramp);
}

// e) The link drops in a hold for longer than the drive's watchdog: the drive trips (with hold it
// stays where it is); once the link is back the daemon brings the person home and says why
// (fault or recovering, never idle while the person is loaded).
void link_drop_in_a_hold(const UnkindKind& k, const std::string& reaction) {
  UnkindRig u(k, reaction);
  ASSERT_TRUE(u.rig.ready()) << u.rig.log();
  ASSERT_FALSE(u.start_session().empty());
  ASSERT_TRUE(u.reach_hold()) << u.rig.status().dump();
  const double t0 = u.inject({{"command", "comm_loss"}, {"seconds", 1.5}});
  EXPECT_TRUE(wait_until([&] { return u.truth().value("watchdog_tripped", false); }, 5s));
  ASSERT_TRUE(wait_until([&] { return !u.truth().value("comm_silent", true); }, 5s));
  if (reaction == "hold") {
    EXPECT_NEAR(u.axis(), k.hold, 0.5 * k.limits.tolerance) << "the drive held where it was";
  }
  EXPECT_TRUE(u.wait_home("", 30s)) << u.why();
  EXPECT_TRUE(u.watch.saw("fault") || u.watch.saw("recovering")) << u.why();
  if (u.state() == "fault") {
    EXPECT_TRUE(u.reset_when_allowed(10s));
  }
  EXPECT_TRUE(u.wait_home("idle", 20s)) << u.why();
  u.watch.stop();
  u.expect_never_idle_while_loaded();
  u.expect_gentle_trace(t0);
}

TEST_P(UnkindDrive, a_link_drop_past_the_watchdog_in_a_hold_is_recovered_home) {
  on_both_kinds(GetParam(), link_drop_in_a_hold);
}

// f) Power is cut in a hold and comes back: the daemon brings the person home.
void power_cut_in_a_hold(const UnkindKind& k, const std::string& reaction) {
  UnkindRig u(k, reaction);
  ASSERT_TRUE(u.rig.ready()) << u.rig.log();
  ASSERT_FALSE(u.start_session().empty());
  ASSERT_TRUE(u.reach_hold()) << u.rig.status().dump();
  const double t0 = u.inject({{"command", "power_loss"}, {"seconds", 1.0}});
  ASSERT_TRUE(wait_until([&] { return u.truth().value("powered", false); }, 5s));
  EXPECT_TRUE(u.wait_home("", 30s)) << u.why();
  if (u.state() == "fault") {
    EXPECT_TRUE(u.reset_when_allowed(10s));
  }
  EXPECT_TRUE(u.wait_home("idle", 20s)) << u.why();
  u.watch.stop();
  u.expect_never_idle_while_loaded();
  // Without power nobody governs the axis: an unbraked drive lets the mechanics move by
  // themselves for that second. The daemon's motion is judged from the moment power returns.
  u.expect_gentle_trace(t0 + 1.0);
}

TEST_P(UnkindDrive, a_power_cut_in_a_hold_is_recovered_home) {
  on_both_kinds(GetParam(), power_cut_in_a_hold);
}

INSTANTIATE_TEST_SUITE_P(DriveReaction, UnkindDrive, ::testing::Values("home", "hold"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// g) SIGTERM while a release is under way: the daemon exits only with the person home, or after
// a bounded time with the reason in its log, and never disables the drive under load meanwhile.
// Judged from the signal on.
void expect_exit_only_at_home(UnkindRig& u) {
  const double t_term = u.sim_t();
  u.rig.daemon().signal(SIGTERM);
  // Beyond the daemon's own shutdown deadline (60 s), after which it must have said why.
  ASSERT_TRUE(wait_until([&] { return u.rig.daemon().exited(); }, 75s)) << "never exited";
  const json at_exit = u.truth();
  const bool home = !away_from_home(at_exit.value(u.kind.limits.axis_field, 1e9), u.kind.limits);
  EXPECT_TRUE(home || u.rig.log().find("did not reach") != std::string::npos)
      << "exited with the person at " << at_exit.value(u.kind.limits.axis_field, 0.0)
      << " and no reason logged; exit status " << u.rig.daemon().exit_status();
  TraceColumns trace = trace_through(u.rig, u.sim_t());
  const std::vector<double> disabled = disabled_while_away(trace, u.kind.limits, t_term);
  EXPECT_TRUE(disabled.empty()) << "disabled with the person loaded at sim t " << disabled.front();
}

// The daemon's own fault release: replies late past the response timeout for 0.4 s make the
// reading stale (a fault) while the drive, hearing every request, follows on; the daemon releases
// home at the fault rate. The drive's reaction takes no part, so one reaction suffices.
void sigterm_in_a_fault_release(const UnkindKind& k, const std::string& reaction) {
  UnkindRig u(k, reaction);
  ASSERT_TRUE(u.rig.ready()) << u.rig.log();
  ASSERT_FALSE(u.start_session().empty());
  ASSERT_TRUE(u.reach_hold()) << u.rig.status().dump();
  u.inject({{"command", "delay_replies"}, {"ms", 150}, {"seconds", 0.4}});
  ASSERT_TRUE(wait_until(
      [&] {
        return u.state() == "fault" && u.truth().value("velocity", 0.0) < -0.3 * k.fault_rate;
      },
      15s))
      << "no fault release under way: " << u.why();
  expect_exit_only_at_home(u);
  u.watch.stop();
  u.expect_never_idle_while_loaded();
}

TEST(UnkindDriveShutdown, a_sigterm_during_a_fault_release_exits_only_with_the_person_home) {
  on_both_kinds("hold", sigterm_in_a_fault_release);
}

// The same during the release after a held drive fault was reset (the drive stood still in
// place: the daemon's release is all that brings the person home).
void sigterm_in_a_recovery(const UnkindKind& k, const std::string& reaction) {
  UnkindRig u(k, reaction);
  ASSERT_TRUE(u.rig.ready()) << u.rig.log();
  const std::string id = u.start_session();
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(u.reach_hold()) << u.rig.status().dump();
  u.inject({{"command", "drive_fault"}, {"code", 0x2310}});
  u.rig.wait_session_end(id, 10s);
  ASSERT_TRUE(u.reset_when_allowed(30s)) << u.rig.status().dump();
  EXPECT_TRUE(wait_until(
      [&] { return u.truth().value("velocity", 0.0) < -0.3 * k.fault_rate || u.home(); }, 10s))
      << "no release after the reset: " << u.why();
  expect_exit_only_at_home(u);
  u.watch.stop();
  u.expect_never_idle_while_loaded();
}

TEST(UnkindDriveShutdown, a_sigterm_during_the_recovery_after_a_held_fault_exits_only_at_home) {
  on_both_kinds("hold", sigterm_in_a_recovery);
}

// h) session.start while the person is still loaded (a master of the test's own left the axis
// away from home before the daemon started): either a release home first or a refusal that says
// why — and every enable starts from the measured value.
void start_while_away(const UnkindKind& k, const std::string& reaction) {
  UnkindRig u(k, reaction, /*start_daemon=*/false);
  ASSERT_TRUE(place_axis_away(u)) << u.truth().dump();
  // Judged from the first trace row after the test's own master disabled the drive.
  const double t0 = u.sim_t() + 0.02;
  trace_through(u.rig, t0);
  ASSERT_TRUE(u.rig.start_daemon()) << u.rig.log();
  json refusal;
  const std::string id = u.start_session(&refusal);
  if (id.empty()) {
    EXPECT_FALSE(refusal["data"].value("reason", "").empty()) << refusal.dump();
    EXPECT_FALSE(refusal.value("message", "").empty()) << refusal.dump();
    EXPECT_TRUE(u.wait_home("idle", 30s)) << u.why();
  } else {
    // Until the session loads the person beyond where they were left, or gives up.
    const double beyond = loaded_offset(k.away, k.limits) + 0.5 * k.limits.tolerance;
    EXPECT_TRUE(wait_until([&] { return loaded_offset(u.axis(), k.limits) > beyond; }, 40s));
    TraceColumns trace = trace_through(u.rig, u.sim_t());
    double home_at = -1.0;
    double beyond_at = -1.0;
    for (std::size_t i = 0; i < trace_rows(trace); ++i) {
      const double t = trace["t"][i];
      const double off = loaded_offset(trace["actual"][i], k.limits);
      if (t < t0) continue;
      if (home_at < 0 && off <= 0.5 * k.limits.tolerance) home_at = t;
      if (beyond_at < 0 && off > beyond) beyond_at = t;
    }
    EXPECT_TRUE(home_at >= 0 && (beyond_at < 0 || home_at < beyond_at))
        << "the session loaded the person further without releasing home first (home at sim t "
        << home_at << " s, beyond the start level at " << beyond_at << " s)";
    u.rig.call("session.stop");
    EXPECT_TRUE(u.wait_home("idle", 30s)) << u.why();
  }
  u.watch.stop();
  u.expect_never_idle_while_loaded();
  TraceColumns trace = trace_through(u.rig, u.sim_t());
  EXPECT_LE(largest_enable_step(trace, t0), 0.1 * k.limits.tolerance);
  const std::vector<double> disabled = disabled_while_away(trace, k.limits, t0);
  EXPECT_TRUE(disabled.empty()) << "disabled with the person loaded at sim t " << disabled.front()
                                << " s (the daemon started at " << t0 << " s); " << u.why();
}

TEST(UnkindDriveStart, a_session_start_with_the_person_loaded_releases_first_or_says_why_not) {
  on_both_kinds("hold", start_while_away);
}

}  // namespace
}  // namespace traction::e2e
