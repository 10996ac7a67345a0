// SPDX-License-Identifier: Apache-2.0
#include "daemon/control_loop.hpp"

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <system_error>

#include "daemon/engine/event_json.hpp"
#include "drivers/drive_walk.hpp"

namespace traction {
namespace {

ControllerOptions controller_options(const ControlLoopOptions& o) {
  ControllerOptions c;
  c.period_s = 1.0 / o.rate_hz;
  c.release = o.release;
  c.selftest = o.selftest;
  c.require_selftest_days = o.require_selftest_days;
  return c;
}

// The loop is the edge that reads the clocks; the controller gets them as arguments.
Tick tick_now() {
  return Tick{Clock::now(), std::chrono::system_clock::now()};
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

ControlLoop::ControlLoop(std::unique_ptr<Driver> driver, DeviceKind kind,
                         const EffectiveLimits& base_limits, ControlLoopOptions options)
    : driver_(std::move(driver)),
      options_(std::move(options)),
      controller_(kind, base_limits, controller_options(options_)) {
  snapshot_.kind = kind;
  snapshot_.period_seconds = 1.0 / options_.rate_hz;
  commands_.reserve(64);
  events_.reserve(64);
  controller_.set_selftest_history(options_.last_selftest, options_.last_passed_selftest);
}

ControlLoop::~ControlLoop() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ControlLoop::start() {
  if (thread_.joinable()) return;
  stop_requested_ = false;
  thread_ = std::thread([this] { run(); });
}

void ControlLoop::stop() {
  stop_requested_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
}

// Ends the control thread's wait for its deadline (an estop, or the loop stopping).
void ControlLoop::wake() {
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

void ControlLoop::submit(ControlCommand command) {
  const bool estop = command.kind == CommandKind::estop;
  {
    std::lock_guard lock(mailbox_mutex_);
    if (estop) {
      mailbox_.push_front(std::move(command));  // an estop is never queued behind other work
      estop_waiting_ = true;
    } else {
      mailbox_.push_back(std::move(command));
    }
  }
  if (estop) wake();  // nor does it wait for the next cycle
}

void ControlLoop::take_commands(std::vector<ControlCommand>& out) {
  std::lock_guard lock(mailbox_mutex_);
  for (ControlCommand& c : mailbox_) out.push_back(std::move(c));
  mailbox_.clear();
  estop_waiting_ = false;
}

// The mailbox's commands, each with its reply held back until the next published snapshot.
void ControlLoop::handle_commands(const Tick& tick) {
  take_commands(commands_);
  for (ControlCommand& command : commands_) {
    if (command.done) {
      command.done = [this, done = std::move(command.done)](CommandReply reply) {
        replies_.emplace_back(std::move(done), std::move(reply));
      };
    }
    controller_.handle(std::move(command), tick);
  }
  commands_.clear();
}

// Sleeps until this period's deadline; true when an estop reached the mailbox first. The wait is
// a ppoll() on the wake eventfd with the time left as its timeout: as precise as a sleep, and an
// estop's write to the eventfd ends it at once.
bool ControlLoop::wait_for_deadline() {
  for (;;) {
    {
      std::lock_guard lock(mailbox_mutex_);
      if (stop_requested_) return false;
      if (estop_waiting_) return true;
    }
    const auto left = deadline_ - Clock::now();
    if (left <= Clock::duration::zero()) return false;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec timeout{static_cast<time_t>(ns / 1000000000),
                           static_cast<long>(ns % 1000000000)};
    pollfd fd{wake_fd_, POLLIN, 0};
    if (::ppoll(&fd, 1, &timeout, nullptr) > 0) {
      std::uint64_t count = 0;
      (void)!::read(wake_fd_, &count, sizeof count);  // drained; the flags above say why
    }
  }
}

// An estop that arrived between two cycles acts now: it is handled, and the release's first
// command (the drive's quick stop, where that is its safe reaction) goes to the drive at once,
// the setpoint held where it is (SessionController::prompt). The next cycle comes at its own
// deadline and reads, judges, moves and publishes as always.
void ControlLoop::estop_at_once() {
  const Tick tick = tick_now();
  handle_commands(tick);
  if (!configured_ || !device_.available || controller_.link_silent(tick.now)) return;
  const CycleOutput out = controller_.prompt(tick);
  if (out.write) controller_.write_result(driver_->write(out.command));
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

void ControlLoop::publish(Clock::time_point now, double cycle_ms, bool overrun) {
  events_.clear();
  controller_.take_events(events_);
  {
    std::lock_guard lock(publish_mutex_);
    ++cycles_;
    if (overrun) ++overruns_;
    max_cycle_ms_ = std::max(max_cycle_ms_, cycle_ms);
    controller_.fill_snapshot(now, snapshot_);
    snapshot_.cycles = cycles_;
    snapshot_.overruns = overruns_;
    snapshot_.max_cycle_ms = max_cycle_ms_;
    snapshot_.realtime_priority_requested = options_.realtime_priority;
    snapshot_.realtime_priority = realtime_priority_;
    for (const Event& e : events_) backlog_.push_back(e);
    while (backlog_.size() > options_.event_backlog) backlog_.pop_front();
  }
  // The observers read the loop's own snapshot: only this thread writes it.
  for (CycleObserver* observer : observers_) observer->on_cycle(snapshot_, events_);
  // After the observers, so that a log record can already carry the session that started.
  for (const Event& e : events_)
    spdlog::info("event {} {}", to_string(e.kind), event_detail(e).dump());
}

// Opens the link when it is not open yet, at most once per configure_retry_s.
void ControlLoop::configure_device(Clock::time_point now) {
  if (configured_ || now < next_configure_) return;
  const Status st = driver_->configure();
  configured_ = st.ok();
  if (configured_) controller_.set_identity(driver_->identity());
  if (!configured_) {
    spdlog::warn("device not reachable: {}", st.message());
    next_configure_ = now + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(options_.configure_retry_s));
  }
}

// One period: commands (an estop overtakes the rest), the reading, the controller's judgement and
// motion, the write, the published state. Nothing here waits for anything but the Modbus
// transactions of one read and one write.
void ControlLoop::cycle_once() {
  const Tick tick = tick_now();
  handle_commands(tick);
  // The self-test's watchdog step: no request reaches the drive until its watchdog must have
  // tripped (an estop above ends the silence at once).
  const bool silent = controller_.link_silent(tick.now);
  if (!silent) {
    configure_device(tick.now);
    if (configured_) {
      driver_->read(device_);
    } else {
      device_.available = false;
    }
    const CycleOutput out = controller_.cycle(tick, device_);
    if (configured_ && out.write && device_.available)
      controller_.write_result(driver_->write(out.command));
  }
  const Clock::time_point end = Clock::now();
  const bool overrun = end > deadline_;
  publish(tick.now, std::chrono::duration<double, std::milli>(end - tick.now).count(), overrun);
  for (auto& [done, reply] : replies_) done(std::move(reply));
  replies_.clear();
  if (overrun) deadline_ = end;  // skip the missed periods instead of bursting to catch up
}

void ControlLoop::run() {
  realtime_priority_ = apply_realtime_priority(options_.realtime_priority);
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / options_.rate_hz));
  next_configure_ = Clock::now();
  deadline_ = Clock::now();
  while (!stop_requested_) {
    deadline_ += period;
    cycle_once();
    while (wait_for_deadline()) estop_at_once();
  }
  leave_drive();
}

// The loop ends (SIGTERM, shutdown): a drive at home is disabled, its brake holding. A drive away
// from home is never disabled under its load: it keeps its last setpoint, and its own watchdog acts
// once the writes stop.
void ControlLoop::leave_drive() {
  if (!configured_) return;
  const StatusSnapshot s = snapshot();
  if (s.away_from_home) {
    spdlog::error(
        "control loop ends with the axis away from home at {} {}; the drive keeps its "
        "last setpoint and its watchdog acts",
        s.device.actual, axis_unit(s.kind));
    return;
  }
  walk_to(*driver_, device_, cia402::Goal::disabled, s.device.actual,
          std::chrono::milliseconds(200));
}

bool ControlLoop::shutdown_safely(std::chrono::milliseconds timeout) {
  const DaemonState s = snapshot().state;
  if (s == DaemonState::starting || s == DaemonState::running || s == DaemonState::paused ||
      s == DaemonState::selftest) {
    ControlCommand stop;
    stop.kind = CommandKind::stop;
    stop.requested_by = "shutdown";
    submit(std::move(stop));
  }
  const auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    const StatusSnapshot snap = snapshot();
    const bool releasing =
        snap.state == DaemonState::starting || snap.state == DaemonState::running ||
        snap.state == DaemonState::paused || snap.state == DaemonState::stopping ||
        snap.state == DaemonState::recovering || snap.state == DaemonState::selftest;
    // Home (or a latched state that has brought the person home): the loop may end.
    if (!releasing && !snap.away_from_home) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const StatusSnapshot snap = snapshot();
  spdlog::error("shutdown: the release did not end within {} ms (state {}, {} {} from home: {})",
                timeout.count(), to_string(snap.state), snap.device.actual, axis_unit(snap.kind),
                snap.activity);
  return false;
}

}  // namespace traction
