// SPDX-License-Identifier: Apache-2.0
// The daemon's state machine for one device: disconnected → idle → running ⇄ paused → stopping →
// idle, with fault (latched until device.reset) and estop reachable from every state. Each cycle it
// takes the device reading, asks the safety monitor, advances the session runner and passes the
// result through the motion governor. Pure: time and the reading are arguments; the control loop
// owns the driver and the thread.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "daemon/control_api.hpp"
#include "daemon/engine/governor.hpp"
#include "daemon/engine/safety_monitor.hpp"
#include "daemon/engine/session_runner.hpp"

namespace traction {

enum class DriveRequest { none, activate, reset_fault };

struct CycleOutput {
  AxisCommand command;  // the governed setpoint
  bool write = false;   // false: the drive is not following setpoints; write nothing but heartbeat
  DriveRequest request = DriveRequest::none;
};

struct ControllerOptions {
  double period_s = 0.01;
  double enable_timeout_s = 3.0;  // a session whose drive does not enable in time faults
  // A session whose history row is not committed in time ends before anything moves.
  double record_timeout_s = 3.0;
  MonitorOptions monitor;
};

class SessionController {
 public:
  SessionController(DeviceKind kind, const EffectiveLimits& base_limits, ControllerOptions options);

  // Applies one command from the mailbox and calls its `done` with the reply.
  void handle(ControlCommand command, Clock::time_point now);
  // One control cycle.
  CycleOutput cycle(Clock::time_point now, const DeviceState& device);
  // Reports the outcome of a DriveRequest the control loop carried out.
  void drive_request_done(DriveRequest request, const Status& status, Clock::time_point now);

  DaemonState state() const { return state_; }
  StatusSnapshot snapshot(Clock::time_point now) const;
  // Events since the last call, oldest first.
  std::vector<Event> take_events();

 private:
  void set_state(DaemonState next, const std::string& why);
  void emit(const std::string& kind, nlohmann::json detail);
  void begin_release(Outcome outcome, const std::string& reason, double rate);
  void finish_session(Outcome outcome, const std::string& reason);
  void trip(const Trip& t);
  std::optional<ApiError> start_refusal() const;
  bool at_rest() const;
  // True once the session's history row is committed (or no gate was given); ends the session
  // when the gate fails or times out. Until then the setpoint stays where it is.
  bool session_recorded(Clock::time_point now);
  // Seconds of the session so far, pauses excluded (each pause has its own bound).
  double active_seconds(Clock::time_point now) const;
  double paused_target(Clock::time_point now, double& rate);
  double target_for_state(Clock::time_point now, double& rate);
  bool release_needs_drive(const DeviceState& device) const;

  DeviceKind kind_;
  EffectiveLimits base_limits_;
  ControllerOptions options_;
  MotionGovernor governor_;
  SafetyMonitor monitor_;
  DaemonState state_ = DaemonState::disconnected;
  DeviceState device_;
  bool seen_device_ = false;
  bool lost_contact_ = false;  // the device stopped answering; restart from its measured value

  // The session, while one runs (running, paused, or stopping with a pending outcome).
  std::unique_ptr<SessionRunner> runner_;
  SessionProgress progress_;
  std::string session_started_utc_;
  Clock::time_point session_started_{};
  std::optional<Clock::time_point> enable_requested_;
  // When the drive was last asked to enable to finish a release it had stopped following.
  std::optional<Clock::time_point> release_enable_requested_;
  const SessionRecordGate* record_gate_ = nullptr;  // this session's; null once committed
  Clock::time_point record_deadline_{};
  std::optional<Clock::time_point> paused_since_;
  Clock::duration paused_total_{};  // time spent paused, not counted as session time
  double pause_level_ = 0.0;        // where a paused session waits (rest level, never further out)
  bool pause_in_place_ = false;     // below the rest level: brake to a stop, wherever that is
  double session_peak_ = 0.0;
  std::optional<Outcome> pending_outcome_;  // decided when the release began
  std::string pending_reason_;
  double release_rate_ = 1.0;
  std::optional<LastSession> last_session_;
  std::string fault_;
  bool reset_requested_ = false;
  std::uint64_t session_counter_ = 0;

  std::uint64_t next_seq_ = 1;
  std::vector<Event> events_;
};

// UTC now as ISO-8601 with milliseconds ("2026-11-20T21:45:00.123Z").
std::string utc_now_iso8601();

}  // namespace traction
