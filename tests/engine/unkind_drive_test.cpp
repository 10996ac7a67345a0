// SPDX-License-Identifier: Apache-2.0
// The safety core against drives as unkind as real ones (simulated clock, the simulator's
// physics): a drive that holds in place on a fault, a watchdog trip, a quick stop, the patient's
// switch and a power cut (`hold`), beside one that goes home by itself (`home`). Whatever happens,
// the daemon's job ends only when the person is home or a fault says plainly that they are not;
// it never reports idle away from home, never disables a drive under load, never steps the axis,
// and releases no faster than its release rate. Judged on the simulator's ground truth.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "daemon/engine/home.hpp"
#include "tests/engine/controller_rig.hpp"

namespace traction {
namespace {

using engine_test::ControllerRig;
using nlohmann::json;

constexpr std::uint16_t kCommLoss = 0x8130;  // the simulator's watchdog fault

struct Case {
  DeviceKind kind;
  sim::DriveReaction reaction;
};

std::string name_of(const Case& c) {
  return std::string(to_string(c.kind)) + "_" + sim::to_string(c.reaction);
}

// A plan that holds far from home long enough for a fault in the hold.
std::shared_ptr<const Plan> loaded_hold(DeviceKind kind) {
  const auto catalog =
      engine_test::sim_catalog(kind, json::array({{{"name", "p"}, {"body_mass_kg", 75}}}));
  json definition = kind == DeviceKind::inversion
                        ? json{{"mode", "static"}, {"target", 25}, {"hold_seconds", 60}}
                        : json{{"mode", "static"},
                               {"target", {{"fraction_bw", 0.3}}},
                               {"hold_seconds", 50},
                               {"pretension", {{"target", 30}, {"rate", 10}, {"seconds", 3}}}};
  definition["kinds"] = {to_string(kind)};
  return catalog ? engine_test::plan_for(*catalog, {{"definition", definition}, {"profile", "p"}})
                 : nullptr;
}

ControllerOptions unkind_options() {
  ControllerOptions o;
  o.release.comm_loss_fault_code = kCommLoss;  // as the sim device files declare it
  return o;
}

class UnkindDrive : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    plan_ = loaded_hold(GetParam().kind);
    ASSERT_TRUE(plan_);
    rig_.emplace(GetParam().kind, plan_->limits, 1, unkind_options());
    rig_->device().drive().set_reaction(GetParam().reaction);
  }
  ControllerRig& rig() { return *rig_; }
  const EffectiveLimits& limits() const { return plan_->limits; }
  double band() const { return 0.5 * limits().tolerance; }
  bool truth_away(const engine_test::CycleRecord& c) const {
    return away_from_home(c.truth, limits(), GetParam().kind);
  }
  ::testing::AssertionResult home_at_rest() {
    if (rig().at_home_and_at_rest(limits().home, band())) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "not home at rest: " << rig().device().axis() << " moving at "
           << rig().device().axis_velocity() << " (home " << limits().home << ", band " << band()
           << "), state " << to_string(rig().state());
  }

  // Starts the plan and runs one second into its hold.
  void into_the_hold() {
    ASSERT_FALSE(rig().command(CommandKind::start, plan_).error);
    ASSERT_TRUE(rig().run_until(
        [&] {
          const auto s = rig().controller().snapshot(rig().now());
          return s.session && std::string(s.session->phase_kind) == "hold";
        },
        60));
    rig().run_for(1.0);
    from_ = rig().trace().size();
    ASSERT_TRUE(away_from_home(rig().device().axis(), limits(), GetParam().kind));
  }

