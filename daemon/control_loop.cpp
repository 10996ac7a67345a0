// SPDX-License-Identifier: Apache-2.0
#include "daemon/control_loop.hpp"

#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <future>
#include <system_error>

namespace traction {
namespace {

EffectiveLimits base_limits(const Catalog& catalog) {
  auto limits = catalog.limits_for("");
  return limits ? *limits : EffectiveLimits{};
}

ControllerOptions controller_options(const ControlLoopOptions& o) {
  ControllerOptions c;
  c.period_s = 1.0 / o.rate_hz;
  return c;
}

// Puts the calling thread under SCHED_FIFO at `requested` (1..99). Returns the priority it now runs
// at: `requested`, or 0 (normal scheduling) when off or not permitted. Never fatal: a control loop
// at normal priority still meets its period on an idle machine, and overruns are counted.
int apply_realtime_priority(int requested) {
  if (requested <= 0) return 0;
  sched_param param{};
  param.sched_priority = requested;
  const int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
  if (rc != 0) {
    spdlog::warn(
        "control thread: SCHED_FIFO priority {} was refused ({}); running at normal priority. "
        "Grant CAP_SYS_NICE or an RLIMIT_RTPRIO of at least {} (systemd: LimitRTPRIO={}), or "
        "set control.realtime_priority to 0",
        requested, std::generic_category().message(rc), requested, requested);
    return 0;
  }
  spdlog::info("control thread: running under SCHED_FIFO at priority {}", requested);
  return requested;
}

}  // namespace

ControlLoop::ControlLoop(std::unique_ptr<Driver> driver, std::shared_ptr<const Catalog> catalog,
                         ControlLoopOptions options)
    : driver_(std::move(driver)),
      catalog_(std::move(catalog)),
      options_(std::move(options)),
      controller_(catalog_->kind(), base_limits(*catalog_), controller_options(options_)) {
  snapshot_.kind = catalog_->kind();
  snapshot_.period_seconds = 1.0 / options_.rate_hz;
}

ControlLoop::~ControlLoop() { stop(); }

void ControlLoop::start() {
  if (thread_.joinable()) return;
  stop_requested_ = false;
  thread_ = std::thread([this] { run(); });
}

void ControlLoop::stop() {
  stop_requested_ = true;
  if (thread_.joinable()) thread_.join();
}

void ControlLoop::submit(ControlCommand command) {
  std::lock_guard lock(mailbox_mutex_);
  if (command.kind == CommandKind::estop) {
    mailbox_.push_front(std::move(command));  // an estop is never queued behind other work
  } else {
    mailbox_.push_back(std::move(command));
  }
}

std::deque<ControlCommand> ControlLoop::take_commands() {
  std::lock_guard lock(mailbox_mutex_);
  std::deque<ControlCommand> out;
  out.swap(mailbox_);
  return out;
}

StatusSnapshot ControlLoop::snapshot() const {
  std::lock_guard lock(publish_mutex_);
  return snapshot_;
}

std::vector<Event> ControlLoop::events_after(std::uint64_t after) const {
  std::lock_guard lock(publish_mutex_);
  std::vector<Event> out;
  for (const Event& e : backlog_) {
    if (e.seq > after) out.push_back(e);
  }
  return out;
}

std::shared_ptr<const Catalog> ControlLoop::catalog() const {
  std::lock_guard lock(catalog_mutex_);
  return catalog_;
}

Status ControlLoop::replace_catalog(std::shared_ptr<const Catalog> catalog) {
  std::lock_guard lock(catalog_mutex_);
  if (!catalog || catalog->kind() != catalog_->kind()) {
    return {Errc::config, "the new catalog is for another kind of device"};
  }
  catalog_ = std::move(catalog);
  return Status::success();
}

nlohmann::json ControlLoop::daemon_info() const {
  const DeviceKind kind = catalog()->kind();
  return {{"name", "tractiond"},
          {"version", TRACTION_VERSION},
          {"protocol_version", 1},
          {"device", {{"kind", to_string(kind)}, {"name", options_.device_name}, {"unit", axis_unit(kind)}}},
          {"units", {{"axis", kind == DeviceKind::inversion ? "angle_deg" : "force_n"}, {"time", "seconds"}}},
          {"control_rate_hz", options_.rate_hz},
          {"capabilities", {"sessions", "pause", "profiles", "limits", "subscriptions", "estop"}}};
}

void ControlLoop::publish(Clock::time_point now, double cycle_ms, bool overrun) {
  StatusSnapshot s = controller_.snapshot(now);
  std::vector<Event> events = controller_.take_events();
  {
    std::lock_guard lock(publish_mutex_);
    ++cycles_;
    if (overrun) ++overruns_;
    max_cycle_ms_ = std::max(max_cycle_ms_, cycle_ms);
    s.cycles = cycles_;
    s.overruns = overruns_;
    s.max_cycle_ms = max_cycle_ms_;
    s.realtime_priority_requested = options_.realtime_priority;
    s.realtime_priority = realtime_priority_;
    snapshot_ = s;
    for (const Event& e : events) backlog_.push_back(e);
    while (backlog_.size() > options_.event_backlog) backlog_.pop_front();
  }
  for (CycleObserver* observer : observers_) observer->on_cycle(s, events);
  // After the observers, so that a log record can already carry the session that started.
  for (const Event& e : events) spdlog::info("event {} {}", e.kind, e.detail.dump());
}

void ControlLoop::run() {
  realtime_priority_ = apply_realtime_priority(options_.realtime_priority);
  const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options_.rate_hz));
  DeviceState device;
  bool configured = false;
  Clock::time_point next_configure = Clock::now();
  Clock::time_point deadline = Clock::now();
  while (!stop_requested_) {
    deadline += period;
    const Clock::time_point now = Clock::now();
    for (ControlCommand& command : take_commands()) controller_.handle(std::move(command), now);

    if (!configured && now >= next_configure) {
      const Status st = driver_->configure();
      configured = st.ok();
      if (!configured) {
        spdlog::warn("device not reachable: {}", st.message());
        next_configure = now + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(options_.configure_retry_s));
      }
    }
    if (configured) {
      driver_->read(device);
    } else {
      device.available = false;
    }
    const CycleOutput out = controller_.cycle(now, device);
    if (out.request != DriveRequest::none) {
      const Status st = out.request == DriveRequest::activate ? driver_->activate() : driver_->reset_fault();
      if (!st.ok()) spdlog::warn("drive request failed: {}", st.message());
      controller_.drive_request_done(out.request, st, Clock::now());
    }
    if (configured && out.write && device.available) driver_->write(out.command);

    const Clock::time_point end = Clock::now();
    const bool overrun = end > deadline;
    publish(now, std::chrono::duration<double, std::milli>(end - now).count(), overrun);
    if (overrun) {
      deadline = end;  // skip the missed periods instead of bursting to catch up
    } else {
      std::this_thread::sleep_until(deadline);
    }
  }
  if (configured) driver_->deactivate();
}

bool ControlLoop::shutdown_safely(std::chrono::milliseconds timeout) {
  const DaemonState s = snapshot().state;
  if (s == DaemonState::running || s == DaemonState::paused) {
    ControlCommand stop;
    stop.kind = CommandKind::stop;
    stop.requested_by = "shutdown";
    submit(std::move(stop));
  }
  const auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    const DaemonState now_state = snapshot().state;
    if (now_state == DaemonState::idle || now_state == DaemonState::disconnected) return true;
    if (now_state == DaemonState::fault || now_state == DaemonState::estop) {
      // Releasing under a latched fault: wait for the setpoint to reach home.
      const StatusSnapshot snap = snapshot();
      if (std::abs(snap.setpoint - snap.device.actual) < 1e-3 && std::abs(snap.device.velocity.value_or(0)) < 1e-3) {
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace traction
