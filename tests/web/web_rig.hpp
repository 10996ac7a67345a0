// SPDX-License-Identifier: Apache-2.0
// A real traction-sim and tractiond (tests/e2e/process_harness.hpp) with a real tractiond-web in
// front of them, on temporary paths and an ephemeral port. Used by the relay tests and the bench.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/process_harness.hpp"

namespace traction::web::testing {

struct WebRigOptions {
  std::vector<std::string> web_args;  // extra tractiond-web arguments (--kiosk ROLE, --config F)
  e2e::RigOptions rig;
};

class WebRig {
 public:
  explicit WebRig(const std::string& kind, WebRigOptions options = {})
      : rig_(std::make_unique<e2e::Rig>(kind, options.rig)) {
    if (!rig_->ready()) return;
    start_web(options.web_args);
  }

  // (Re)starts tractiond-web with `args`; true once it listens.
  bool start_web(const std::vector<std::string>& args) {
    web_.reset();
    const std::string port_file = rig_->dir() + "/web.port";
    std::filesystem::remove(port_file);
    std::vector<std::string> argv{e2e::build_path("web/tractiond-web"),
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--socket",
                                  rig_->dir() + "/d.sock",
                                  "--port-file",
                                  port_file};
    argv.insert(argv.end(), args.begin(), args.end());
    web_ = std::make_unique<e2e::Process>(argv, rig_->dir() + "/web.log");
    const bool up = e2e::wait_until([&] { return !e2e::read_file(port_file).empty(); },
                                    std::chrono::seconds(10));
    if (up) port_ = std::stoi(e2e::read_file(port_file));
    return up;
  }

  bool ready() { return port_ > 0 && rig_->ready(); }
  int port() const { return port_; }
  e2e::Rig& rig() { return *rig_; }
  e2e::Process& web() { return *web_; }
  std::string web_log() const { return e2e::read_file(rig_->dir() + "/web.log"); }

 private:
  std::unique_ptr<e2e::Rig> rig_;
  std::unique_ptr<e2e::Process> web_;
  int port_ = 0;
};

}  // namespace traction::web::testing
