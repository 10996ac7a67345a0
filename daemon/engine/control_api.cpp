// SPDX-License-Identifier: Apache-2.0
#include "daemon/control_api.hpp"

namespace traction {

const char* to_string(DaemonState state) {
  switch (state) {
    case DaemonState::disconnected: return "disconnected";
    case DaemonState::idle: return "idle";
    case DaemonState::running: return "running";
    case DaemonState::paused: return "paused";
    case DaemonState::stopping: return "stopping";
    case DaemonState::fault: return "fault";
    case DaemonState::estop: return "estop";
  }
  return "?";
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::completed: return "completed";
    case Outcome::stopped: return "stopped";
    case Outcome::stop_switch: return "stop_switch";
    case Outcome::estopped: return "estopped";
    case Outcome::faulted: return "faulted";
    case Outcome::interrupted: return "interrupted";
  }
  return "?";
}

}  // namespace traction
