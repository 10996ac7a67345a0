// SPDX-License-Identifier: Apache-2.0
// The driver against an independent Modbus drive (pymodbus, tests/peers/foreign_device) whose
// layout shares nothing with ours: the register map really is data.
#include <gtest/gtest.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cmath>

#include "drivers/drive_walk.hpp"
#include "drivers/modbus/modbus_driver.hpp"
#include "tests/driver/driver_test_support.hpp"

namespace traction {
namespace {

using cia402::Goal;
using testing::ForeignDevice;
using testing::load_device;
using testing::wait_until;

constexpr std::chrono::milliseconds kWalkTimeout{3000};

class ForeignDrive : public ::testing::Test {
 protected:
  Status activate() { return walk_to(driver_, state_, Goal::enabled, kWalkTimeout); }

  ForeignDevice device_;
  DeviceFile file_ = load_device("tests/peers/foreign_device/foreign.json");
  ModbusDriver driver_{file_, device_.uri(), ModbusDriverOptions{}};
  DeviceState state_;
};

TEST_F(ForeignDrive, reads_every_mapped_signal_through_its_own_layout) {
  ASSERT_TRUE(driver_.configure().ok());
  const Status s = driver_.read(state_);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(state_.fresh);
  EXPECT_TRUE(state_.available);
  EXPECT_EQ(state_.status_word, 0x0240);  // switch-on disabled, with the drive's "remote" bit 9
  EXPECT_EQ(state_.drive, cia402::State::switch_on_disabled);
  EXPECT_TRUE(state_.stop_connected);
  EXPECT_FALSE(state_.stop_pressed);
  EXPECT_NEAR(state_.actual, 0.0, 1e-6);
  EXPECT_TRUE(state_.velocity.has_value());
  EXPECT_TRUE(state_.force_n.has_value());
  EXPECT_GT(state_.stamp.time_since_epoch().count(), 0);
}

TEST_F(ForeignDrive, identity_is_read_once_at_configuration_in_its_own_layout) {
  ASSERT_TRUE(driver_.configure().ok());
  const DeviceIdentity& id = driver_.identity();
  EXPECT_TRUE(id.vendor_id.has_value());
  EXPECT_TRUE(id.product_code.has_value());
  EXPECT_TRUE(id.firmware_version.has_value());  // u32, low word first
}

TEST_F(ForeignDrive, activation_arms_the_watchdog_in_its_scale_and_enables_operation) {
  const Status s = activate();
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(driver_.read(state_).ok());
  EXPECT_EQ(state_.drive, cia402::State::operation_enabled);
  EXPECT_EQ(device_.drive_word(false, 120), 50);  // 500 ms at 10 ms per count
}

TEST_F(ForeignDrive, written_target_moves_the_axis_there_low_word_first) {
  const Status activated = activate();
  ASSERT_TRUE(activated.ok()) << activated.message();
  const bool arrived = wait_until([&] {
    EXPECT_TRUE(driver_.write(AxisCommand{5.0, Goal::enabled}).ok());
    return driver_.read(state_).ok() && std::abs(state_.actual - 5.0) < 0.05;
  });
  EXPECT_TRUE(arrived) << "actual " << state_.actual;
  EXPECT_EQ(device_.drive_word(false, 100), 500);  // 5.00 deg in hundredths, low word first
  EXPECT_EQ(device_.drive_word(false, 101), 0);
}

TEST_F(ForeignDrive, heartbeat_register_increments_on_every_write) {
  ASSERT_TRUE(driver_.configure().ok());
  ASSERT_TRUE(driver_.write(AxisCommand{0.0}).ok());
  const std::uint16_t first = device_.drive_word(false, 111);
  ASSERT_TRUE(driver_.write(AxisCommand{0.0}).ok());
  ASSERT_TRUE(driver_.write(AxisCommand{0.0}).ok());
  EXPECT_EQ(device_.drive_word(false, 111), static_cast<std::uint16_t>(first + 2));
}

TEST_F(ForeignDrive, one_cycle_costs_one_request_per_cycle_block_and_per_write_run) {
  ASSERT_TRUE(driver_.configure().ok());
  const auto before = driver_.transactions();
  ASSERT_TRUE(driver_.read(state_).ok());
  ASSERT_TRUE(driver_.write(AxisCommand{0.0}).ok());
  // Was 6 + 2: the map's six read blocks, of which a cycle needs two (inputs 200.., discrete 10..).
  EXPECT_EQ(driver_.transactions() - before, 2U + 2U);
}

TEST_F(ForeignDrive, activation_sets_the_setpoint_to_the_measured_angle_before_enabling) {
  // Move the axis away from zero, disable, then activate again: the target must equal the
  // measured angle when operation is enabled, so nothing jumps.
  const Status activated = activate();
  ASSERT_TRUE(activated.ok()) << activated.message();
  ASSERT_TRUE(wait_until([&] {
    driver_.write(AxisCommand{3.0, Goal::enabled});
    return driver_.read(state_).ok() && std::abs(state_.actual - 3.0) < 0.05;
  }));
  ASSERT_TRUE(walk_to(driver_, state_, Goal::disabled, 3.0, kWalkTimeout).ok());
  ModbusDriver fresh(file_, device_.uri(), ModbusDriverOptions{});  // a restarted daemon
  ASSERT_TRUE(fresh.configure().ok());
  DeviceState fresh_state;
  ASSERT_TRUE(walk_to(fresh, fresh_state, Goal::enabled, kWalkTimeout).ok());
  EXPECT_NEAR(device_.drive_word(false, 100) * 0.01, 3.0, 0.05);
}

TEST_F(ForeignDrive, goal_quick_stop_puts_the_drive_in_quick_stop_active) {
  const Status activated = activate();
  ASSERT_TRUE(activated.ok()) << activated.message();
  ASSERT_TRUE(driver_.write(AxisCommand{state_.actual, Goal::quick_stop}).ok());
  EXPECT_EQ(driver_.control_word(), cia402::kQuickStop);
  EXPECT_TRUE(wait_until([&] {
    return driver_.read(state_).ok() && state_.drive == cia402::State::quick_stop_active;
  }));
  const Status s = walk_to(driver_, state_, Goal::quick_stop, kWalkTimeout);  // kept there
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(driver_.control_word(), cia402::kQuickStop);
}

TEST_F(ForeignDrive, goal_disabled_leaves_the_drive_ready_but_not_enabled) {
  const Status activated = activate();
  ASSERT_TRUE(activated.ok()) << activated.message();
  ASSERT_TRUE(driver_.write(AxisCommand{state_.actual, Goal::disabled}).ok());
  EXPECT_EQ(driver_.control_word(), cia402::kShutdown);
  EXPECT_TRUE(wait_until([&] {
    return driver_.read(state_).ok() && state_.drive == cia402::State::ready_to_switch_on;
  }));
}

TEST_F(ForeignDrive, reset_fault_clears_a_watchdog_trip_and_leaves_the_drive_disabled) {
  const Status activated = activate();
  ASSERT_TRUE(activated.ok()) << activated.message();
  // Silence on the bus for longer than the armed 500 ms: the drive's own watchdog must trip.
  ASSERT_TRUE(wait_until([&] { return (device_.status_word() & 0x4F) == 0x08; },
                         std::chrono::milliseconds(3000)));
  EXPECT_EQ(device_.fault_code(), 0x8130);
  const Status s = walk_to(driver_, state_, Goal::fault_reset, kWalkTimeout);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(driver_.read(state_).ok());
  EXPECT_EQ(state_.drive, cia402::State::switch_on_disabled);
  EXPECT_EQ(state_.fault_code, 0);
}

TEST_F(ForeignDrive, activation_of_a_faulted_drive_is_refused_until_reset) {
  const Status activated = activate();
  ASSERT_TRUE(activated.ok()) << activated.message();
  ASSERT_TRUE(wait_until([&] { return (device_.status_word() & 0x4F) == 0x08; },
                         std::chrono::milliseconds(3000)));
  EXPECT_EQ(activate().code(), Errc::state);
  // A write toward enabled does not walk through a fault either: the drive is kept disabled.
  ASSERT_TRUE(driver_.read(state_).ok());
  ASSERT_TRUE(driver_.write(AxisCommand{state_.actual, Goal::enabled}).ok());
  EXPECT_EQ(driver_.control_word(), cia402::kShutdown);
}

TEST(ForeignDriveRtu, activates_and_moves_the_axis_over_an_rtu_line) {
  int driver_side = -1;
  int device_side = -1;
  ASSERT_EQ(::openpty(&driver_side, &device_side, nullptr, nullptr, nullptr), 0);
  termios tio{};
  ::tcgetattr(driver_side, &tio);
  ::cfmakeraw(&tio);
  ::tcsetattr(driver_side, TCSANOW, &tio);
  {
    ForeignDevice device(::ttyname(device_side));
    const DeviceFile file = load_device("tests/peers/foreign_device/foreign.json");
    ModbusDriver driver(file, *parse_device_uri("rtu:///dev/foreign-pty?baud=19200&unit=1"),
                        ModbusDriverOptions{5, 100, 2000, driver_side});
    DeviceState state;
    const Status activated = walk_to(driver, state, Goal::enabled, kWalkTimeout);
    ASSERT_TRUE(activated.ok()) << activated.message();
    EXPECT_TRUE(wait_until([&] {
      driver.write(AxisCommand{-2.0, Goal::enabled});
      return driver.read(state).ok() && std::abs(state.actual + 2.0) < 0.05;
    })) << "actual "
        << state.actual;
    EXPECT_EQ(state.drive, cia402::State::operation_enabled);
  }
  ::close(driver_side);
  ::close(device_side);
}

}  // namespace
}  // namespace traction
