// SPDX-License-Identifier: Apache-2.0
// A steady-state control cycle (ModbusDriver::read + write) allocates nothing and logs nothing.
// The count is kept per thread (tests/alloc/counting_allocator.hpp): the simulator serving in the
// same process has its own threads and allocates as it likes.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "drivers/drive_walk.hpp"
#include "drivers/modbus/modbus_driver.hpp"
#include "simulator/simulator.hpp"
#include "tests/alloc/counting_allocator.hpp"
#include "tests/driver/driver_test_support.hpp"
#include "tests/sim/sim_support.hpp"

namespace traction {
namespace {

using alloc_test::CycleWatch;
using cia402::Goal;
using sim::testing::PtyPair;
using testing::load_device;

constexpr int kWarmUpCycles = 100;
constexpr int kCountedCycles = 1000;

class DriverCycleAllocations : public ::testing::TestWithParam<DeviceUri::Transport> {
 protected:
  void SetUp() override {
    const bool rtu = GetParam() == DeviceUri::Transport::rtu;
    sim::SimOptions options;
    if (rtu) options.rtu_fd = pty_.device_side;
    auto created = sim::Simulator::create(options);
    ASSERT_TRUE(created.ok()) << created.status().message();
    simulator_ = std::move(*created);
    ASSERT_TRUE(simulator_->start().ok());
    const DeviceUri uri = *parse_device_uri(
        rtu ? "rtu:///dev/pty-test" : "tcp://127.0.0.1:" + std::to_string(simulator_->tcp_port()));
    ModbusDriverOptions driver_options;
    driver_options.rtu_fd = rtu ? pty_.client_side : -1;
    driver_ = std::make_unique<ModbusDriver>(load_device("config/devices/sim-inversion.json"), uri,
                                             driver_options);
    const Status configured = driver_->configure();
    ASSERT_TRUE(configured.ok()) << configured.message();
  }

  // One control cycle: read, then write a target near the measured angle (a slow sine, as a
  // governed hold would move) toward `goal`. Returns false on any failure.
  bool cycle(Goal goal, int i) {
    if (!driver_->read(state_)) return false;
    const double target = goal == Goal::enabled ? start_ + 0.5 * std::sin(i * 0.01) : state_.actual;
    return driver_->write(AxisCommand{target, goal}).ok();
  }

  // Warm-up, then the counted cycles; every cycle must succeed.
  void expect_no_allocation(Goal goal) {
    for (int i = 0; i < kWarmUpCycles; ++i) ASSERT_TRUE(cycle(goal, i)) << "warm-up " << i;
    int failed = 0;
    CycleWatch watch;
    for (int i = 0; i < kCountedCycles; ++i) failed += cycle(goal, kWarmUpCycles + i) ? 0 : 1;
    watch.stop();
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(watch.allocations(), 0) << "heap allocations in " << kCountedCycles << " cycles";
    EXPECT_EQ(watch.log_records(), 0) << "log records in " << kCountedCycles << " cycles";
  }

  PtyPair pty_;
  std::unique_ptr<sim::Simulator> simulator_;
  std::unique_ptr<ModbusDriver> driver_;
  DeviceState state_;
  double start_ = 0.0;  // the measured angle when the drive was enabled
};

TEST_P(DriverCycleAllocations, operation_enabled_following_a_moving_target_allocates_nothing) {
  const Status enabled = walk_to(*driver_, state_, Goal::enabled, std::chrono::milliseconds(3000));
  ASSERT_TRUE(enabled.ok()) << enabled.message();
  start_ = state_.actual;
  expect_no_allocation(Goal::enabled);
  EXPECT_EQ(state_.drive, cia402::State::operation_enabled);
}

TEST_P(DriverCycleAllocations, idle_with_the_drive_disabled_allocates_nothing) {
  expect_no_allocation(Goal::disabled);
  EXPECT_TRUE(cia402::reached(state_.drive, Goal::disabled));
}

INSTANTIATE_TEST_SUITE_P(Transports, DriverCycleAllocations,
                         ::testing::Values(DeviceUri::Transport::tcp, DeviceUri::Transport::rtu),
                         [](const auto& info) {
                           return info.param == DeviceUri::Transport::tcp ? "tcp" : "rtu";
                         });

}  // namespace
}  // namespace traction
