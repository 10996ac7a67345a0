// SPDX-License-Identifier: Apache-2.0
// The control thread: a fixed period with absolute deadlines. It alone owns the driver (libmodbus
// is not thread safe). Each cycle: apply mailbox commands (an estop overtakes the rest), read the
// device, run the session controller (monitor, runner, governor), carry out drive requests, write
// the governed setpoint, publish a snapshot and events. It implements ControlPort for the server:
// nothing the server calls waits for the control thread.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "daemon/control_api.hpp"
#include "daemon/cycle_observer.hpp"
#include "daemon/engine/catalog.hpp"
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
};

class ControlLoop final : public ControlPort {
 public:
  ControlLoop(std::unique_ptr<Driver> driver, std::shared_ptr<const Catalog> catalog, ControlLoopOptions options);
  ~ControlLoop() override;
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  // Observers are called on the control thread after every cycle; add them before start(). The
  // loop does not own them: they must outlive it.
  void add_observer(CycleObserver& observer) { observers_.push_back(&observer); }

  void start();
  // Stops the thread after deactivating the drive. Call shutdown_safely() first when a session
  // may be running.
  void stop();
  // Stops a running session (normal release rate) and waits until the device is at rest, the loop
  // faults, or `timeout` passes. Returns true when the device ended at rest.
  bool shutdown_safely(std::chrono::milliseconds timeout);
  // Serves programs, profiles and limits from `catalog` from now on (SIGHUP reload). A running
  // session keeps the plan it was validated with; the idle limits stay those of the first catalog
  // (a reload keeps the device and site limits). Errc::config when the device kind differs.
  Status replace_catalog(std::shared_ptr<const Catalog> catalog);

  // ControlPort
  void submit(ControlCommand command) override;
  StatusSnapshot snapshot() const override;
  std::vector<Event> events_after(std::uint64_t after) const override;
  nlohmann::json daemon_info() const override;
  nlohmann::json program_list() const override { return catalog()->program_list(); }
  std::optional<ApiError> program_get(const std::string& name, nlohmann::json& out) const override {
    return catalog()->program_get(name, out);
  }
  nlohmann::json profile_list() const override { return catalog()->profile_list(); }
  std::optional<ApiError> profile_get(const std::string& name, nlohmann::json& out) const override {
    return catalog()->profile_get(name, out);
  }
  std::optional<ApiError> limits_get(const std::string& profile, nlohmann::json& out) const override {
    return catalog()->limits_get(profile, out);
  }
  std::optional<ApiError> make_plan(const nlohmann::json& params,
                                    std::shared_ptr<const Plan>& plan) const override {
    return catalog()->make_plan(params, plan);
  }
  std::optional<ApiError> make_plan_after(const nlohmann::json& params,
                                          const ProgressionHistory& history,
                                          std::shared_ptr<const Plan>& plan) const override {
    return catalog()->make_plan(params, plan, history);
  }

 private:
  void run();
  std::shared_ptr<const Catalog> catalog() const;
  std::deque<ControlCommand> take_commands();
  void publish(Clock::time_point now, double cycle_ms, bool overrun);

  std::unique_ptr<Driver> driver_;
  mutable std::mutex catalog_mutex_;
  std::shared_ptr<const Catalog> catalog_;  // swapped by replace_catalog; read through catalog()
  ControlLoopOptions options_;
  SessionController controller_;

  std::mutex mailbox_mutex_;
  std::deque<ControlCommand> mailbox_;

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
