// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/service_notifier.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <atomic>
#include <cstdlib>
#include <system_error>

namespace traction {
namespace {

// A status text is one line: a newline would start a new notification field.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  std::uint64_t usec = 0;
  // > 0: the manager wants pings from this process (WATCHDOG_PID, when set, names us).
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0)
    watchdog_interval_ = std::chrono::microseconds(usec);
}

void ServiceNotifier::ready(const std::string& status) const {
  send("READY=1\nSTATUS=" + one_line(status));
}

void ServiceNotifier::status(const std::string& text) const {
  send("STATUS=" + one_line(text));
}

void ServiceNotifier::reloading(const std::string& status) const {
  send("RELOADING=1\nSTATUS=" + one_line(status));
}

void ServiceNotifier::stopping(const std::string& status) const {
  send("STOPPING=1\nSTATUS=" + one_line(status));
}

void ServiceNotifier::watchdog() const {
  send("WATCHDOG=1");
}

void ServiceNotifier::send(const std::string& message) const {
  if (!enabled_) return;
  const int r = sd_notify(0, message.c_str());
  static std::atomic<bool> warned{false};
  if (r < 0 && !warned.exchange(true)) {
    spdlog::warn("sd_notify failed: {} (further failures are not logged)",
                 std::generic_category().message(-r));
  }
}

}  // namespace traction
