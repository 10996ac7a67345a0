// SPDX-License-Identifier: Apache-2.0
// A steady-state control cycle (ModbusDriver::read + write) allocates nothing and logs nothing.
// This binary replaces the global operator new and delete with counting versions, so it is its own
// test executable: the count is kept per thread (the simulator serving in the same process has its
// own threads and allocates as it likes), and only while a test asks for it.
// libmodbus is C and uses malloc only when a context is created; it is not counted here.
#include <gtest/gtest.h>
#include <spdlog/details/os.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <new>

#include "drivers/drive_walk.hpp"
#include "drivers/modbus/modbus_driver.hpp"
#include "simulator/simulator.hpp"
#include "tests/driver/driver_test_support.hpp"
#include "tests/sim/sim_support.hpp"

namespace {

thread_local bool t_counting = false;
std::atomic<long> g_allocations{0};

void* counted_alloc(std::size_t size, std::size_t align) {
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  void* p = align > alignof(std::max_align_t)
                ? std::aligned_alloc(align, (size + align - 1) / align * align)
                : std::malloc(size);
  return p;
}

void* counted_or_throw(std::size_t size, std::size_t align) {
  void* p = counted_alloc(size, align);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

// The replaceable allocation functions ([new.delete]); every form routes through the counter.
void* operator new(std::size_t n) {
  return counted_or_throw(n, 0);
}
void* operator new[](std::size_t n) {
  return counted_or_throw(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n, 0);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n, 0);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace traction {
namespace {

using cia402::Goal;
using sim::testing::PtyPair;
using testing::load_device;

constexpr int kWarmUpCycles = 100;
constexpr int kCountedCycles = 1000;

// Counts the log records this thread emits, at every level.
class ThreadRecordCounter final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ThreadRecordCounter(std::size_t thread) : thread_(thread) {}
  long records() const { return records_.load(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (msg.thread_id == thread_) records_.fetch_add(1);
  }
  void flush_() override {}

 private:
  std::size_t thread_;
  std::atomic<long> records_{0};
};

// Allocations and log records of this thread while a scope lives.
class CycleWatch {
 public:
  CycleWatch()
      : sink_(std::make_shared<ThreadRecordCounter>(spdlog::details::os::thread_id())),
        logger_(std::make_shared<spdlog::logger>("alloc-test", sink_)),
        previous_(spdlog::default_logger()) {
    logger_->set_level(spdlog::level::trace);  // anything the cycle logs is formatted and counted
    spdlog::set_default_logger(logger_);
    g_allocations = 0;
    t_counting = true;
  }
  ~CycleWatch() { stop(); }
  void stop() {
    if (!t_counting) return;
    t_counting = false;
    spdlog::set_default_logger(previous_);
  }
  long allocations() const { return g_allocations.load(); }
  long log_records() const { return sink_->records(); }

 private:
  std::shared_ptr<ThreadRecordCounter> sink_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::logger> previous_;
};

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

TEST(CountingAllocator, counts_an_allocation_of_this_thread) {
  // The counter itself works: without this, a zero above would prove nothing.
  CycleWatch watch;
  auto* p = new std::vector<int>(100);
  spdlog::debug("one record");
  watch.stop();
  delete p;
  EXPECT_GE(watch.allocations(), 2);
  EXPECT_EQ(watch.log_records(), 1);
}

INSTANTIATE_TEST_SUITE_P(Transports, DriverCycleAllocations,
                         ::testing::Values(DeviceUri::Transport::tcp, DeviceUri::Transport::rtu),
                         [](const auto& info) {
                           return info.param == DeviceUri::Transport::tcp ? "tcp" : "rtu";
                         });

}  // namespace
}  // namespace traction
