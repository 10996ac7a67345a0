// SPDX-License-Identifier: Apache-2.0
// End-to-end harness: starts real traction-sim and tractiond processes on a temporary directory
// and an ephemeral port, and waits on conditions with deadlines (never bare sleeps).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/rpc_client.hpp"

namespace traction::e2e {
using client::RpcClient;
}

namespace traction::e2e {

inline std::string build_path(const std::string& rel) { return std::string(TRACTION_BUILD_DIR) + "/" + rel; }
inline std::string source_path(const std::string& rel) { return std::string(TRACTION_SOURCE_DIR) + "/" + rel; }

// Polls `condition` every 10 ms until it holds or `timeout` passes.
inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// A child process with its output in a log file; terminated (SIGTERM, then SIGKILL) on destruction.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& log_file) {
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Process() { terminate(); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Sends SIGTERM and waits up to `timeout`; returns the exit status (or -1 after a SIGKILL).
  int terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    status_ = -1;
    return status_;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A simulator and a daemon wired together, plus clients for both control sockets.
class Rig {
 public:
  explicit Rig(const std::string& kind) {
    char tmpl[] = "/tmp/tractiond-e2e.XXXXXX";
    dir_ = mkdtemp(tmpl);
    sim_ = std::make_unique<Process>(
        std::vector<std::string>{build_path("simulator/traction-sim"), "--device", kind, "--listen",
                                 "127.0.0.1:0", "--port-file", dir_ + "/sim.port", "--control",
                                 dir_ + "/sim.sock", "--trace", dir_ + "/trace.csv"},
        dir_ + "/sim.log");
    if (!wait_until([&] { return !read_file(dir_ + "/sim.port").empty(); }, std::chrono::seconds(10))) return;
    const std::string port = read_file(dir_ + "/sim.port");
    daemon_ = std::make_unique<Process>(
        std::vector<std::string>{build_path("daemon/tractiond"), "--config",
                                 source_path("config/examples/sim-" + kind + ".json"), "--device-uri",
                                 "tcp://127.0.0.1:" + std::to_string(std::stoi(port)) + "?unit=1",
                                 "--socket", dir_ + "/d.sock", "--state-dir", dir_ + "/state"},
        dir_ + "/tractiond.log");
    wait_until(
        [&] {
          if (!daemon_client_) {
            auto c = RpcClient::connect(dir_ + "/d.sock");
            if (!c) return false;
            daemon_client_ = std::move(*c);
          }
          return status()["state"] == "idle";
        },
        std::chrono::seconds(15));
  }
  ~Rig() {
    daemon_client_.reset();
    daemon_.reset();
    sim_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  bool ready() { return daemon_client_ && status()["state"] == "idle"; }
  const std::string& dir() const { return dir_; }
  Process& daemon() { return *daemon_; }

  // A JSON-RPC call to the daemon; returns {"result": ...} or {"error": {...}}.
  nlohmann::json call(const std::string& method, const nlohmann::json& params = nlohmann::json::object()) {
    auto r = daemon_client_->call(method, params, 5000);
    if (!r) return {{"error", {{"message", r.status().message()}}}};
    if (r->error) {
      return {{"error", {{"code", r->error->code}, {"message", r->error->message}, {"data", r->error->data}}}};
    }
    return {{"result", r->result}};
  }
  nlohmann::json status() {
    auto r = call("status.get");
    return r.contains("result") ? r["result"] : nlohmann::json::object();
  }
  // One command to the simulator's control socket.
  nlohmann::json sim(const nlohmann::json& command) {
    auto c = RpcClient::connect(dir_ + "/sim.sock");
    if (!c) return {{"ok", false}, {"error", c.status().message()}};
    (*c)->send_raw(command.dump() + "\n");
    auto line = (*c)->read_line(5000);
    if (!line) return {{"ok", false}, {"error", line.status().message()}};
    return nlohmann::json::parse(*line);
  }
  // Waits for the session `id` to end; returns last_session.
  nlohmann::json wait_session_end(const std::string& id, std::chrono::seconds timeout) {
    nlohmann::json last;
    wait_until(
        [&] {
          const auto s = status();
          if (s.contains("last_session") && s["last_session"].is_object() && s["last_session"]["id"] == id) {
            last = s["last_session"];
            return true;
          }
          return false;
        },
        timeout);
    return last;
  }
  std::string log() const { return read_file(dir_ + "/tractiond.log"); }

 private:
  std::string dir_;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> daemon_;
  std::unique_ptr<RpcClient> daemon_client_;
};

}  // namespace traction::e2e
