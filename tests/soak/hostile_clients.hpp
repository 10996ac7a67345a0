// SPDX-License-Identifier: Apache-2.0
// Hostile clients for the soak: a thread that keeps abusing the daemon's control socket the ways a
// broken or malicious local program could — garbage, invalid JSON-RPC, lines over the cap, a line
// dribbled byte by byte, requests cut off by a hang-up, spam of refused commands, subscribers that
// never read — without stopping sessions itself (that is the fault injector's job).
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace traction::soak {

class HostileClients {
 public:
  HostileClients(std::string socket_path, std::uint32_t seed)
      : socket_path_(std::move(socket_path)), random_(seed), thread_([this] { run(); }) {}
  ~HostileClients() {
    stop_ = true;
    thread_.join();
    for (int fd : silent_) ::close(fd);
  }
  HostileClients(const HostileClients&) = delete;
  HostileClients& operator=(const HostileClients&) = delete;

  long long attacks() const { return attacks_; }

 private:
  int connect_socket() const {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  static void send_text(int fd, const std::string& text) {
    if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
      // A full or closed socket is what a hostile client gets; nothing to do.
    }
  }

  void attack_once() {
    const int fd = connect_socket();
    if (fd < 0) return;
    switch (std::uniform_int_distribution<int>(0, 7)(random_)) {
      case 0:
        send_text(fd, "garbage\n\xff\xfe not json\n");
        break;
      case 1:
        send_text(fd, R"([{"jsonrpc":"2.0","id":1,"method":"status.get"}])"
                      "\n");
        break;
      case 2:
        send_text(fd, std::string(70000, 'x') + "\n");
        break;
      case 3:
        send_text(fd,
                  R"({"jsonrpc":"2.0","id":1,"method":"session.start","params":{"program":"nope"}})"
                  "\n");
        break;
      case 4:
        send_text(fd, R"({"jsonrpc":"2.0","id":{"x":1},"method":"status.get","extra":1})"
                      "\n");
        break;
      case 5:
        send_text(fd,
                  R"({"jsonrpc":"2.0","id":7,"method":"status.subscribe","params":{"rate_hz":50}})"
                  "\n");
        break;
      case 6:
        for (char c : std::string(R"({"jsonrpc":"2.0","id":3,"method":"daemon.info"})"
                                  "\n")) {
          send_text(fd, std::string(1, c));
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        break;
      default:
        send_text(fd, R"({"jsonrpc":"2.0","id":9,"method":"status.g)");
        break;  // cut off
    }
    ++attacks_;
    // A few subscribers stay connected and never read: the daemon must drop them, not stall.
    if (silent_.size() < 4 && std::uniform_int_distribution<int>(0, 9)(random_) == 0) {
      silent_.push_back(fd);
    } else {
      ::close(fd);
    }
  }

  void run() {
    while (!stop_) {
      attack_once();
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 50)(random_)));
    }
  }

  std::string socket_path_;
  std::mt19937 random_;
  std::vector<int> silent_;
  std::atomic<long long> attacks_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace traction::soak
