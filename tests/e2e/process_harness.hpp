// SPDX-License-Identifier: Apache-2.0
// End-to-end harness: starts real traction-sim and tractiond processes on a temporary directory
// and an ephemeral port, and waits on conditions with deadlines (never bare sleeps).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
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
#include "tests/support/wait.hpp"

namespace traction::e2e {
using client::RpcClient;
}

namespace traction::e2e {

inline std::string build_path(const std::string& rel) {
  return std::string(TRACTION_BUILD_DIR) + "/" + rel;
}
inline std::string source_path(const std::string& rel) {
  return std::string(TRACTION_SOURCE_DIR) + "/" + rel;
}

using traction::testing::wait_until;

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
    int st = 0;
    if (wait_until([&] { return waitpid(pid_, &st, WNOHANG) == pid_; }, timeout,
                   std::chrono::milliseconds(10))) {
      pid_ = -1;
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      return status_;
    }
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    status_ = -1;
    return status_;
  }
  pid_t pid() const { return pid_; }
  // Sends `sig` without waiting (a test then watches what the process does before it exits).
  void signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // True once the process has exited (reaped here); exit_status() then tells how.
  bool exited() {
    if (pid_ <= 0) return true;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) != pid_) return false;
    pid_ = -1;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return true;
  }
  int exit_status() const { return status_; }

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

// How a Rig is wired. The defaults run the example config over loopback TCP.
struct RigOptions {
  std::string config;  // daemon config file; empty: config/examples/sim-<kind>.json
  bool rtu = false;    // Modbus RTU over a socat pty pair (19200 8N1) instead of TCP
  // Maps the simulator's TCP port to the daemon's device URI (a bench puts a proxy between them);
  // empty: tcp://127.0.0.1:PORT?unit=1.
  std::function<std::string(int sim_port)> tcp_uri;
  // false: start_daemon() returns as soon as the daemon answers, even while it cannot reach the
  // device (a test of "device unavailable" points tcp_uri at a port nobody listens on).
  bool wait_for_device = true;
  // Extra traction-sim arguments, e.g. {"--drive-reaction", "hold"}.
  std::vector<std::string> sim_args = {};
  // false: the constructor starts only the simulator; the test calls start_daemon() when ready.
  bool start_daemon = true;
};

