// SPDX-License-Identifier: Apache-2.0
// The daemon's whole control path allocates nothing and logs nothing in a steady state: 1000
// cycles of ControlLoop (mailbox, ModbusDriver read against an in-process traction-sim, the
// session controller's monitor, runner and governor, the write, the published snapshot and the
// observers) on the control thread itself, counted from an observer (the loop calls it on that
// thread after every cycle), idle at home and during a session's ramp.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "daemon/control_loop.hpp"
#include "drivers/modbus/modbus_driver.hpp"
#include "simulator/simulator.hpp"
#include "tests/alloc/counting_allocator.hpp"
#include "tests/driver/driver_test_support.hpp"
#include "tests/engine/sim_fixtures.hpp"
#include "tests/support/wait.hpp"

namespace traction {
namespace {

using alloc_test::count_this_thread;
using namespace std::chrono_literals;

constexpr double kRateHz = 250.0;  // 1000 cycles in 4 s
constexpr int kCountedCycles = 1000;

// Counts the control thread's allocations over the next `cycles` cycles once armed, and notes
// whether every one of them was steady: in `state`, without an event, with a fresh reading.
class CountingObserver final : public CycleObserver {
 public:
  void arm(int cycles, DaemonState state, alloc_test::ThreadRecordCounter& log) {
    remaining_ = cycles;
    state_ = state;
    log_ = &log;
    done_ = false;
    steady_ = true;
    armed_ = true;
  }
  void on_cycle(const StatusSnapshot& s, const std::vector<Event>& events) override {
    if (counting_) {
      steady_ = steady_ && s.state == state_ && events.empty() && s.device.fresh &&
                s.device.consecutive_failures == 0;
      if (--remaining_ > 0) return;
      count_this_thread(false);
      counting_ = false;
      done_ = true;
      return;
    }
    if (armed_.exchange(false)) {  // from the end of this cycle on
      log_->watch(spdlog::details::os::thread_id());
      alloc_test::reset_counted_allocations();
      counting_ = true;
      count_this_thread(true);
    }
  }
  bool done() const { return done_; }
  bool steady() const { return steady_; }

 private:
  std::atomic<bool> armed_{false};
  std::atomic<bool> done_{false};
  std::atomic<bool> steady_{true};
  bool counting_ = false;  // control thread only
  int remaining_ = 0;
  DaemonState state_ = DaemonState::idle;
  alloc_test::ThreadRecordCounter* log_ = nullptr;
};

// Allocates once per cycle while switched on: proves that the count covers the control thread.
class AllocatingObserver final : public CycleObserver {
 public:
  std::atomic<bool> on{false};
  void on_cycle(const StatusSnapshot&, const std::vector<Event>&) override {
    if (on) kept_ = std::make_unique<int>(0);  // kept: the compiler may not elide it
  }

 private:
  std::unique_ptr<int> kept_;
};

class ControlLoopAllocations : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = sim::Simulator::create(sim::SimOptions{});
    ASSERT_TRUE(created.ok()) << created.status().message();
    simulator_ = std::move(*created);
    ASSERT_TRUE(simulator_->start().ok());
    catalog_ = engine_test::sim_catalog(DeviceKind::inversion);
    ASSERT_TRUE(catalog_);
    const auto limits = catalog_->limits_for("");
    ASSERT_TRUE(limits.ok());
    const DeviceFile device = testing::load_device("config/devices/sim-inversion.json");
    const auto uri = parse_device_uri("tcp://127.0.0.1:" + std::to_string(simulator_->tcp_port()));
    ASSERT_TRUE(uri.ok());
    ControlLoopOptions options;
    options.rate_hz = kRateHz;
    options.release.comm_loss_fault_code = device.watchdog.fault_code;
    loop_ = std::make_unique<ControlLoop>(make_modbus_driver(device, *uri), device.kind, *limits,
                                          options);
    loop_->add_observer(observer_);
    loop_->add_observer(allocating_);
    loop_->start();
    ASSERT_TRUE(
        wait_for([&](const StatusSnapshot& s) { return s.state == DaemonState::idle; }, 10s));
  }
  void TearDown() override {
    if (loop_) loop_->shutdown_safely(20s);
    loop_.reset();
    if (simulator_) simulator_->stop();
  }

  bool wait_for(const std::function<bool(const StatusSnapshot&)>& condition,
                std::chrono::milliseconds timeout) {
    return testing::wait_until([&] { return condition(loop_->snapshot()); }, timeout);
  }

  // Counts kCountedCycles cycles from the next one on; every one must be in `state`.
  // A window in which the link hiccuped (a read late on a loaded machine: a failure, logged) is
  // not a steady state: it is counted again, up to three times.
  void expect_allocations(DaemonState state, long expected) {
    for (int window = 1; window <= 3; ++window) {
      alloc_test::LogWatch log(0);
      observer_.arm(kCountedCycles, state, log.sink());
      const auto timeout =
          std::chrono::milliseconds(static_cast<int>(4000 * kCountedCycles / kRateHz));
      ASSERT_TRUE(testing::wait_until([&] { return observer_.done(); }, timeout))
          << "cycles did not run";
      if (!observer_.steady() && window < 3) continue;
      EXPECT_TRUE(observer_.steady())
          << "no steady window of " << kCountedCycles << " cycles in " << to_string(state)
          << " (every one had an event, a failed read or another state)";
      EXPECT_EQ(alloc_test::counted_allocations(), expected)
          << "heap allocations on the control thread in " << kCountedCycles << " cycles";
      EXPECT_EQ(log.records(), 0) << "log records of the control thread in " << kCountedCycles
                                  << " cycles";
      return;
    }
  }

  std::unique_ptr<sim::Simulator> simulator_;
  std::shared_ptr<const Catalog> catalog_;
  CountingObserver observer_;
  AllocatingObserver allocating_;
  std::unique_ptr<ControlLoop> loop_;
};

TEST_F(ControlLoopAllocations, idle_at_home_allocates_nothing) {
  expect_allocations(DaemonState::idle, 0);
}

TEST_F(ControlLoopAllocations, counts_what_a_cycle_allocates_on_the_control_thread) {
  // Without this, the zeros here would prove nothing: one allocation per cycle is counted.
  allocating_.on = true;
  expect_allocations(DaemonState::idle, kCountedCycles);
  allocating_.on = false;
}

TEST_F(ControlLoopAllocations, a_session_ramping_allocates_nothing) {
  // A ramp of 20 deg at 1 deg/s lasts far longer than the counted cycles: no phase changes.
  const auto plan =
      engine_test::plan_for(*catalog_, {{"definition",
                                         {{"kinds", {"inversion"}},
                                          {"mode", "steps"},
                                          {"phases",
                                           {{{"kind", "ramp"}, {"target", 20.0}, {"rate", 1.0}},
                                            {{"kind", "hold"}, {"seconds", 30.0}}}}}}});
  ASSERT_TRUE(plan);
  ControlCommand start;
  start.kind = CommandKind::start;
  start.plan = plan;
  start.requested_by = "alloc test";
  std::atomic<bool> started{false};
  start.done = [&](const CommandReply& reply) { started = !reply.error; };
  loop_->submit(std::move(start));
  ASSERT_TRUE(wait_for(
      [&](const StatusSnapshot& s) {
        return started && s.state == DaemonState::running && s.setpoint > 0.5;
      },
      10s));
  expect_allocations(DaemonState::running, 0);
}

}  // namespace
}  // namespace traction
