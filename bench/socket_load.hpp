// SPDX-License-Identifier: Apache-2.0
// Load on the daemon's control socket for benchmarks: subscribers that read every notification,
// and a client that floods status.get as fast as the daemon answers.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "cli/rpc_client.hpp"

namespace traction::bench {

// `count` connections subscribed at `rate_hz`; one thread drains them all and counts the lines.
class Subscribers {
 public:
  Subscribers(const std::string& socket_path, int count, double rate_hz) {
    const std::string subscribe =
        nlohmann::json{{"jsonrpc", "2.0"},
                       {"id", 1},
                       {"method", "status.subscribe"},
                       {"params", {{"rate_hz", rate_hz}, {"events", true}}}}
            .dump() +
        "\n";
    for (int i = 0; i < count; ++i) {
      const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
          ::send(fd, subscribe.data(), subscribe.size(), MSG_NOSIGNAL) !=
              static_cast<ssize_t>(subscribe.size())) {
        ::close(fd);
        continue;
      }
      fds_.push_back(fd);
    }
    thread_ = std::thread([this] { drain(); });
  }
  ~Subscribers() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) ::close(fd);
  }
  Subscribers(const Subscribers&) = delete;
  Subscribers& operator=(const Subscribers&) = delete;

  int connected() const { return static_cast<int>(fds_.size()); }
  long long lines() const { return lines_; }
  // Connections the daemon closed (a subscriber that is dropped has lost data).
  int dropped() const { return dropped_; }

 private:
  void drain() {
    std::vector<pollfd> polls;
    for (int fd : fds_) polls.push_back({fd, POLLIN, 0});
    char buffer[65536];
    while (!stop_) {
      if (::poll(polls.data(), polls.size(), 100) <= 0) continue;
      for (pollfd& p : polls) {
        if (p.fd < 0 || p.revents == 0) continue;
        const ssize_t n = ::recv(p.fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          ++dropped_;
          p.fd = -1;
          continue;
        }
        for (ssize_t i = 0; i < n; ++i) lines_ += buffer[i] == '\n';
      }
    }
  }

  std::vector<int> fds_;
  std::atomic<long long> lines_{0};
  std::atomic<int> dropped_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One client calling status.get back to back; keeps each round trip's latency (ms).
class StatusFlood {
 public:
  explicit StatusFlood(const std::string& socket_path) {
    auto client = client::RpcClient::connect(socket_path);
    if (!client) return;
    client_ = std::move(*client);
    thread_ = std::thread([this] { run(); });
  }
  ~StatusFlood() { stop(); }
  StatusFlood(const StatusFlood&) = delete;
  StatusFlood& operator=(const StatusFlood&) = delete;

  // Stops flooding; returns the latencies (ms) of the calls made.
  std::vector<double> stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return latencies_ms_;
  }
  int failures() const { return failures_; }

 private:
  void run() {
    while (!stop_) {
      const auto start = BenchClock::now();
      auto reply = client_->call("status.get", nlohmann::json::object(), 2000);
      const double ms =
          std::chrono::duration<double, std::milli>(BenchClock::now() - start).count();
      if (reply && !reply->error) {
        latencies_ms_.push_back(ms);
      } else {
        ++failures_;
      }
    }
  }

  std::unique_ptr<client::RpcClient> client_;
  std::vector<double> latencies_ms_;
  std::atomic<int> failures_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace traction::bench
