// SPDX-License-Identifier: Apache-2.0
// The Modbus driver against traction-sim in the same process: over loopback TCP and over an RTU
// link on a pty pair (openpty + modbus_set_socket). Assertions compare with the simulator's ground
// truth (its "state" command).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "drivers/drive_walk.hpp"
#include "drivers/modbus/modbus_driver.hpp"
#include "simulator/simulator.hpp"
#include "tests/driver/driver_test_support.hpp"
#include "tests/sim/sim_support.hpp"

namespace traction {
namespace {

using cia402::Goal;
using std::chrono::milliseconds;
using testing::load_device;

constexpr milliseconds kWalkTimeout{3000};
using testing::wait_until;

std::unique_ptr<sim::Simulator> start_simulator(sim::SimOptions options) {
  auto created = sim::Simulator::create(options);
  if (!created.ok()) {
    ADD_FAILURE() << created.status().message();
    return nullptr;
  }
  std::unique_ptr<sim::Simulator> simulator = std::move(*created);
  const Status started = simulator->start();
  if (!started) ADD_FAILURE() << started.message();
  return simulator;
}

using sim::testing::PtyPair;  // device_side for the simulator, client_side for the driver

// One fixture for both transports: the test parameter picks TCP or RTU.
class SimDriver : public ::testing::TestWithParam<DeviceUri::Transport> {
 protected:
  void SetUp() override { open(DeviceKind::inversion); }

  void open(DeviceKind kind) {
    driver_.reset();
    simulator_.reset();
    file_ = load_device(kind == DeviceKind::inversion ? "config/devices/sim-inversion.json"
                                                      : "config/devices/sim-traction.json");
    sim::SimOptions options;
    options.kind = kind;
    DeviceUri uri{};
    ModbusDriverOptions driver_options{3, 50, 400, -1};
    if (GetParam() == DeviceUri::Transport::rtu) {
      options.rtu_fd = pty_.device_side;
      uri = *parse_device_uri("rtu:///dev/pty-test?baud=19200&unit=1");
      driver_options.rtu_fd = pty_.client_side;
    }
    simulator_ = start_simulator(options);
    ASSERT_NE(simulator_, nullptr);
    if (GetParam() == DeviceUri::Transport::tcp) {
      uri = *parse_device_uri("tcp://127.0.0.1:" + std::to_string(simulator_->tcp_port()));
    }
    driver_ = std::make_unique<ModbusDriver>(file_, uri, driver_options);
    const Status s = driver_->configure();
    ASSERT_TRUE(s.ok()) << s.message();
  }