// A simulator and a daemon wired together, plus clients for both control sockets.
class Rig {
 public:
  explicit Rig(const std::string& kind, RigOptions options = {}) : options_(std::move(options)) {
    char tmpl[] = "/tmp/tractiond-e2e.XXXXXX";
    dir_ = mkdtemp(tmpl);
    if (options_.config.empty())
      options_.config = source_path("config/examples/sim-" + kind + ".json");
    std::vector<std::string> sim_args{build_path("simulator/traction-sim"),
                                      "--device",
                                      kind,
                                      "--listen",
                                      "127.0.0.1:0",
                                      "--port-file",
                                      dir_ + "/sim.port",
                                      "--control",
                                      dir_ + "/sim.sock",
                                      "--trace",
                                      dir_ + "/trace.csv"};
    if (options_.rtu) {
      socat_ = std::make_unique<Process>(
          std::vector<std::string>{"/usr/bin/socat", "pty,rawer,echo=0,link=" + dir_ + "/rtu-sim",
                                   "pty,rawer,echo=0,link=" + dir_ + "/rtu-daemon"},
          dir_ + "/socat.log");
      const auto linked = [&] {
        return std::filesystem::exists(dir_ + "/rtu-sim") &&
               std::filesystem::exists(dir_ + "/rtu-daemon");
      };
      if (!wait_until(linked, std::chrono::seconds(10))) return;
      sim_args.insert(sim_args.end(),
                      {"--rtu", dir_ + "/rtu-sim", "--baud", "19200", "--parity", "N"});
    }
    sim_args.insert(sim_args.end(), options_.sim_args.begin(), options_.sim_args.end());
    sim_ = std::make_unique<Process>(sim_args, dir_ + "/sim.log");
    if (!wait_until([&] { return !read_file(dir_ + "/sim.port").empty(); },
                    std::chrono::seconds(10)))
      return;
    const int port = std::stoi(read_file(dir_ + "/sim.port"));
    if (options_.rtu) {
      device_uri_ = "rtu://" + dir_ + "/rtu-daemon?baud=19200&parity=N&unit=1";
    } else if (options_.tcp_uri) {
      device_uri_ = options_.tcp_uri(port);
    } else {
      device_uri_ = "tcp://127.0.0.1:" + std::to_string(port) + "?unit=1";
    }
    sim_port_ = port;
    if (options_.start_daemon) start_daemon();
  }
  ~Rig() {
    daemon_client_.reset();
    daemon_.reset();
    sim_.reset();
    socat_.reset();
    // TRACTION_KEEP_RIG=1 keeps the rig's directory (trace, logs) for a look after a failure.
    if (std::getenv("TRACTION_KEEP_RIG") != nullptr) {
      std::fprintf(stderr, "rig kept: %s\n", dir_.c_str());
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // (Re)starts the daemon on the rig's paths; true once it answers and has reached the device (any
  // state but disconnected: a daemon restarted over a faulted drive goes straight to fault).
  // The config the next start_daemon() uses (one the test wrote into dir()).
  void set_config(const std::string& config) { options_.config = config; }

  bool start_daemon() {
    daemon_client_.reset();
    daemon_.reset();
    daemon_ = std::make_unique<Process>(
        std::vector<std::string>{build_path("daemon/tractiond"), "--config", options_.config,
                                 "--device-uri", device_uri_, "--socket", dir_ + "/d.sock",
                                 "--state-dir", dir_ + "/state"},
        dir_ + "/tractiond.log");
    return wait_until(
        [&] {
          if (!daemon_client_) {
            auto c = RpcClient::connect(dir_ + "/d.sock");
            if (!c) return false;
            daemon_client_ = std::move(*c);
          }
          const nlohmann::json state = status().value("state", nlohmann::json());
          return state.is_string() && (state != "disconnected" || !options_.wait_for_device);
        },
        std::chrono::seconds(15));
  }
  // Closes the rig's own connection to the daemon (a test of the connection cap needs its slot).
  // call() and status() fail after it.
  void drop_client() { daemon_client_.reset(); }
  // SIGKILL: the daemon gets no chance to release anything. start_daemon() brings it back.
  void kill_daemon() {
    daemon_client_.reset();
    if (daemon_ && daemon_->pid() > 0) ::kill(daemon_->pid(), SIGKILL);
    daemon_.reset();  // reaps it
  }

  bool ready() { return daemon_client_ && status()["state"] == "idle"; }
  const std::string& dir() const { return dir_; }
  const std::string& device_uri() const { return device_uri_; }
  int sim_port() const { return sim_port_; }
  Process& daemon() { return *daemon_; }

  // A JSON-RPC call to the daemon; returns {"result": ...} or {"error": {...}}.
  nlohmann::json call(const std::string& method,
                      const nlohmann::json& params = nlohmann::json::object()) {
    if (!daemon_client_) return {{"error", {{"message", "no connection to the daemon"}}}};
    auto r = daemon_client_->call(method, params, 5000);
    if (!r) return {{"error", {{"message", r.status().message()}}}};
    if (r->error) {
      return {
          {"error",
           {{"code", r->error->code}, {"message", r->error->message}, {"data", r->error->data}}}};
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
          if (s.contains("last_session") && s["last_session"].is_object() &&
              s["last_session"]["id"] == id) {
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
  RigOptions options_;
  std::string dir_;
  std::string device_uri_;
  int sim_port_ = 0;
  std::unique_ptr<Process> socat_;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> daemon_;
  std::unique_ptr<RpcClient> daemon_client_;
};

}  // namespace traction::e2e
