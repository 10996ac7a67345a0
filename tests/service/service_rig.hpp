// SPDX-License-Identifier: Apache-2.0
// Service tests: a real traction-sim, and tractiond started the way a service manager would start
// it (environment, passed fds, signals), on a temporary directory and an ephemeral port.
#pragma once

#include <cstdlib>
#include <map>

#include "tests/e2e/process_harness.hpp"

namespace traction::service_test {

using e2e::build_path;
using e2e::Process;
using e2e::read_file;
using e2e::source_path;
using e2e::wait_until;

class ServiceRig {
 public:
  // Starts the simulator of `kind` ("inversion" or "traction").
  explicit ServiceRig(const std::string& kind) : kind_(kind) {
    char tmpl[] = "/tmp/tractiond-service.XXXXXX";
    dir_ = mkdtemp(tmpl);
    sim_ = std::make_unique<Process>(
        std::vector<std::string>{build_path("simulator/traction-sim"), "--device", kind, "--listen",
                                 "127.0.0.1:0", "--port-file", dir_ + "/sim.port", "--control",
                                 dir_ + "/sim.sock", "--trace", dir_ + "/trace.csv"},
        dir_ + "/sim.log");
    wait_until([&] { return !read_file(dir_ + "/sim.port").empty(); }, std::chrono::seconds(10));
  }
  ~ServiceRig() {
    daemon_.reset();
    sim_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ServiceRig(const ServiceRig&) = delete;
  ServiceRig& operator=(const ServiceRig&) = delete;

  const std::string& dir() const { return dir_; }
  std::string socket_path() const { return dir_ + "/d.sock"; }
  std::string device_uri() const {
    return "tcp://127.0.0.1:" + std::to_string(std::stoi(read_file(dir_ + "/sim.port"))) +
           "?unit=1";
  }

  // Writes a daemon config into the rig's directory: the simulator's device file (or `device_file`)
  // and `program_dir` (default: the project's programs). Returns its path.
  std::string write_config(const std::string& program_dir = "",
                           const std::string& device_file = "") {
    const nlohmann::json config = {
        {"device",
         {{"file", device_file.empty() ? source_path("config/devices/sim-" + kind_ + ".json")
                                       : device_file},
          {"uri", device_uri()}}},
        {"programs",
         {{"dirs", {program_dir.empty() ? source_path("config/programs") : program_dir}}}},
        {"profiles", nlohmann::json::array({{{"name", "example"}, {"body_mass_kg", 75}}})},
        {"server", {{"socket_path", socket_path()}}},
        {"state_dir", dir_ + "/state"}};
    const std::string path = dir_ + "/tractiond.json";
    std::ofstream(path) << config.dump(2);
    return path;
  }

  // Starts tractiond with `args` after the executable, with `env` added to this environment.
  Process& start_daemon(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {}) {
    return start({build_path("daemon/tractiond")}, args, env);
  }
  // Starts `launcher` (e.g. systemd-socket-activate and its options) that then runs tractiond.
  Process& start(std::vector<std::string> argv, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
    if (argv.front() != build_path("daemon/tractiond"))
      argv.push_back(build_path("daemon/tractiond"));
    argv.insert(argv.end(), args.begin(), args.end());
    // The child inherits the environment at fork: set it around the spawn only.
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    daemon_ = std::make_unique<Process>(argv, dir_ + "/tractiond.log");
    for (const auto& [name, value] : env) ::unsetenv(name.c_str());
    return *daemon_;
  }
  Process& daemon() { return *daemon_; }
  std::string log() const { return read_file(dir_ + "/tractiond.log"); }

  // A client of the daemon's socket at `path`, connected within `timeout` (or null).
  std::unique_ptr<e2e::RpcClient> connect(const std::string& path,
                                          std::chrono::milliseconds timeout) {
    std::unique_ptr<e2e::RpcClient> client;
    wait_until(
        [&] {
          auto c = e2e::RpcClient::connect(path);
          if (c) client = std::move(*c);
          return client != nullptr;
        },
        timeout);
    return client;
  }
  // A JSON-RPC call: {"result": ...} or {"error": {...}}.
  static nlohmann::json call(e2e::RpcClient& client, const std::string& method,
                             const nlohmann::json& params = nlohmann::json::object()) {
    auto r = client.call(method, params, 5000);
    if (!r) return {{"error", {{"message", r.status().message()}}}};
    if (r->error) return {{"error", {{"message", r->error->message}, {"data", r->error->data}}}};
    return {{"result", r->result}};
  }
  // One command to the simulator's control socket.
  nlohmann::json sim(const nlohmann::json& command) {
    auto c = e2e::RpcClient::connect(dir_ + "/sim.sock");
    if (!c) return {{"ok", false}, {"error", c.status().message()}};
    (*c)->send_raw(command.dump() + "\n");
    auto line = (*c)->read_line(5000);
    if (!line) return {{"ok", false}, {"error", line.status().message()}};
    return nlohmann::json::parse(*line);
  }

 private:
  std::string kind_;
  std::string dir_;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> daemon_;
};

}  // namespace traction::service_test
