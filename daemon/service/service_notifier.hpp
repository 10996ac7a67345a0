// SPDX-License-Identifier: Apache-2.0
// Tells the service manager how the daemon is doing (sd_notify(3)): READY=1, STATUS=, RELOADING=1,
// STOPPING=1 and WATCHDOG=1. Without $NOTIFY_SOCKET (not run by systemd) every call does nothing.
#pragma once

#include <chrono>
#include <string>

namespace traction {

class ServiceNotifier {
 public:
  // Reads $NOTIFY_SOCKET and the watchdog settings ($WATCHDOG_USEC, $WATCHDOG_PID) once.
  ServiceNotifier();

  bool enabled() const { return enabled_; }
  // The interval the service manager expects pings within (WatchdogSec=); zero when it expects
  // none.
  std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

  // Each sends one datagram; a failure is logged once and otherwise ignored (the manager then
  // acts on its own timeouts). Thread-safe: sd_notify opens a socket per call.
  void ready(const std::string& status) const;
  void status(const std::string& text) const;
  void reloading(const std::string& status) const;
  void stopping(const std::string& status) const;
  void watchdog() const;

 private:
  void send(const std::string& message) const;

  bool enabled_ = false;
  std::chrono::microseconds watchdog_interval_{0};
};

}  // namespace traction
