// SPDX-License-Identifier: Apache-2.0
// traction-sim in-process: the device (physics), its Modbus transports, the control socket, the
// scenario player and the ground-truth trace, with the threads that run them. Used by the
// executable and by the driver's and the daemon's tests. One mutex guards the device; every
// entry point first advances the physics to the steady clock's "now".
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "core/result.hpp"
#include "drivers/device_state.hpp"
#include "simulator/physics/drive.hpp"

namespace traction::sim {

struct SimOptions {
  DeviceKind kind = DeviceKind::inversion;
  std::string model_file;  // "" = config/sim/<kind>.json
  std::string map_file;    // "" = config/devices/sim-<kind>.json
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;  // 0 = ephemeral
  std::string rtu_device;
  int rtu_fd = -1;
  int baud = 19200;
  char parity = 'N';
  int unit = 1;
  std::string control_socket;
  std::string trace_file;
  std::string scenario_file;
  std::uint64_t seed = 1;
  std::optional<DriveReaction> drive_reaction;  // unset: the model's "drive_reaction"
};

class Simulator {
 public:
  // Loads the model, the register map and the scenario, and opens the trace. Errc::config names
  // the file and rule; Errc::link when the trace cannot be created.
  static Result<std::unique_ptr<Simulator>> create(const SimOptions& options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds the TCP port (and RTU line, control socket) and serves on its own threads; physics
  // advances with the steady clock from here. Errc::link when a transport cannot be opened.
  Status start();
  // Stops and joins every thread, flushes the trace, removes the control socket; idempotent.
  void stop();
  // The bound TCP port (after start), 0 before.
  int tcp_port() const;
  // Same semantics as one control-socket line: {"command": NAME, ...} -> {"ok": ...}.
  nlohmann::json control(const nlohmann::json& command);

 private:
  struct Impl;
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace traction::sim
