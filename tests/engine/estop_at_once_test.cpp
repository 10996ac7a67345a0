// SPDX-License-Identifier: Apache-2.0
// An emergency stop does not wait for the next cycle: between two cycles the controller says at
// once what the drive must do (its quick stop, where that brings the person home), with the
// setpoint held where the last cycle left it, so that acting early never steps the axis.
// Simulated clock, the simulator's physics; judged on its ground truth.
#include <gtest/gtest.h>

#include "daemon/engine/home.hpp"
#include "tests/engine/controller_rig.hpp"
#include "tests/engine/sim_fixtures.hpp"

namespace traction {
namespace {

using engine_test::ControllerRig;
using engine_test::CycleRecord;
using nlohmann::json;

// A ramp to 25 deg on the table that is still under way 1.5 s in.
std::shared_ptr<const Plan> ramp_plan() {
  const auto catalog = engine_test::sim_catalog(DeviceKind::inversion);
  if (!catalog) return nullptr;
  return engine_test::plan_for(*catalog, {{"definition",
                                           {{"kinds", {"inversion"}},
                                            {"mode", "steps"},
                                            {"phases",
                                             {{{"kind", "ramp"}, {"target", 25.0}, {"rate", 4.0}},
                                              {{"kind", "hold"}, {"seconds", 10.0}}}}}}});
}

struct Case {
  bool quick_stop_goes_home;  // the device file's reactions.quick_stop
  sim::DriveReaction reaction;
};

class EstopAtOnce : public ::testing::TestWithParam<Case> {};

TEST_P(EstopAtOnce, tells_the_drive_between_cycles_without_moving_the_setpoint) {
  const Case c = GetParam();
  const auto plan = ramp_plan();
  ASSERT_TRUE(plan);
  ControllerOptions options;
  options.release.quick_stop_goes_home = c.quick_stop_goes_home;
  ControllerRig rig(DeviceKind::inversion, plan->limits, 1, options);
  rig.device().drive().set_reaction(c.reaction);
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.device().axis() > 5.0; }, 30));
  ASSERT_EQ(rig.state(), DaemonState::running);

  // Outside an estop there is nothing to say between cycles.
  EXPECT_FALSE(rig.controller().prompt(rig.tick()).write);

  const double setpoint = rig.trace().back().setpoint;
  const CycleOutput out = rig.estop_at_once();
  ASSERT_TRUE(out.write);
  EXPECT_EQ(rig.state(), DaemonState::estop);
  EXPECT_DOUBLE_EQ(out.command.target, setpoint) << "the setpoint holds: no step, no advance";
  if (c.quick_stop_goes_home) {
    EXPECT_EQ(out.command.goal, cia402::Goal::quick_stop);
    EXPECT_EQ(rig.device().drive().state(), cia402::State::quick_stop_active)
        << "the drive's quick stop began before the next cycle";
  } else {
    // The daemon releases through its governor from the next cycle on; until then the drive
    // keeps following the held setpoint.
    EXPECT_EQ(out.command.goal, cia402::Goal::enabled);
    EXPECT_EQ(rig.device().drive().state(), cia402::State::operation_enabled);
  }

  // The cycles that follow bring the person home; while the drive follows, the setpoint moves
  // no more per cycle than the fault release rate allows.
  const std::size_t from = rig.trace().size();
  ASSERT_TRUE(rig.run_until([&] { return rig.at_home_and_at_rest(0.0, 0.75); }, 60))
      << "at " << rig.device().axis();
  EXPECT_EQ(rig.state(), DaemonState::estop);
  const double most = std::max(plan->limits.release_rate_fault, plan->limits.max_rate_up) *
                      options.period_s * 1.001;
  double previous = setpoint;
  for (std::size_t i = from; i < rig.trace().size(); ++i) {
    const CycleRecord& r = rig.trace()[i];
    if (r.governed && r.written) {
      EXPECT_LE(std::abs(r.setpoint - previous), most) << "cycle " << i;
    }
    previous = r.setpoint;
  }
}

INSTANTIATE_TEST_SUITE_P(Reactions, EstopAtOnce,
                         ::testing::Values(Case{true, sim::DriveReaction::home},
                                           Case{false, sim::DriveReaction::home},
                                           Case{false, sim::DriveReaction::hold}),
                         [](const auto& info) {
                           return std::string(info.param.quick_stop_goes_home ? "quick_stop_home"
                                                                              : "daemon_releases") +
                                  "_drive_" + sim::to_string(info.param.reaction);
                         });

}  // namespace
}  // namespace traction
