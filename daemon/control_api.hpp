// SPDX-License-Identifier: Apache-2.0
// The meeting point of the control thread and the server thread (DESIGN.md "one owner per
// resource"): commands go in through a mailbox, snapshots and events come out. Nothing here blocks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "drivers/device_state.hpp"

namespace traction {

struct Plan;
struct ProgressionHistory;  // daemon/engine/progression.hpp

enum class DaemonState { disconnected, idle, running, paused, stopping, fault, estop };
enum class Outcome { completed, stopped, stop_switch, estopped, faulted, interrupted };

const char* to_string(DaemonState state);
const char* to_string(Outcome outcome);

// Stable `data.reason` strings (docs/protocol.md). One list for the whole daemon.
namespace reason {
inline constexpr const char* kLimitExceeded = "limit_exceeded";
inline constexpr const char* kSessionActive = "session_active";
inline constexpr const char* kNoSession = "no_session";
inline constexpr const char* kDeviceFault = "device_fault";
inline constexpr const char* kDeviceUnavailable = "device_unavailable";
inline constexpr const char* kDataStale = "data_stale";
inline constexpr const char* kEstopped = "estopped";
inline constexpr const char* kPermissionDenied = "permission_denied";
inline constexpr const char* kInvalidProgram = "invalid_program";
inline constexpr const char* kUnknownProgram = "unknown_program";
inline constexpr const char* kUnknownProfile = "unknown_profile";
inline constexpr const char* kStopSwitch = "stop_switch_unplugged";
inline constexpr const char* kStopSwitchPressed = "stop_switch_pressed";
inline constexpr const char* kNotAtRest = "not_at_rest";
inline constexpr const char* kUnknownSession = "unknown_session";
inline constexpr const char* kHistoryUnavailable = "history_unavailable";
}  // namespace reason

// An application error as the socket reports it.
struct ApiError {
  std::string reason;   // one of the reason:: strings
  std::string message;  // human text naming what and why
  nlohmann::json data = nlohmann::json::object();  // extra fields, e.g. {"violations": [...]}
};

struct SessionProgress {
  std::string id;
  std::string program;
  std::string profile;
  int phase_index = 0;  // 0-based
  int phase_count = 0;
  std::string phase_kind;  // pretension, ramp, hold, rest, release
  std::string phase_label;
  int repetition = 0;
  int repetitions = 0;
  double target = 0.0;        // the governed setpoint now
  double phase_target = 0.0;  // where this phase is heading
  double elapsed_seconds = 0.0;
  double remaining_seconds = 0.0;
  double phase_remaining_seconds = 0.0;
  double total_seconds = 0.0;
  std::shared_ptr<const Plan> plan;  // the validated plan being run (the history records it)
};

struct LastSession {
  std::string id;
  std::string program;
  std::string outcome;  // to_string(Outcome)
  std::string reason;   // why it ended, human text
  std::string started_utc;
  std::string ended_utc;
  double peak = 0.0;    // highest reading during the session (axis units)
};

struct StatusSnapshot {
  DaemonState state = DaemonState::disconnected;
  DeviceKind kind = DeviceKind::inversion;
  DeviceState device;
  double setpoint = 0.0;   // last governed command
  std::optional<SessionProgress> session;
  std::optional<LastSession> last_session;
  std::string fault;       // why the daemon is in fault or estop ("" otherwise)
  double period_seconds = 0.01;
  std::uint64_t cycles = 0;
  std::uint64_t overruns = 0;
  double max_cycle_ms = 0.0;
  int realtime_priority_requested = 0;  // control.realtime_priority (0: off)
  int realtime_priority = 0;            // SCHED_FIFO priority achieved (0: normal scheduling)
  std::uint64_t last_event_seq = 0;
};

// A published event (session started/ended, phase changed, fault, stop switch, device lost/regained).
struct Event {
  std::uint64_t seq = 0;  // monotonic from 1
  std::string time_utc;   // ISO-8601
  std::string kind;       // e.g. "session_started", "phase_changed", "fault"
  nlohmann::json detail = nlohmann::json::object();
};

enum class CommandKind { start, pause, resume, stop, estop, reset };

// Whether a session's row is in the history yet (docs/history.md): a started session is held at
// rest until its row is committed. Asked on the control thread each cycle; must not block.
enum class RecordState { pending, committed, failed };
class SessionRecordGate {
 public:
  virtual ~SessionRecordGate() = default;
  virtual RecordState record_state(const std::string& session_id) const = 0;
};

struct CommandReply {
  std::optional<ApiError> error;  // empty: success
  nlohmann::json result = nlohmann::json::object();
};

// One request to the control thread. `done` runs on the control thread and must not block (the
// server posts the reply back to its own thread).
struct ControlCommand {
  CommandKind kind = CommandKind::stop;
  std::shared_ptr<const Plan> plan;  // start only: already validated against the limits
  std::string requested_by;          // "uid=1000 pid=4242", for the log
  const SessionRecordGate* record_gate = nullptr;  // start only: nothing moves until it commits
  std::function<void(CommandReply)> done;
};

// What the server may ask of the daemon. Implemented by the daemon; every call is thread-safe and
// returns promptly (no Modbus, no disk).
class ControlPort {
 public:
  virtual ~ControlPort() = default;