  // Every safety promise of the file, over the trace since the hold began.
  void expect_the_promises_kept() {
    const auto& trace = rig().trace();
    for (std::size_t i = from_; i < trace.size(); ++i) {
      const auto& c = trace[i];
      EXPECT_FALSE(c.state == DaemonState::idle && truth_away(c))
          << "idle away from home at t=" << c.t << ": " << c.truth;
      const bool disables = c.written && (c.control_word == cia402::kShutdown ||
                                          c.control_word == cia402::kDisableVoltage);
      // `governed`: this cycle's reading showed the drive enabled, so this write disabled it.
      EXPECT_FALSE(disables && c.governed && truth_away(c))
          << "an enabled drive disabled under load at t=" << c.t << ": " << c.truth;
    }
    // Governed motion: no faster than the fault release rate, no step on enable.
    for (std::size_t i = from_ + 1; i < trace.size(); ++i) {
      const auto& a = trace[i - 1];
      const auto& b = trace[i];
      if (a.governed && b.governed && a.state != DaemonState::running) {
        EXPECT_LE(std::abs(b.setpoint - a.setpoint) / (b.t - a.t),
                  limits().release_rate_fault * 1.001)
            << "t=" << b.t;
      }
      if (!a.governed && b.governed) {
        EXPECT_NEAR(b.setpoint, b.actual, 2 * band()) << "enabling starts from the measured value";
      }
    }
  }
  // Idle is declared within the settle band of home; the mechanics may still settle there (a
  // bench's rope tension decays toward slack).
  ::testing::AssertionResult settles_home() {
    rig().run_until([&] { return rig().at_home_and_at_rest(limits().home, band()); }, 5.0);
    return home_at_rest();
  }
  std::string events_text() const {
    std::string out;
    for (const Event& e : rig_->events()) {
      out += std::string(to_string(e.kind)) + "(" + e.rule + " " + e.reason + ") ";
    }
    return out;
  }
  bool saw_event(EventKind kind) const {
    for (const Event& e : rig_->events())
      if (e.kind == kind) return true;
    return false;
  }
  bool saw_state(DaemonState state) const {
    for (const auto& c : rig_->trace())
      if (c.state == state) return true;
    return false;
  }
  // device.reset, retried until the device is at rest and it is accepted.
  void reset_when_allowed() {
    ASSERT_TRUE(rig().run_until([&] { return !rig().command(CommandKind::reset).error; }, 30));
  }

  std::shared_ptr<const Plan> plan_;
  std::optional<ControllerRig> rig_;
  std::size_t from_ = 0;
};

TEST_P(UnkindDrive, a_drive_fault_in_a_hold_then_reset_brings_the_person_home_before_idle) {
  into_the_hold();
  rig().device().drive().inject_fault(0x2310, 0.5);
  ASSERT_TRUE(rig().run_until([&] { return rig().state() == DaemonState::fault; }, 2));
  rig().run_for(2.0);
  reset_when_allowed();
  ASSERT_TRUE(rig().run_until([&] { return rig().state() == DaemonState::idle; }, 60))
      << to_string(rig().state()) << " at " << rig().device().axis();
  EXPECT_TRUE(settles_home());
  if (GetParam().reaction == sim::DriveReaction::hold) {
    EXPECT_TRUE(saw_state(DaemonState::recovering));
  }
  expect_the_promises_kept();
}

TEST_P(UnkindDrive, a_restart_in_a_hold_keeps_the_drive_enabled_and_recovers_home) {
  into_the_hold();
  rig().restart_controller();
  ASSERT_TRUE(rig().run_until([&] { return rig().state() == DaemonState::idle; }, 60));
  EXPECT_TRUE(settles_home());
  EXPECT_TRUE(saw_state(DaemonState::recovering));
  expect_the_promises_kept();
}

TEST_P(UnkindDrive, a_restart_after_the_watchdog_tripped_clears_its_own_fault_and_recovers) {
  into_the_hold();
  rig().link_down(1.5, 0.1);  // the daemon is gone: nothing reaches the drive
  rig().run_for(1.5);
  ASSERT_EQ(rig().device().drive().fault_code(), kCommLoss);
  rig().restart_controller();
  ASSERT_TRUE(rig().run_until([&] { return rig().state() == DaemonState::idle; }, 60))
      << to_string(rig().state()) << "; events: " << events_text();
  EXPECT_TRUE(settles_home());
  expect_the_promises_kept();
}

