// SPDX-License-Identifier: Apache-2.0
// Recovery paths of the Modbus driver (link errors, exceptions, timeouts) and activation refusals,
// against the independent pymodbus drive and its fault injector.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "drivers/drive_walk.hpp"
#include "drivers/modbus/modbus_driver.hpp"
#include "tests/driver/driver_test_support.hpp"

namespace traction {
namespace {

using cia402::Goal;
using std::chrono::milliseconds;

constexpr milliseconds kWalkTimeout{3000};
using testing::ForeignDevice;
using testing::load_device;
using testing::wait_until;

milliseconds elapsed_since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

class ForeignFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    const Status s = driver_.configure();
    ASSERT_TRUE(s.ok()) << s.message();
  }
  bool drive_enabled() { return (device_.status_word() & 0x6F) == 0x27; }
  Status activate(ModbusDriver& driver) {
    return walk_to(driver, state_, Goal::enabled, kWalkTimeout);
  }

  ForeignDevice device_;
  DeviceFile file_ = load_device("tests/peers/foreign_device/foreign.json");
  ModbusDriverOptions options_{3, 100, 400, -1};
  ModbusDriver driver_{file_, device_.uri(), options_};
  DeviceState state_;
};

TEST_F(ForeignFaults, busy_exception_fails_one_read_and_the_next_read_recovers) {
  device_.inject(ForeignDevice::busy, 1);
  const Status failed = driver_.read(state_);
  EXPECT_EQ(failed.code(), Errc::exception);
  EXPECT_NE(failed.message().find("busy"), std::string::npos) << failed.message();
  EXPECT_FALSE(state_.fresh);
  EXPECT_EQ(state_.consecutive_failures, 1U);
  ASSERT_TRUE(driver_.read(state_).ok());
  EXPECT_TRUE(state_.fresh);
  EXPECT_EQ(state_.consecutive_failures, 0U);
}

TEST_F(ForeignFaults, illegal_address_exception_is_reported_as_an_exception) {
  device_.inject(ForeignDevice::illegal_address, 1);
  const Status failed = driver_.read(state_);
  EXPECT_EQ(failed.code(), Errc::exception);
  EXPECT_NE(failed.message().find("address"), std::string::npos) << failed.message();
}

TEST_F(ForeignFaults, unanswered_request_times_out_within_the_response_timeout) {
  device_.inject(ForeignDevice::silent, 1);
  const auto start = Clock::now();
  EXPECT_EQ(driver_.read(state_).code(), Errc::timeout);
  EXPECT_LT(elapsed_since(start), milliseconds(file_.timeouts.response_timeout_ms + 150));
  EXPECT_FALSE(state_.fresh);
  EXPECT_TRUE(driver_.read(state_).ok());
}

TEST_F(ForeignFaults, late_reply_after_a_timeout_does_not_desynchronise_later_reads) {
  ASSERT_TRUE(driver_.read(state_).ok());
  const double actual_before = state_.actual;
  device_.inject(ForeignDevice::late, 1, 350);  // response timeout is 200 ms
  EXPECT_EQ(driver_.read(state_).code(), Errc::timeout);
  ASSERT_TRUE(wait_until([&] { return driver_.read(state_).ok(); }));
  for (int i = 0; i < 20; ++i) {
    const Status s = driver_.read(state_);
    ASSERT_TRUE(s.ok()) << "read " << i << ": " << s.message();
    EXPECT_EQ(state_.status_word, 0x0240);
    EXPECT_DOUBLE_EQ(state_.actual, actual_before);
    EXPECT_TRUE(state_.stop_connected);
  }
}

TEST_F(ForeignFaults, consecutive_failed_cycles_make_the_device_unavailable_then_available_again) {
  device_.inject(ForeignDevice::silent, ForeignDevice::kForever);
  for (int cycle = 1; cycle <= 3; ++cycle) {
    EXPECT_FALSE(driver_.read(state_).ok());
    EXPECT_EQ(state_.consecutive_failures, static_cast<std::uint32_t>(cycle));
    EXPECT_EQ(state_.available, cycle < 3) << "cycle " << cycle;
  }
  device_.inject(ForeignDevice::none, 0);
  ASSERT_TRUE(wait_until([&] { return driver_.read(state_).ok(); }));
  EXPECT_TRUE(state_.available);
  EXPECT_EQ(state_.consecutive_failures, 0U);
}

TEST_F(ForeignFaults,
       cycles_whose_reads_succeed_but_writes_fail_still_make_the_device_unavailable) {
  for (int cycle = 0; cycle < 3; ++cycle) {
    ASSERT_TRUE(driver_.read(state_).ok());
    device_.inject(ForeignDevice::busy, 1);  // only the write of this cycle is refused
    EXPECT_EQ(driver_.write(AxisCommand{0.0}).code(), Errc::exception);
  }
  ASSERT_TRUE(driver_.read(state_).ok());
  EXPECT_TRUE(state_.fresh);
  EXPECT_EQ(state_.consecutive_failures, 3U);
  EXPECT_FALSE(state_.available);
}

