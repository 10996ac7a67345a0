// SPDX-License-Identifier: Apache-2.0
// One test per release rate, through the session controller with a simulated clock: a normal stop
// releases at release_rate_stop, the patient stop switch at release_rate_patient, a fault or an
// emergency stop at release_rate_fault. The limits come from all three levels (device file, site,
// profile), and the setpoint's speed is measured by finite differences.
#include <gtest/gtest.h>

#include "tests/engine/controller_rig.hpp"
#include "tests/engine/ideal_rig.hpp"

namespace traction {
namespace {

using engine_test::IdealRig;
using nlohmann::json;

// Device (sim table): stop 6, patient 10, fault 12 deg/s. The site lowers the stop rate to 5, the
// profile the patient and fault rates to 8 and 9.
std::shared_ptr<const Plan> plan_with_three_levels() {
  const json profiles =
      json::array({{{"name", "pat"},
                    {"limits", {{"release_rate_patient", 8.0}, {"release_rate_fault", 9.0}}}}});
  const auto catalog =
      engine_test::sim_catalog(DeviceKind::inversion, profiles, {{"release_rate_stop", 5.0}});
  if (!catalog) return nullptr;
  return engine_test::plan_for(*catalog, {{"definition",
                                           {{"kinds", {"inversion"}},
                                            {"mode", "static"},
                                            {"target", 40},
                                            {"hold_seconds", 30},
                                            {"rate_up", 8}}},
                                          {"profile", "pat"}});
}

// Runs the plan into its hold, applies `stop`, and returns the largest setpoint speed until the
// setpoint is home again.
template <class F>
double release_speed(IdealRig& rig, const std::shared_ptr<const Plan>& plan, F&& stop) {
  EXPECT_FALSE(rig.command(CommandKind::start, plan).error);
  EXPECT_TRUE(rig.run_until([&] { return rig.setpoint() >= 40.0 - 1e-9; }, 30));
  const std::size_t from = rig.setpoints().p.size();
  stop(rig);
  EXPECT_TRUE(rig.run_until([&] { return std::abs(rig.setpoint()) < 1e-9; }, 30));
  rig.run_for(0.1);
  return rig.max_speed_since(from);
}

TEST(ReleaseRate, a_normal_stop_releases_at_release_rate_stop_set_by_the_site) {
  const auto plan = plan_with_three_levels();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->limits.source.at("release_rate_stop"), "site");
  IdealRig rig(plan->limits);
  const double speed = release_speed(
      rig, plan, [](IdealRig& g) { ASSERT_FALSE(g.command(CommandKind::stop).error); });
  EXPECT_NEAR(speed, 5.0, 1e-3);
  EXPECT_EQ(rig.state(), DaemonState::idle);
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["outcome"], "stopped");
}

TEST(ReleaseRate, the_patient_stop_releases_at_release_rate_patient_set_by_the_profile) {
  const auto plan = plan_with_three_levels();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->limits.source.at("release_rate_patient"), "profile");
  IdealRig rig(plan->limits);
  const double speed = release_speed(rig, plan, [](IdealRig& g) { g.device.stop_pressed = true; });
  EXPECT_NEAR(speed, 8.0, 1e-3);
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["outcome"], "stop_switch");
}

TEST(ReleaseRate, a_fault_releases_at_release_rate_fault_set_by_the_profile) {
  const auto plan = plan_with_three_levels();
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->limits.source.at("release_rate_fault"), "profile");
  IdealRig rig(plan->limits);
  const double speed = release_speed(rig, plan, [](IdealRig& g) { g.offset = 2.0; });  // overshoot
  EXPECT_NEAR(speed, 9.0, 1e-3);
  EXPECT_EQ(rig.state(), DaemonState::fault);
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["outcome"], "faulted");
}

TEST(ReleaseRate, an_emergency_stop_releases_at_release_rate_fault_from_the_device_file) {
  const auto catalog = engine_test::sim_catalog(DeviceKind::inversion);
  ASSERT_TRUE(catalog);
  const auto plan = engine_test::plan_for(
      *catalog,
      {{"definition",
        {{"kinds", {"inversion"}}, {"mode", "static"}, {"target", 40}, {"hold_seconds", 30}}}});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->limits.source.at("release_rate_fault"), "device");
  IdealRig rig(plan->limits);
  const double speed = release_speed(
      rig, plan, [](IdealRig& g) { ASSERT_FALSE(g.command(CommandKind::estop).error); });
  EXPECT_NEAR(speed, 12.0, 1e-3);
  EXPECT_EQ(rig.state(), DaemonState::estop);
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["outcome"], "estopped");
}

}  // namespace
}  // namespace traction