  // Queues a command for the control thread. device.estop overtakes any queued command.
  virtual void submit(ControlCommand command) = 0;
  virtual StatusSnapshot snapshot() const = 0;
  // Events with seq > `after`, oldest first (a bounded backlog is kept).
  virtual std::vector<Event> events_after(std::uint64_t after) const = 0;

  // Catalog: programs, profiles and limits. JSON shapes are documented in docs/protocol.md.
  virtual nlohmann::json daemon_info() const = 0;
  virtual nlohmann::json program_list() const = 0;
  virtual std::optional<ApiError> program_get(const std::string& name, nlohmann::json& out) const = 0;
  virtual nlohmann::json profile_list() const = 0;
  virtual std::optional<ApiError> profile_get(const std::string& name, nlohmann::json& out) const = 0;
  virtual std::optional<ApiError> limits_get(const std::string& profile, nlohmann::json& out) const = 0;
  // Validates {"program": NAME} or {"definition": {...}} with optional "profile" into a plan.
  // On success `plan` is set; on failure the error lists every violation.
  virtual std::optional<ApiError> make_plan(const nlohmann::json& params,
                                            std::shared_ptr<const Plan>& plan) const = 0;

  // make_plan for the next session of a program, given the earlier sessions of the same program
  // and profile, so that its progression applies (docs/programs.md "Progression"). A port
  // without progression plans as make_plan does.
  virtual std::optional<ApiError> make_plan_after(const nlohmann::json& params,
                                                  const ProgressionHistory& history,
                                                  std::shared_ptr<const Plan>& plan) const {
    (void)history;
    return make_plan(params, plan);
  }
  // make_plan with the program's progression applied from the session history (docs/programs.md
  // "Progression"). The history is read on another thread: `done` may run there, exactly once.
  // A port without a history plans as make_plan does, at once.
  using PlanDone = std::function<void(std::optional<ApiError>, std::shared_ptr<const Plan>)>;
  virtual void plan_session(const nlohmann::json& params, PlanDone done) const {
    std::shared_ptr<const Plan> plan;
    auto error = make_plan(params, plan);
    done(std::move(error), std::move(plan));
  }
  // history.list, history.get and session.feedback (docs/protocol.md), with checked params. The
  // query runs on the history thread and `done` is called there, exactly once. A port without a
  // history answers history_unavailable at once.
  enum class HistoryMethod { list, get, feedback };
  using HistoryDone = std::function<void(CommandReply)>;
  virtual void history_call(HistoryMethod method, const nlohmann::json& params,
                            HistoryDone done) {
    (void)method;
    (void)params;
    done(CommandReply{ApiError{reason::kHistoryUnavailable, "this daemon keeps no history", {}},
                      nlohmann::json::object()});
  }
};

}  // namespace traction
