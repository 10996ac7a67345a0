// SPDX-License-Identifier: Apache-2.0
// What the service manager hears about the control loop: when a cycle last completed (the watchdog
// pings only while that is recent, so a control thread stuck in a Modbus call stops the pings) and
// a one-line human summary of the state, rebuilt only when the state, session or fault changes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "daemon/cycle_observer.hpp"

namespace traction {

class CycleHeartbeat final : public CycleObserver {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CycleHeartbeat(std::string device_name);

  // Control thread: a stamp per cycle; the summary only on a change.
  void on_cycle(const StatusSnapshot& snapshot, const std::vector<Event>& events) override;

  // Any thread. Clock::time_point{} until the first cycle.
  Clock::time_point last_cycle() const;
  std::uint64_t cycles_seen() const { return cycles_seen_.load(std::memory_order_acquire); }
  // The summary and a version that grows with every change (0: no cycle yet).
  std::string summary(std::uint64_t& version) const;

 private:
  bool changed(const StatusSnapshot& snapshot) const;
  std::string describe(const StatusSnapshot& snapshot) const;

  const std::string device_name_;
  std::atomic<Clock::rep> last_cycle_{0};
  std::atomic<std::uint64_t> cycles_seen_{0};
  // Control thread only: what the summary was made from.
  DaemonState state_ = DaemonState::disconnected;
  std::string session_id_;
  std::string fault_;
  bool available_ = false;

  mutable std::mutex summary_mutex_;
  std::string summary_;
  std::uint64_t version_ = 0;
};

}  // namespace traction