TEST_P(UnkindDrive, a_momentary_stop_switch_press_ends_idle_at_home) {
  into_the_hold();
  rig().device().press_stop();
  rig().run_for(0.2);
  rig().device().release_stop();
  ASSERT_TRUE(rig().run_until([&] { return rig().state() == DaemonState::idle; }, 60))
      << to_string(rig().state());
  EXPECT_EQ(rig().last_outcome(), "stop_switch");
  EXPECT_TRUE(settles_home());
  expect_the_promises_kept();
}

TEST_P(UnkindDrive, an_estop_releases_home_at_the_fault_rate_and_stays_latched) {
  into_the_hold();
  ASSERT_FALSE(rig().command(CommandKind::estop).error);
  ASSERT_TRUE(rig().run_until([&] { return home_at_rest(); }, 60));
  EXPECT_EQ(rig().state(), DaemonState::estop);
  EXPECT_EQ(rig().last_outcome(), "estopped");
  expect_the_promises_kept();
}

TEST_P(UnkindDrive, a_link_lost_past_the_watchdog_is_recovered_home_when_it_returns) {
  into_the_hold();
  rig().link_down(2.0, 0.1);
  ASSERT_TRUE(rig().run_until([&] { return home_at_rest(); }, 60))
      << to_string(rig().state()) << " at " << rig().device().axis();
  EXPECT_EQ(rig().state(), DaemonState::fault) << "latched until device.reset";
  expect_the_promises_kept();
}

TEST_P(UnkindDrive, a_power_cut_is_recovered_home) {
  into_the_hold();
  rig().device().power_loss(1.0);
  rig().link_down(1.0, 0.1);
  ASSERT_TRUE(rig().run_until([&] { return home_at_rest(); }, 60));
  EXPECT_TRUE(saw_event(EventKind::release_resumed));
  expect_the_promises_kept();
}

TEST_P(UnkindDrive, a_drive_fault_during_an_estop_release_says_the_person_is_still_loaded) {
  into_the_hold();
  ASSERT_FALSE(rig().command(CommandKind::estop).error);
  rig().run_for(0.3);
  rig().device().drive().inject_fault(0x2310, 0.5);
  rig().run_for(5.0);
  const auto s = rig().controller().snapshot(rig().now());
  EXPECT_EQ(s.state, DaemonState::estop) << "an estop stays an estop";
  bool drive_fault_reported = false;
  for (const Event& e : rig().events())
    drive_fault_reported |= e.kind == EventKind::fault && std::string(e.rule) == "drive_fault";
  EXPECT_TRUE(drive_fault_reported) << "the monitor runs in estop";
  if (GetParam().reaction == sim::DriveReaction::hold) {
    EXPECT_TRUE(s.away_from_home);
    EXPECT_NE(s.activity.find("still loaded"), std::string::npos) << s.activity;
    reset_when_allowed();
    ASSERT_TRUE(rig().run_until([&] { return rig().state() == DaemonState::idle; }, 60));
  }
  EXPECT_TRUE(rig().run_until([&] { return home_at_rest(); }, 60));
  expect_the_promises_kept();
}

INSTANTIATE_TEST_SUITE_P(KindsAndReactions, UnkindDrive,
                         ::testing::Values(Case{DeviceKind::inversion, sim::DriveReaction::home},
                                           Case{DeviceKind::inversion, sim::DriveReaction::hold},
                                           Case{DeviceKind::traction, sim::DriveReaction::home},
                                           Case{DeviceKind::traction, sim::DriveReaction::hold}),
                         [](const auto& info) { return name_of(info.param); });

