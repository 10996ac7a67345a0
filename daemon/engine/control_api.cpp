// SPDX-License-Identifier: Apache-2.0
#include "daemon/control_api.hpp"

namespace traction {

const char* to_string(DaemonState state) {
  switch (state) {
    case DaemonState::disconnected:
      return "disconnected";
    case DaemonState::idle:
      return "idle";
    case DaemonState::starting:
      return "starting";
    case DaemonState::running:
      return "running";
    case DaemonState::paused:
      return "paused";
    case DaemonState::stopping:
      return "stopping";
    case DaemonState::recovering:
      return "recovering";
    case DaemonState::selftest:
      return "selftest";
    case DaemonState::fault:
      return "fault";
    case DaemonState::estop:
      return "estop";
  }
  return "?";
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::completed:
      return "completed";
    case Outcome::stopped:
      return "stopped";
    case Outcome::stop_switch:
      return "stop_switch";
    case Outcome::estopped:
      return "estopped";
    case Outcome::faulted:
      return "faulted";
    case Outcome::interrupted:
      return "interrupted";
  }
  return "?";
}

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::state_changed:
      return "state_changed";
    case EventKind::session_started:
      return "session_started";
    case EventKind::session_ended:
      return "session_ended";
    case EventKind::phase_changed:
      return "phase_changed";
    case EventKind::fault:
      return "fault";
    case EventKind::stop_switch:
      return "stop_switch";
    case EventKind::estop:
      return "estop";
    case EventKind::reset:
      return "reset";
    case EventKind::device_lost:
      return "device_lost";
    case EventKind::device_regained:
      return "device_regained";
    case EventKind::release_resumed:
      return "release_resumed";
    case EventKind::recovery_started:
      return "recovery_started";
    case EventKind::release_stalled:
      return "release_stalled";
    case EventKind::selftest_started:
      return "selftest_started";
    case EventKind::selftest_step:
      return "selftest_step";
    case EventKind::selftest_ended:
      return "selftest_ended";
  }
  return "?";
}

}  // namespace traction
