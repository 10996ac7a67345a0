// SPDX-License-Identifier: Apache-2.0
// The control thread: a fixed period with absolute deadlines. It alone owns the driver (libmodbus
// is not thread safe). Each cycle: apply mailbox commands (an estop overtakes the rest), read the
// device, run the session controller (monitor, runner, governor), carry out drive requests, write
// the governed setpoint, publish a snapshot and events. An estop does not wait for the next cycle:
// it wakes the thread, and the drive is told at once. It implements ControlPort for the server:
// nothing the server calls waits for the control thread.
#pragma once

#include <sys/eventfd.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "daemon/control_api.hpp"
#include "daemon/cycle_observer.hpp"
#include "daemon/engine/session_controller.hpp"
#include "drivers/driver.hpp"

namespace traction {

struct ControlLoopOptions {
  double rate_hz = 100.0;
  double configure_retry_s = 1.0;  // between attempts to reach a device that is not there yet
  std::string device_name;
  std::size_t event_backlog = 1000;
  // 0: normal scheduling. 1..99: the control thread asks for SCHED_FIFO at this priority; when the
  // system refuses (no CAP_SYS_NICE, no RLIMIT_RTPRIO), it warns and runs at normal priority.
  int realtime_priority = 0;
  // How releases treat this drive (the device file's watchdog.fault_code and reactions).
  ReleaseOptions release;
  SelfTestOptions selftest;          // the device file's watchdog, for the self-test
  double require_selftest_days = 0;  // site require_selftest_days (0: off)
  // The self-tests the history kept: the last one, and the last one that passed.
  std::optional<SelfTestSummary> last_selftest;
  std::optional<std::chrono::system_clock::time_point> last_passed_selftest;
};

class ControlLoop final : public ControlPort {
 public:
  // `base_limits`: the device and site limits, which apply outside a session.
  ControlLoop(std::unique_ptr<Driver> driver, DeviceKind kind, const EffectiveLimits& base_limits,
              ControlLoopOptions options);
  ~ControlLoop() override;
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  // Observers are called on the control thread after every cycle; add them before start(). The
  // loop does not own them: they must outlive it.
  void add_observer(CycleObserver& observer) { observers_.push_back(&observer); }

  void start();
  // Stops the thread. A drive at home is disabled; a drive away from home is never disabled under
  // its load. Call shutdown_safely() first.
  void stop();
  // Stops a running session (normal release rate) or the self-test, and waits until the person is
  // home (idle, or a latched state whose release ended at home) or `timeout` passes; the reason is
  // logged then. Returns true when the axis ended at home.
  bool shutdown_safely(std::chrono::milliseconds timeout);

  // ControlPort
  void submit(ControlCommand command) override;
  StatusSnapshot snapshot() const override;
  std::vector<Event> events_after(std::uint64_t after) const override;

 private:
  void run();
  void cycle_once();
  void configure_device(Clock::time_point now);
  void leave_drive();
  void take_commands(std::vector<ControlCommand>& out);
  void handle_commands(const Tick& tick);
  bool wait_for_deadline();
  void wake();
  void estop_at_once();
  void publish(Clock::time_point now, double cycle_ms, bool overrun);

  std::unique_ptr<Driver> driver_;
  ControlLoopOptions options_;
  SessionController controller_;

  std::mutex mailbox_mutex_;
  std::deque<ControlCommand> mailbox_;
  // An estop is waiting in the mailbox: the loop wakes before its deadline to act on it (the
  // submitter writes to wake_fd_, an eventfd the control thread polls while it waits).
  bool estop_waiting_ = false;
  int wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

  // The control thread's own (reused every cycle, so that a steady cycle allocates nothing).
  std::vector<ControlCommand> commands_;
  // Replies of this cycle's commands, sent once its snapshot is published: a client that reads
  // the status after a reply always sees what the command did (a started session, a stop).
  std::vector<std::pair<std::function<void(CommandReply)>, CommandReply>> replies_;
  std::vector<Event> events_;
  DeviceState device_;
  bool configured_ = false;
  Clock::time_point next_configure_{};
  Clock::time_point deadline_{};

  mutable std::mutex publish_mutex_;
  StatusSnapshot snapshot_;
  std::deque<Event> backlog_;
  std::uint64_t cycles_ = 0;
  std::uint64_t overruns_ = 0;
  double max_cycle_ms_ = 0.0;
  int realtime_priority_ = 0;  // what the control thread achieved (0: normal scheduling)

  std::vector<CycleObserver*> observers_;
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
};

}  // namespace traction