// A drive whose quick stop is declared to bring the axis home is asked for it on an estop, and
// watched: when it holds instead, the daemon takes over with a governed release.
TEST(QuickStopHome, an_estop_uses_the_drives_quick_stop_and_takes_over_when_it_holds) {
  for (sim::DriveReaction reaction : {sim::DriveReaction::home, sim::DriveReaction::hold}) {
    const auto plan = loaded_hold(DeviceKind::inversion);
    ASSERT_TRUE(plan);
    ControllerOptions options = unkind_options();
    options.release.quick_stop_goes_home = true;
    ControllerRig rig(DeviceKind::inversion, plan->limits, 1, options);
    rig.device().drive().set_reaction(reaction);
    ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
    ASSERT_TRUE(rig.run_until([&] { return rig.device().axis() > 20; }, 60));
    const std::size_t from = rig.trace().size();
    ASSERT_FALSE(rig.command(CommandKind::estop).error);
    ASSERT_TRUE(rig.run_until([&] { return rig.at_home_and_at_rest(0.0, 0.75); }, 60))
        << sim::to_string(reaction) << " at " << rig.device().axis();
    bool quick_stop = false;
    for (std::size_t i = from; i < rig.trace().size(); ++i)
      quick_stop |= rig.trace()[i].written && rig.trace()[i].control_word == cia402::kQuickStop;
    EXPECT_TRUE(quick_stop) << sim::to_string(reaction);
    bool took_over = false;
    for (const Event& e : rig.events()) took_over |= e.kind == EventKind::release_stalled;
    EXPECT_EQ(took_over, reaction == sim::DriveReaction::hold) << sim::to_string(reaction);
  }
}

// A release the drive does not follow (its sensor stuck) is retried a bounded number of times,
// then the daemon gives up, asks for the drive's quick stop and says where the person is.
TEST(ReleaseNotFollowed, is_retried_at_most_three_times_then_reported_plainly) {
  const auto plan = loaded_hold(DeviceKind::inversion);
  ASSERT_TRUE(plan);
  ControllerRig rig(DeviceKind::inversion, plan->limits, 1, unkind_options());
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.device().axis() > 24; }, 60));
  rig.device().sensors().stick(600);  // the reading no longer moves
  ASSERT_FALSE(rig.command(CommandKind::estop).error);
  rig.run_for(60);
  int resumed = 0;
  for (const Event& e : rig.events()) resumed += e.kind == EventKind::release_resumed ? 1 : 0;
  EXPECT_LE(resumed, 3) << "no endless re-enable";
  const auto s = rig.controller().snapshot(rig.now());
  EXPECT_EQ(s.state, DaemonState::estop);
  EXPECT_NE(s.activity.find("still loaded"), std::string::npos) << s.activity;
  EXPECT_NE(s.fault.find("release_stalled"), std::string::npos) << s.fault;
}

// A session starts where the axis is: the first enabled setpoint is the measured value.
TEST(StartWhereTheAxisIs, the_first_enabled_setpoint_is_the_measured_value) {
  const auto plan = loaded_hold(DeviceKind::inversion);
  ASSERT_TRUE(plan);
  ControllerRig rig(DeviceKind::inversion, plan->limits, 1, unkind_options());
  // Leave the table 0.6° head-down (inside the home band) before the start.
  sim::Drive& drive = rig.device().drive();
  for (std::uint16_t cw : {cia402::kShutdown, cia402::kSwitchOn, cia402::kEnableOperation})
    drive.write_control_word(cw);
  drive.write_target(0.6);
  rig.device().advance(2.0);
  drive.write_control_word(cia402::kShutdown);
  rig.device().advance(0.5);
  rig.run_for(0.1);
  ASSERT_EQ(rig.state(), DaemonState::idle);
  const std::size_t from = rig.trace().size();
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::running; }, 5));
  for (std::size_t i = from; i < rig.trace().size(); ++i) {
    if (!rig.trace()[i].governed) continue;
    EXPECT_NEAR(rig.trace()[i].setpoint, rig.trace()[i].actual, 0.05);
    break;
  }
}

}  // namespace
}  // namespace traction
