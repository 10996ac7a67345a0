// SPDX-License-Identifier: Apache-2.0
// The control loop does not make an estop wait for its next period: an estop that reaches the
// mailbox between two cycles wakes the control thread, and the drive's quick stop is on the wire
// before the next cycle begins. The whole loop (ModbusDriver against an in-process traction-sim
// over TCP) at its normal rate; the estop is sent from a cycle observer at the end of one cycle,
// and the next cycle's own reading of the drive tells whether the stop got there first.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "daemon/control_loop.hpp"
#include "drivers/modbus/modbus_driver.hpp"
#include "simulator/simulator.hpp"
#include "tests/driver/driver_test_support.hpp"
#include "tests/engine/sim_fixtures.hpp"
#include "tests/support/wait.hpp"

namespace traction {
namespace {

using namespace std::chrono_literals;

// Sends device.estop from the end of the first cycle that ramps past `armed_above`, and keeps the
// drive state that the following cycle read.
class EstopSender final : public CycleObserver {
 public:
  explicit EstopSender(double armed_above) : armed_above_(armed_above) {}
  void attach(ControlLoop& loop) { loop_ = &loop; }

  void on_cycle(const StatusSnapshot& s, const std::vector<Event>&) override {
    if (sent_at_cycle_ != 0 && s.cycles == sent_at_cycle_ + 1) {
      next_cycle_drive_ = s.device.drive;
      seen_ = true;
    }
    if (sent_at_cycle_ == 0 && s.state == DaemonState::running && s.setpoint > armed_above_) {
      ControlCommand estop;
      estop.kind = CommandKind::estop;
      estop.requested_by = "loop test";
      sent_at_cycle_ = s.cycles;
      loop_->submit(std::move(estop));  // between this cycle and the next
    }
  }
  bool seen() const { return seen_; }
  cia402::State next_cycle_drive() const { return next_cycle_drive_; }

 private:
  double armed_above_;
  ControlLoop* loop_ = nullptr;
  std::uint64_t sent_at_cycle_ = 0;  // control thread only
  std::atomic<cia402::State> next_cycle_drive_{cia402::State::not_ready_to_switch_on};
  std::atomic<bool> seen_{false};
};

TEST(EstopWakesLoop, the_quick_stop_reaches_the_drive_before_the_next_cycle) {
  auto created = sim::Simulator::create(sim::SimOptions{});
  ASSERT_TRUE(created.ok()) << created.status().message();
  std::unique_ptr<sim::Simulator> simulator = std::move(*created);
  ASSERT_TRUE(simulator->start().ok());
  const auto catalog = engine_test::sim_catalog(DeviceKind::inversion);
  ASSERT_TRUE(catalog);
  const auto limits = catalog->limits_for("");
  ASSERT_TRUE(limits.ok());
  const DeviceFile device = testing::load_device("config/devices/sim-inversion.json");
  const auto uri = parse_device_uri("tcp://127.0.0.1:" + std::to_string(simulator->tcp_port()));
  ASSERT_TRUE(uri.ok());
  ControlLoopOptions options;
  options.release.comm_loss_fault_code = device.watchdog.fault_code;
  options.release.quick_stop_goes_home = true;  // traction-sim's drive (reaction home) does
  ControlLoop loop(make_modbus_driver(device, *uri), device.kind, *limits, options);
  EstopSender sender(3.0);
  sender.attach(loop);
  loop.add_observer(sender);
  loop.start();
  ASSERT_TRUE(testing::wait_until([&] { return loop.snapshot().state == DaemonState::idle; }, 10s));

  const auto plan =
      engine_test::plan_for(*catalog, {{"definition",
                                        {{"kinds", {"inversion"}},
                                         {"mode", "steps"},
                                         {"phases",
                                          {{{"kind", "ramp"}, {"target", 20.0}, {"rate", 4.0}},
                                           {{"kind", "hold"}, {"seconds", 30.0}}}}}}});
  ASSERT_TRUE(plan);
  ControlCommand start;
  start.kind = CommandKind::start;
  start.plan = plan;
  start.requested_by = "loop test";
  loop.submit(std::move(start));

  ASSERT_TRUE(testing::wait_until([&] { return sender.seen(); }, 20s)) << "no estop was sent";
  EXPECT_EQ(sender.next_cycle_drive(), cia402::State::quick_stop_active)
      << "the next cycle read " << cia402::to_string(sender.next_cycle_drive())
      << ": the estop waited for it";
  EXPECT_EQ(loop.snapshot().state, DaemonState::estop);
  EXPECT_TRUE(testing::wait_until([&] { return !loop.snapshot().away_from_home; }, 20s));
  loop.stop();
  simulator->stop();
}

}  // namespace
}  // namespace traction