TEST(ForeignFaultsUnreached, a_device_never_reached_is_not_available_after_one_failure) {
  const DeviceFile file = load_device("tests/peers/foreign_device/foreign.json");
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  ModbusDriver driver(file, *parse_device_uri("tcp://127.0.0.1:1"), ModbusDriverOptions{});
  DeviceState state;
  EXPECT_EQ(driver.read(state).code(), Errc::link);
  EXPECT_FALSE(state.available);
  EXPECT_EQ(state.consecutive_failures, 1U);
}

TEST_F(ForeignFaults, dropped_connection_is_reopened_after_the_backoff_without_blocking) {
  device_.inject(ForeignDevice::drop, 1);
  EXPECT_EQ(driver_.read(state_).code(), Errc::link);
  const auto start = Clock::now();
  EXPECT_EQ(driver_.read(state_).code(), Errc::link);  // within the 100 ms backoff: skipped
  EXPECT_LT(elapsed_since(start), milliseconds(20));
  EXPECT_TRUE(wait_until([&] { return driver_.read(state_).ok(); }, milliseconds(2000)));
  EXPECT_TRUE(state_.fresh);
}

TEST_F(ForeignFaults, a_connection_dropped_on_every_request_never_blocks_a_cycle) {
  device_.inject(ForeignDevice::drop, ForeignDevice::kForever);
  milliseconds longest{0};
  const auto start = Clock::now();
  while (elapsed_since(start) < milliseconds(800)) {
    const auto cycle = Clock::now();
    EXPECT_FALSE(driver_.read(state_).ok());
    longest = std::max(longest, elapsed_since(cycle));
  }
  EXPECT_LT(longest, milliseconds(file_.timeouts.response_timeout_ms + 100));
  EXPECT_FALSE(state_.available);
}

TEST_F(ForeignFaults, activation_is_refused_when_the_watchdog_register_does_not_read_back) {
  device_.break_watchdog_register(true);
  const Status s = activate(driver_);
  EXPECT_EQ(s.code(), Errc::refused);
  EXPECT_NE(s.message().find("watchdog"), std::string::npos) << s.message();
  EXPECT_FALSE(drive_enabled());
}

TEST_F(ForeignFaults,
       a_write_toward_enabled_that_cannot_arm_the_watchdog_keeps_the_drive_disabled_and_retries) {
  device_.break_watchdog_register(true);
  ASSERT_TRUE(driver_.read(state_).ok());
  ASSERT_EQ(state_.drive, cia402::State::switch_on_disabled);
  for (int cycle = 0; cycle < 3; ++cycle) {
    ASSERT_TRUE(driver_.read(state_).ok());
    const Status s = driver_.write(AxisCommand{state_.actual, Goal::enabled});
    EXPECT_EQ(s.code(), Errc::refused) << "cycle " << cycle;
    EXPECT_EQ(driver_.control_word(), cia402::kShutdown);
  }
  ASSERT_TRUE(driver_.read(state_).ok());
  EXPECT_NE(state_.drive, cia402::State::switched_on);
  EXPECT_NE(state_.drive, cia402::State::operation_enabled);
  device_.break_watchdog_register(false);  // repaired: the next walk arms it and goes on
  const Status s = activate(driver_);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(drive_enabled());
  EXPECT_EQ(device_.drive_word(false, 120), 50);
}

TEST_F(ForeignFaults, declared_external_hardware_watchdog_allows_activation_without_read_back) {
  device_.break_watchdog_register(true);
  DeviceFile external = file_;
  external.watchdog.external_hardware = true;
  ModbusDriver driver(external, device_.uri(), options_);
  const Status s = activate(driver);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(drive_enabled());
}

TEST_F(ForeignFaults, activation_is_refused_while_the_stop_switch_is_unplugged) {
  device_.stop_switch(false, false);
  const Status s = activate(driver_);
  EXPECT_EQ(s.code(), Errc::refused);
  EXPECT_NE(s.message().find("unplugged"), std::string::npos) << s.message();
  EXPECT_FALSE(drive_enabled());
}

TEST_F(ForeignFaults, activation_is_refused_while_the_stop_switch_is_pressed) {
  device_.stop_switch(true, true);
  const Status s = activate(driver_);
  EXPECT_EQ(s.code(), Errc::refused);
  EXPECT_FALSE(drive_enabled());
}

TEST_F(ForeignFaults, activation_over_a_dead_link_reports_the_link_not_a_refusal) {
  device_.inject(ForeignDevice::silent, ForeignDevice::kForever);
  const Status s = activate(driver_);
  EXPECT_TRUE(s.code() == Errc::timeout || s.code() == Errc::link) << to_string(s.code());
}

}  // namespace
}  // namespace traction
