// SPDX-License-Identifier: Apache-2.0
// A fake service manager's notification socket: binds a datagram socket for $NOTIFY_SOCKET and
// records every notification with the time it arrived.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace traction::service_test {

class NotifyListener {
 public:
  using Clock = std::chrono::steady_clock;
  struct Message {
    Clock::time_point at;
    std::string text;
  };

  explicit NotifyListener(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    thread_ = std::thread([this] { receive(); });
  }
  ~NotifyListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }
  std::vector<Message> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  // Messages that contain `field` as one of their lines (e.g. "READY=1", "WATCHDOG=1").
  std::vector<Message> with(const std::string& field) const {
    std::vector<Message> out;
    for (const Message& m : messages()) {
      if (has_line(m.text, field)) out.push_back(m);
    }
    return out;
  }
  static bool has_line(const std::string& text, const std::string& field) {
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      if (text.compare(start, end - start, field) == 0) return true;
      start = end + 1;
    }
    return false;
  }

 private:
  void receive() {
    char buffer[4096];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      std::lock_guard lock(mutex_);
      messages_.push_back({Clock::now(), std::string(buffer, static_cast<std::size_t>(n))});
    }
  }

  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<Message> messages_;
  std::thread thread_;
};

}  // namespace traction::service_test