  nlohmann::json sim_state() { return simulator_->control({{"command", "state"}}); }
  void sim(const nlohmann::json& command) {
    const nlohmann::json reply = simulator_->control(command);
    ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  }
  void activate() {
    const Status s = walk_to(*driver_, state_, Goal::enabled, kWalkTimeout);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  // One control cycle as the daemon runs it.
  Status cycle(Goal goal, double target) {
    if (Status s = driver_->read(state_); !s) return s;
    return driver_->write(AxisCommand{target, goal});
  }

  PtyPair pty_;
  DeviceFile file_;
  std::unique_ptr<sim::Simulator> simulator_;
  std::unique_ptr<ModbusDriver> driver_;
  DeviceState state_;
};

TEST_P(SimDriver, read_state_matches_the_simulator_ground_truth) {
  const Status s = driver_->read(state_);
  ASSERT_TRUE(s.ok()) << s.message();
  const nlohmann::json truth = sim_state();
  EXPECT_EQ(state_.status_word, truth["status_word"].get<int>());
  EXPECT_EQ(cia402::to_string(state_.drive), truth["drive"].get<std::string>());
  EXPECT_EQ(state_.stop_connected, truth["stop_connected"].get<bool>());
  EXPECT_NEAR(state_.actual, truth["reported_actual"].get<double>(), 0.01);
  EXPECT_TRUE(state_.available);
}

TEST_P(SimDriver, activation_arms_the_watchdog_and_enables_operation_at_the_measured_angle) {
  activate();
  const nlohmann::json truth = sim_state();
  EXPECT_EQ(truth["drive"], "operation_enabled");
  EXPECT_EQ(truth["watchdog_timeout_ms"].get<double>(), 500.0);
  EXPECT_NEAR(truth["target"].get<double>(), truth["reported_actual"].get<double>(), 0.01);
}

TEST_P(SimDriver, activation_caps_the_drive_velocity_at_the_device_rate_limit) {
  activate();
  EXPECT_NEAR(sim_state()["velocity_limit"].get<double>(), 12.0,
              1e-6);  // max_rate_down of the table
}

TEST_P(SimDriver, inversion_table_follows_a_written_target) {
  activate();
  double target = 0.0;
  const bool arrived = wait_until(
      [&] {
        target = std::min(5.0, target + 0.05);  // a gentle ramp, as the governor would send
        EXPECT_TRUE(driver_->write(AxisCommand{target, Goal::enabled}).ok());
        return driver_->read(state_).ok() && std::abs(state_.actual - 5.0) < 0.2;
      },
      milliseconds(8000));
  EXPECT_TRUE(arrived) << "actual " << state_.actual;
  EXPECT_NEAR(sim_state()["target"].get<double>(), 5.0, 1e-3);
}

TEST_P(SimDriver, traction_bench_pulls_to_a_written_force) {
  open(DeviceKind::traction);
  activate();
  double target = 0.0;
  ASSERT_TRUE(driver_->read(state_).ok());
  target = state_.actual;
  const bool arrived = wait_until(
      [&] {
        target = std::min(40.0, target + 0.5);
        EXPECT_TRUE(driver_->write(AxisCommand{target, Goal::enabled}).ok());
        return driver_->read(state_).ok() && std::abs(state_.actual - 40.0) < 4.0;
      },
      milliseconds(8000));
  EXPECT_TRUE(arrived) << "force " << state_.actual;
}

TEST_P(SimDriver, one_cycle_is_one_read_and_one_write) {
  activate();
  const auto before = driver_->transactions();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(cycle(Goal::enabled, state_.actual).ok());
  // Was 2 reads + 1 write: the identity and the written registers are no longer read each cycle.
  EXPECT_EQ(driver_->transactions() - before, 20U);
}

TEST_P(SimDriver, identity_is_read_once_at_configuration) {
  const DeviceIdentity& id = driver_->identity();
  ASSERT_TRUE(id.vendor_id && id.product_code && id.firmware_version);
  EXPECT_GT(*id.vendor_id, 0.0);
  const auto before = driver_->transactions();
  ASSERT_TRUE(driver_->read(state_).ok());
  EXPECT_EQ(driver_->transactions() - before, 1U);
}

TEST_P(SimDriver, enabling_takes_one_transition_per_cycle_and_never_waits_on_the_drive) {
  ASSERT_TRUE(driver_->read(state_).ok());
  ASSERT_EQ(state_.drive, cia402::State::switch_on_disabled);
  std::vector<cia402::State> seen{state_.drive};
  for (int i = 0; i < 20 && state_.drive != cia402::State::operation_enabled; ++i) {
    const auto start = Clock::now();
    ASSERT_TRUE(cycle(Goal::enabled, state_.actual).ok());
    EXPECT_LT(Clock::now() - start, milliseconds(file_.timeouts.response_timeout_ms * 4));
    if (seen.back() != state_.drive) seen.push_back(state_.drive);
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(seen, (std::vector<cia402::State>{
                      cia402::State::switch_on_disabled, cia402::State::ready_to_switch_on,
                      cia402::State::switched_on, cia402::State::operation_enabled}));
}

TEST_P(
    SimDriver,
    the_first_write_toward_enabled_arms_the_watchdog_before_the_drive_leaves_switch_on_disabled) {
  ASSERT_TRUE(driver_->read(state_).ok());
  EXPECT_EQ(sim_state()["watchdog_timeout_ms"].get<double>(), 0.0);
  ASSERT_TRUE(driver_->write(AxisCommand{state_.actual, Goal::enabled}).ok());
  EXPECT_EQ(sim_state()["watchdog_timeout_ms"].get<double>(), 500.0);
  EXPECT_EQ(driver_->control_word(), cia402::kShutdown);
}

TEST_P(SimDriver, goal_disabled_from_operation_leaves_the_drive_ready_and_holding) {
  activate();
  const Status s = walk_to(*driver_, state_, Goal::disabled, kWalkTimeout);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sim_state()["drive"], "ready_to_switch_on");
}

TEST_P(SimDriver, busy_exception_fails_one_read_and_the_next_recovers) {
  sim({{"command", "exceptions"}, {"code", 6}, {"count", 1}});
  EXPECT_EQ(driver_->read(state_).code(), Errc::exception);
  EXPECT_FALSE(state_.fresh);
  EXPECT_TRUE(driver_->read(state_).ok());
  EXPECT_EQ(state_.consecutive_failures, 0U);
}

TEST_P(SimDriver, illegal_address_exception_on_a_write_is_reported_and_counted) {
  ASSERT_TRUE(driver_->read(state_).ok());
  sim({{"command", "exceptions"}, {"code", 2}, {"count", 1}});
  EXPECT_EQ(driver_->write(AxisCommand{state_.actual, Goal::disabled}).code(), Errc::exception);
  ASSERT_TRUE(driver_->read(state_).ok());
  EXPECT_EQ(state_.consecutive_failures, 1U);
}

TEST_P(SimDriver, comm_loss_makes_the_device_unavailable_and_it_comes_back) {
  sim({{"command", "comm_loss"}, {"seconds", 0.6}});
  for (int cycle = 0; cycle < 3; ++cycle) EXPECT_FALSE(driver_->read(state_).ok());
  EXPECT_FALSE(state_.available);
  EXPECT_TRUE(wait_until([&] { return driver_->read(state_).ok(); }));
  EXPECT_TRUE(state_.available);
}

TEST_P(SimDriver, late_replies_do_not_desynchronise_later_reads) {
  const auto injected = Clock::now();
  sim({{"command", "delay_replies"}, {"ms", 180}, {"seconds", 0.3}});  // response timeout is 100 ms
  EXPECT_EQ(driver_->read(state_).code(), Errc::timeout);
  // Once the delays are over, the first good read must be followed only by good reads.
  ASSERT_TRUE(wait_until(
      [&] { return driver_->read(state_).ok() && Clock::now() - injected > milliseconds(350); }));
  for (int i = 0; i < 20; ++i) {
    const Status s = driver_->read(state_);
    ASSERT_TRUE(s.ok()) << "read " << i << ": " << s.message();
    EXPECT_EQ(state_.status_word, sim_state()["status_word"].get<int>());
  }
}

TEST_P(SimDriver, activation_is_refused_while_the_stop_switch_is_unplugged) {
  sim({{"command", "unplug_stop_switch"}});
  const Status s = walk_to(*driver_, state_, Goal::enabled, kWalkTimeout);
  EXPECT_EQ(s.code(), Errc::refused);
  EXPECT_NE(sim_state()["drive"], "operation_enabled");
}

TEST_P(SimDriver, pressed_stop_switch_is_read_and_the_drive_leaves_operation) {
  activate();
  sim({{"command", "press_stop"}});
  ASSERT_TRUE(driver_->read(state_).ok());
  EXPECT_TRUE(state_.stop_pressed);
  EXPECT_TRUE(wait_until([&] {
    return driver_->read(state_).ok() && state_.drive != cia402::State::operation_enabled;
  }));
}

TEST_P(SimDriver, drive_fault_is_read_and_reset_leaves_the_drive_disabled) {
  activate();
  sim({{"command", "drive_fault"}, {"code", 0x2310}});
  ASSERT_TRUE(wait_until(
      [&] { return driver_->read(state_).ok() && state_.drive == cia402::State::fault; }));
  EXPECT_EQ(state_.fault_code, 0x2310);
  EXPECT_EQ(walk_to(*driver_, state_, Goal::enabled, kWalkTimeout).code(), Errc::state);
  const Status s = walk_to(*driver_, state_, Goal::fault_reset, kWalkTimeout);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(driver_->read(state_).ok());
  EXPECT_NE(state_.drive, cia402::State::operation_enabled);
  EXPECT_NE(state_.drive, cia402::State::fault);
  activate();  // and the drive can be enabled again
}

INSTANTIATE_TEST_SUITE_P(Transports, SimDriver,
                         ::testing::Values(DeviceUri::Transport::tcp, DeviceUri::Transport::rtu),
                         [](const auto& info) {
                           return info.param == DeviceUri::Transport::tcp ? "tcp" : "rtu";
                         });

TEST(SimDriverTcp, simulator_restarted_on_the_same_port_is_reconnected_after_backoff) {
  const DeviceFile file = load_device("config/devices/sim-inversion.json");
  auto simulator = start_simulator({});
  ASSERT_NE(simulator, nullptr);
  const int port = simulator->tcp_port();
  ModbusDriver driver(file, *parse_device_uri("tcp://127.0.0.1:" + std::to_string(port)),
                      ModbusDriverOptions{3, 50, 400, -1});
  DeviceState state;
  ASSERT_TRUE(driver.read(state).ok());
  simulator.reset();  // the device goes away
  EXPECT_FALSE(driver.read(state).ok());
  sim::SimOptions same_port;
  same_port.listen_port = port;
  simulator = start_simulator(same_port);
  ASSERT_NE(simulator, nullptr);
  EXPECT_TRUE(wait_until([&] { return driver.read(state).ok(); }));
  EXPECT_TRUE(state.available);
}

TEST(SimDriverRtu, corrupted_crc_fails_one_read_and_the_next_recovers) {
  PtyPair pty;
  sim::SimOptions options;
  options.rtu_fd = pty.device_side;
  auto simulator = start_simulator(options);
  ASSERT_NE(simulator, nullptr);
  ModbusDriver driver(load_device("config/devices/sim-inversion.json"),
                      *parse_device_uri("rtu:///dev/pty-test"),
                      ModbusDriverOptions{3, 50, 400, pty.client_side});
  DeviceState state;
  ASSERT_TRUE(simulator->control({{"command", "corrupt_crc"}, {"count", 1}}).value("ok", false));
  EXPECT_EQ(driver.read(state).code(), Errc::timeout);  // no valid reply
  EXPECT_TRUE(driver.read(state).ok());
}

}  // namespace
}  // namespace traction
