// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/service_reporter.hpp"

#include <algorithm>

namespace traction {
namespace {

using Clock = CycleHeartbeat::Clock;
// Status changes go out within this; the watchdog check runs at least this often.
constexpr auto kTick = std::chrono::milliseconds(50);

}  // namespace

ServiceReporter::ServiceReporter(const ServiceNotifier& notifier, const CycleHeartbeat& heartbeat)
    : notifier_(notifier), heartbeat_(heartbeat) {}

ServiceReporter::~ServiceReporter() {
  stop();
}

void ServiceReporter::start() {
  if (!notifier_.enabled() || thread_.joinable()) return;
  stop_requested_ = false;
  thread_ = std::thread([this] { run(); });
}

void ServiceReporter::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceReporter::run() {
  const auto interval = notifier_.watchdog_interval();
  const auto tick = interval.count() > 0 ? std::min<Clock::duration>(kTick, interval / 4)
                                         : Clock::duration(kTick);
  std::unique_lock lock(mutex_);
  while (!stop_requested_) {
    lock.unlock();
    report_status();
    if (interval.count() > 0) feed_watchdog(Clock::now());
    lock.lock();
    wake_.wait_for(lock, tick, [this] { return stop_requested_; });
  }
}

void ServiceReporter::report_status() {
  std::uint64_t version = 0;
  const std::string text = heartbeat_.summary(version);
  if (version == reported_version_ || version == 0) return;
  reported_version_ = version;
  notifier_.status(text);
}

void ServiceReporter::feed_watchdog(Clock::time_point now) {
  const auto half = std::chrono::duration_cast<Clock::duration>(notifier_.watchdog_interval()) / 2;
  if (now - last_ping_ < half) return;
  if (heartbeat_.cycles_seen() == 0 || now - heartbeat_.last_cycle() > half) return;  // loop silent
  notifier_.watchdog();
  last_ping_ = now;
}

}  // namespace traction
