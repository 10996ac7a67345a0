// SPDX-License-Identifier: Apache-2.0
// A power loss during a session (simulated clock, the simulator's physics): the drive comes back
// disabled wherever gravity or the rope left it. The daemon latches a fault and finishes the
// release: it enables the drive from the measured value (no step) and brings the axis home at the
// fault release rate, so nobody stays inverted or under tension until an admin comes.
#include <gtest/gtest.h>

#include "tests/engine/controller_rig.hpp"
#include "tests/engine/setpoint_profile.hpp"

namespace traction {
namespace {

using engine_test::ControllerRig;
using nlohmann::json;

constexpr double kPeriod = 0.01;

struct Case {
  DeviceKind kind;
  json definition;  // holds far from home long enough to lose power in the hold
  double home_band;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << to_string(c.kind);
}

class PowerLossRelease : public ::testing::TestWithParam<Case> {};

TEST_P(PowerLossRelease, the_release_is_finished_after_power_returns) {
  const Case& c = GetParam();
  const auto catalog =
      engine_test::sim_catalog(c.kind, json::array({{{"name", "p"}, {"body_mass_kg", 75}}}));
  ASSERT_TRUE(catalog);
  json definition = c.definition;
  definition["kinds"] = {to_string(c.kind)};
  const auto plan = engine_test::plan_for(*catalog, {{"definition", definition}, {"profile", "p"}});
  ASSERT_TRUE(plan);
  ControllerRig rig(c.kind, plan->limits);
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until(
      [&] {
        const auto s = rig.controller().snapshot(rig.now());
        return s.session && std::string(s.session->phase_kind) == "hold";
      },
      60));
  rig.run_for(1.0);

  // One second without power: no replies, the drive unpowered.
  rig.device().power_loss(1.0);
  rig.link_down(1.0, 0.1);
  rig.run_for(1.0);
  const std::size_t powered_again = rig.trace().size();
  const double stranded_at = rig.device().axis();
  ASSERT_GT(std::abs(stranded_at - plan->limits.home), c.home_band)
      << "the case must leave the axis away from home for the test to mean anything";

  ASSERT_TRUE(
      rig.run_until([&] { return rig.at_home_and_at_rest(plan->limits.home, c.home_band); }, 60))
      << "stranded at " << rig.device().axis() << " in state " << to_string(rig.state());
  EXPECT_EQ(rig.last_outcome(), "faulted");
  EXPECT_EQ(rig.state(), DaemonState::fault) << "the fault stays latched until device.reset";
  bool resumed = false;
  for (const Event& e : rig.events()) resumed = resumed || e.kind == EventKind::release_resumed;
  EXPECT_TRUE(resumed);

  // From the moment the drive follows setpoints again, the release is governed: no step, no
  // faster than the fault release rate.
  engine_test::SetpointProfile governed;
  governed.dt = kPeriod;
  for (std::size_t i = powered_again; i < rig.trace().size(); ++i) {
    if (rig.trace()[i].governed) governed.p.push_back(rig.trace()[i].setpoint);
  }
  ASSERT_GT(governed.p.size(), 10U);
  EXPECT_LE(governed.max_speed(), plan->limits.release_rate_fault * 1.001);
  EXPECT_NEAR(governed.p.front(), stranded_at, 3 * c.home_band)
      << "enabling started from the measured value";
}

INSTANTIATE_TEST_SUITE_P(
    BothKinds, PowerLossRelease,
    ::testing::Values(Case{DeviceKind::inversion,
                           {{"mode", "static"}, {"target", 25}, {"hold_seconds", 60}},
                           0.75},
                      Case{DeviceKind::traction,
                           {{"mode", "static"},
                            {"target", {{"fraction_bw", 0.3}}},
                            {"hold_seconds", 50},
                            {"pretension", {{"target", 30}, {"rate", 10}, {"seconds", 3}}}},
                           12.5}),
    [](const auto& info) { return std::string(to_string(info.param.kind)); });

}  // namespace
}  // namespace traction

namespace traction {
namespace {

// The decision alone, on a bench with a 15 N floor: under tension the release is resumed; slack
// (below the floor) is safe and never pulled back up to it.
TEST(ReleaseResume, a_slack_bench_is_left_slack_and_a_tensioned_one_is_released) {
  EffectiveLimits l = engine_test::table_limits();
  l.min_target = 0;
  l.max_target = 400;
  l.home = 15;
  l.tolerance = 25;
  SessionController controller(DeviceKind::traction, l, ControllerOptions{});
  const Tick t0 = engine_test::sim_tick(1000);
  DeviceState d;
  d.available = true;
  d.fresh = true;
  d.stop_connected = true;
  d.drive = cia402::State::switch_on_disabled;
  d.actual = 15;
  d.stamp = t0.now;
  controller.cycle(t0, d);  // disconnected -> idle
  ASSERT_FALSE(engine_test::send_command(controller, CommandKind::estop, nullptr, t0).error);
  ASSERT_EQ(controller.state(), DaemonState::estop);

  d.actual = 2.0;  // slack
  EXPECT_EQ(controller.cycle(t0, d).command.goal, cia402::Goal::disabled);
  d.actual = 80.0;  // under tension
  EXPECT_EQ(controller.cycle(t0, d).command.goal, cia402::Goal::enabled);
}

}  // namespace
}  // namespace traction
