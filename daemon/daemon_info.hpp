// SPDX-License-Identifier: Apache-2.0
// daemon.info's fixed part: what this daemon is and what it can do (docs/protocol.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "drivers/device_state.hpp"

namespace traction {

struct DaemonFacts {
  DeviceKind kind = DeviceKind::inversion;
  std::string device_name;
  double control_rate_hz = 100.0;
  bool history = false;  // a session history is kept (history, progression)
};

nlohmann::json daemon_info(const DaemonFacts& facts);

}  // namespace traction
