// SPDX-License-Identifier: Apache-2.0
// The traction bench: rope, slack, spring-damper person, load cell and the drive's force loop.
#include <gtest/gtest.h>

#include <cmath>

#include "simulator/physics/traction_bench.hpp"
#include "tests/sim/physics_support.hpp"

namespace traction::sim {
namespace {

using cia402::State;
using testing::default_model;
using testing::enable;
using testing::run_for;

TEST(BenchPerson, spring_force_is_stiffness_times_stretch_beyond_slack) {
  const TractionModel m = default_model(DeviceKind::traction).traction;
  EXPECT_DOUBLE_EQ(person_force_n(m, m.slack_mm + 10.0, 0.0), 10.0 * m.stiffness_n_per_mm);
}

TEST(BenchPerson, slack_rope_gives_no_force) {
  const TractionModel m = default_model(DeviceKind::traction).traction;
  EXPECT_DOUBLE_EQ(person_force_n(m, m.slack_mm - 5.0, 20.0), 0.0);
}

TEST(BenchPerson, damper_adds_force_while_stretching) {
  const TractionModel m = default_model(DeviceKind::traction).traction;
  EXPECT_DOUBLE_EQ(person_force_n(m, m.slack_mm + 10.0, 5.0),
                   10.0 * m.stiffness_n_per_mm + 5.0 * m.damping_n_s_per_mm);
}

TEST(BenchForceLoop,
     when_target_steps_expect_force_to_follow_with_lag_and_settle_without_overshoot) {
  const DeviceModel model = default_model(DeviceKind::traction);
  SimDevice device(model, 7);
  enable(device);
  device.drive().write_target(300.0);
  run_for(device, 1.0);
  EXPECT_LT(device.force_n(), 200.0);  // ramps at most at the hardware force rate, never steps
  run_for(device, 6.0);
  EXPECT_NEAR(device.force_n(), 300.0, 5.0);
  EXPECT_LE(device.peaks().axis, 300.0 + 10.0);
}

TEST(BenchForceLoop, when_pulling_expect_rope_speed_and_force_within_hardware_limits) {
  const DeviceModel model = default_model(DeviceKind::traction);
  SimDevice device(model, 7);
  enable(device);
  device.drive().write_target(5000.0);
  EXPECT_TRUE(device.end_stop_high());
  EXPECT_DOUBLE_EQ(device.drive().target(), model.traction.max_force_n);
  double last_rope = device.rope_position_mm();
  double peak_rope_speed = 0.0;
  run_for(device, 20.0, true, [&] {
    peak_rope_speed =
        std::max(peak_rope_speed, std::abs(device.rope_position_mm() - last_rope) / 0.001);
    last_rope = device.rope_position_mm();
  });
  EXPECT_LE(peak_rope_speed, model.traction.max_rope_speed_mm_s + 1e-6);
  EXPECT_LE(device.peaks().axis, model.traction.max_force_n + 15.0);
}

TEST(BenchWatchdog, when_tripped_expect_release_to_floor_at_release_rate_never_a_snap) {
  const DeviceModel model = default_model(DeviceKind::traction);
  SimDevice device(model, 7);
  enable(device);
  device.drive().write_target(300.0);
  run_for(device, 6.0);
  device.drive().write_watchdog_timeout_ms(100);
  double peak_release_rate = 0.0;
  run_for(device, 10.0, /*feed=*/false, [&] {
    if (device.drive().watchdog_tripped()) {
      peak_release_rate = std::max(peak_release_rate, -device.axis_velocity());
    }
  });
  EXPECT_EQ(device.drive().fault_code(), kFaultCommLoss);
  EXPECT_EQ(device.drive().state(), State::fault);
  EXPECT_NEAR(device.force_n(), model.traction.floor_force_n, 3.0);
  EXPECT_LE(peak_release_rate, model.traction.release_rate_n_s * 1.25);
}

TEST(BenchStopSwitch, when_pressed_below_the_floor_expect_no_pull_up_to_the_floor) {
  const DeviceModel model = default_model(DeviceKind::traction);
  SimDevice device(model, 7);
  enable(device);
  device.press_stop();
  run_for(device, 3.0);
  EXPECT_EQ(device.drive().state(), State::quick_stop_active);
  EXPECT_LT(device.force_n(), 1.0);
}

TEST(BenchPowerLoss, when_unpowered_expect_tension_to_decay_smoothly) {
  const DeviceModel model = default_model(DeviceKind::traction);
  SimDevice device(model, 7);
  enable(device);
  device.drive().write_target(400.0);
  run_for(device, 8.0);
  const double start = device.force_n();
  device.power_loss(30.0);
  double peak_drop_rate = 0.0;
  run_for(device, 10.0, true,
          [&] { peak_drop_rate = std::max(peak_drop_rate, -device.axis_velocity()); });
  EXPECT_LT(device.force_n(), 0.05 * start);
  // Exponential decay: the fastest drop is at the start, force / time constant (plus the damper).
  EXPECT_LE(peak_drop_rate, 1.2 * start / model.traction.unpowered_decay_time_constant_s);
}

TEST(BenchLoadCell, when_seeded_alike_expect_identical_noise) {
  const DeviceModel model = default_model(DeviceKind::traction);
  SimDevice a(model, 42);
  SimDevice b(model, 42);
  run_for(a, 0.1);
  run_for(b, 0.1);
  EXPECT_DOUBLE_EQ(a.reported().axis, b.reported().axis);
  EXPECT_NE(a.reported().axis, model.traction.load_cell_offset_n);  // noise is present
}

}  // namespace
}  // namespace traction::sim
