// SPDX-License-Identifier: Apache-2.0
// A thread that reports the control loop to the service manager: WATCHDOG=1 at half the watchdog
// interval, but only while the loop has completed a cycle within that half interval (a loop stuck
// in a Modbus call, a deadlock or an endless loop goes silent and systemd restarts the daemon; the
// drive's own communication-loss watchdog has already brought the device to rest by then), and
// STATUS= whenever the heartbeat's summary changes. The pings come from this thread so that the
// control thread never makes a system call for them.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "daemon/service/cycle_heartbeat.hpp"
#include "daemon/service/service_notifier.hpp"

namespace traction {

class ServiceReporter {
 public:
  // Both must outlive the reporter.
  ServiceReporter(const ServiceNotifier& notifier, const CycleHeartbeat& heartbeat);
  ~ServiceReporter();
  ServiceReporter(const ServiceReporter&) = delete;
  ServiceReporter& operator=(const ServiceReporter&) = delete;

  // Starts the thread when the service manager listens; otherwise does nothing.
  void start();
  void stop();

 private:
  void run();
  void report_status();
  void feed_watchdog(CycleHeartbeat::Clock::time_point now);

  const ServiceNotifier& notifier_;
  const CycleHeartbeat& heartbeat_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  std::uint64_t reported_version_ = 0;
  CycleHeartbeat::Clock::time_point last_ping_{};
  std::thread thread_;
};

}  // namespace traction
