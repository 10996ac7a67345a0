// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/cycle_heartbeat.hpp"

namespace traction {

CycleHeartbeat::CycleHeartbeat(std::string device_name) : device_name_(std::move(device_name)) {}

void CycleHeartbeat::on_cycle(const StatusSnapshot& snapshot,
                              const std::vector<Event>& /*events*/) {
  last_cycle_.store(Clock::now().time_since_epoch().count(), std::memory_order_release);
  const bool first = cycles_seen_.fetch_add(1, std::memory_order_acq_rel) == 0;
  if (!first && !changed(snapshot)) return;
  state_ = snapshot.state;
  session_id_ = snapshot.session ? snapshot.session->id : std::string();
  fault_ = snapshot.fault;
  available_ = snapshot.device.available;
  std::string text = describe(snapshot);
  std::lock_guard lock(summary_mutex_);
  summary_ = std::move(text);
  ++version_;
}

bool CycleHeartbeat::changed(const StatusSnapshot& snapshot) const {
  const std::string_view session = snapshot.session ? std::string_view(snapshot.session->id) : "";
  return snapshot.state != state_ || session != session_id_ || snapshot.fault != fault_ ||
         snapshot.device.available != available_;
}

std::string CycleHeartbeat::describe(const StatusSnapshot& snapshot) const {
  const std::string device = "\"" + device_name_ + "\"";
  switch (snapshot.state) {
    case DaemonState::disconnected:
      return "disconnected: waiting for device " + device;
    case DaemonState::idle:
      return "idle: device " + device +
             (snapshot.device.available ? " ready, no session" : " not answering");
    case DaemonState::recovering:
      return "recovering: bringing the axis home on " + device + " (" + snapshot.activity + ")";
    case DaemonState::selftest:
      return "selftest: " + std::string(snapshot.selftest ? snapshot.selftest->step : "starting") +
             " on " + device +
             (snapshot.selftest && !snapshot.selftest->prompt.empty()
                  ? " (" + snapshot.selftest->prompt + ")"
                  : "");
    case DaemonState::starting:
    case DaemonState::running:
    case DaemonState::paused:
    case DaemonState::stopping: {
      std::string text = std::string(to_string(snapshot.state)) + ": session ";
      if (snapshot.session) {
        text += snapshot.session->id + " (program " + snapshot.session->program + ")";
      }
      return text + " on " + device;
    }
    case DaemonState::fault:
    case DaemonState::estop:
      return std::string(to_string(snapshot.state)) + ": " + snapshot.fault +
             " (device.reset clears it once at rest)";
  }
  return to_string(snapshot.state);
}

CycleHeartbeat::Clock::time_point CycleHeartbeat::last_cycle() const {
  return Clock::time_point(Clock::duration(last_cycle_.load(std::memory_order_acquire)));
}

std::string CycleHeartbeat::summary(std::uint64_t& version) const {
  std::lock_guard lock(summary_mutex_);
  version = version_;
  return summary_;
}

}  // namespace traction
