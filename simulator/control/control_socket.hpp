// SPDX-License-Identifier: Apache-2.0
// The simulator's control socket (--control PATH): a Unix stream socket, one JSON object per line
// in, one JSON reply line out, several clients at once, on its own thread. It parses lines and
// hands each object to the handler; what a command means lives in commands.cpp.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"

namespace traction::sim {

class ControlSocket {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json&)>;
  static constexpr std::size_t kMaxLineBytes = 64 * 1024;

  // Binds `path` (an existing socket file there is replaced). Errc::link on failure.
  static Result<std::unique_ptr<ControlSocket>> open(const std::string& path, Handler handler);
  ~ControlSocket();  // stops and removes the socket file
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  void start();
  void stop();  // idempotent

 private:
  struct Client {
    int fd = -1;
    std::string buffer;
    bool dead = false;
  };
  ControlSocket(std::string path, Handler handler)
      : path_(std::move(path)), handler_(std::move(handler)) {}
  void run();
  void read_client(Client& client);
  void reply(Client& client, const nlohmann::json& answer);

  std::string path_;
  Handler handler_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::vector<Client> clients_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace traction::sim
