// SPDX-License-Identifier: Apache-2.0
// The meeting point of the control thread and the server thread. Each resource has one owner (the
// control thread owns the driver and the session), so nothing is shared under a lock: commands go
// in through a mailbox, snapshots and events come out. Nothing here blocks.
#pragma once

#include <chrono>
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

// The daemon's states (docs/safety.md "States"). `idle` means at home with nobody loaded; every
// other state says what the daemon is doing about the person.
enum class DaemonState {
  disconnected,  // no device
  idle,          // at home, nobody loaded, no session
  starting,      // a session was accepted: its record is written and the drive enabled
  running,
  paused,
  stopping,    // a session ended: releasing home at the stop or patient rate
  recovering,  // no session, but the axis is away from home: releasing at the fault rate
  selftest,    // the commissioning self-test runs (nobody on the device; docs/commissioning.md)
  fault,       // latched until device.reset; releasing at the fault rate while it can
  estop,       // latched until device.reset; releasing at the fault rate
};
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
inline constexpr const char* kTooManyRequests = "too_many_requests";
inline constexpr const char* kSelfTestRunning = "selftest_running";
inline constexpr const char* kSelfTestRequired = "selftest_required";
inline constexpr const char* kNotAtHome = "not_at_home";
}  // namespace reason

// An application error as the socket reports it.
struct ApiError {
  std::string reason;                              // one of the reason:: strings
  std::string message;                             // human text naming what and why
  nlohmann::json data = nlohmann::json::object();  // extra fields, e.g. {"violations": [...]}
};

struct SessionProgress {
  std::string id;
  std::string program;
  std::string profile;
  int phase_index = 0;  // 0-based
  int phase_count = 0;
  const char* phase_kind = "";  // pretension, ramp, hold, rest, release
  std::string phase_label;
  int repetition = 0;
  int repetitions = 0;
  double target = 0.0;        // the governed setpoint now
  double phase_target = 0.0;  // where this phase is heading
  double elapsed_seconds = 0.0;
  double remaining_seconds = 0.0;
  double phase_remaining_seconds = 0.0;
  double total_seconds = 0.0;
  double active_seconds = 0.0;       // counted against max_session_seconds (pauses excluded)
  double exposure_seconds = 0.0;     // in a row beyond hold_cap_above, against max_hold_seconds
  std::shared_ptr<const Plan> plan;  // the validated plan being run (the history records it)
};

struct LastSession {
  std::string id;
  std::string program;
  std::string outcome;  // to_string(Outcome)
  std::string reason;   // why it ended, human text
  std::chrono::system_clock::time_point started{};
  std::chrono::system_clock::time_point ended{};
  double peak = 0.0;  // the reading furthest from home during the session (axis units)
};

// The self-test under way: which step, and what it asks of the person at the device.
struct SelfTestProgress {
  const char* step = "";  // identity, watchdog, stop_switch, motion, release
  int step_index = 0;     // 0-based
  int step_count = 0;
  std::string prompt;
  double elapsed_seconds = 0.0;
};

// How the last self-test ended (docs/commissioning.md).
struct SelfTestSummary {
  std::chrono::system_clock::time_point time{};  // when it ended
  bool passed = false;
  std::string summary;  // "passed in 14.2 s" or "failed at watchdog: ..."
};

struct StatusSnapshot {
  DaemonState state = DaemonState::disconnected;
  DeviceKind kind = DeviceKind::inversion;
  DeviceState device;
  double setpoint = 0.0;  // last governed command
  std::optional<SessionProgress> session;
  std::optional<LastSession> last_session;
  std::optional<SelfTestProgress> selftest;
  std::optional<SelfTestSummary> last_selftest;
  std::string fault;  // why the daemon is in fault or estop ("" otherwise)
  // Why the daemon is stopping or recovering, or what a latched state waits for ("" otherwise).
  std::string activity;
  bool away_from_home = false;      // the person is still loaded (docs/safety.md)
  std::uint32_t latched_rules = 0;  // bit i: safety rule i (safety_rules.hpp) is latched
  double period_seconds = 0.01;
  std::uint64_t cycles = 0;
  std::uint64_t overruns = 0;
  double max_cycle_ms = 0.0;
  int realtime_priority_requested = 0;  // control.realtime_priority (0: off)
  int realtime_priority = 0;            // SCHED_FIFO priority achieved (0: normal scheduling)
  std::uint64_t last_event_seq = 0;
};

// What happened (docs/protocol.md "Events"). Typed inside the daemon; JSON at the edges only
// (daemon/engine/event_json.hpp: the socket's notifications and the history's rows).
enum class EventKind {
  state_changed,     // from, to, reason
  session_started,   // session_id, program, profile, value = total_seconds
  session_ended,     // session_id, program, outcome, reason, value = peak
  phase_changed,     // phase_index, phase_kind, label, repetition, value = target
  fault,             // rule, reason (the rule's message); one event per rule that trips
  stop_switch,       // rule, reason: the patient's stop
  estop,             // by
  reset,             // by, reason = what it cleared
  device_lost,       // failures
  device_regained,   //
  release_resumed,   // from (the state), value = actual: the drive is enabled again to release
  recovery_started,  // reason, value = actual: the axis is away from home with no session
  release_stalled,   // reason: the drive does not follow a release; what the daemon does next
  selftest_started,  // by
  selftest_step,     // label = the step, reason = its detail, data = its record
  selftest_ended,    // reason = the summary, data = {passed, seconds, steps: [records]}
};
const char* to_string(EventKind kind);

struct Event {
  std::uint64_t seq = 0;  // monotonic from 1
  std::chrono::system_clock::time_point time{};
  EventKind kind = EventKind::state_changed;
  // Detail; which fields a kind uses is listed beside EventKind.
  DaemonState from = DaemonState::disconnected;
  DaemonState to = DaemonState::disconnected;
  std::string reason;
  std::string session_id;
  std::string program;
  std::string profile;
  Outcome outcome = Outcome::completed;
  double value = 0.0;
  int phase_index = 0;
  const char* phase_kind = "";
  std::string label;
  int repetition = 0;
  const char* rule = "";
  std::string by;
  std::uint32_t failures = 0;
  nlohmann::json data;  // the self-test's records (selftest_step, selftest_ended)
};

enum class CommandKind { start, pause, resume, stop, estop, reset, selftest };

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
  double stop_switch_seconds = 30.0;  // selftest only: the time to press the patient switch
  std::function<void(CommandReply)> done;
};

// The three ports the control server talks to (daemon/server/): the control thread's commands,
// snapshot and events; the catalog; the history. Every call is thread-safe and returns promptly
// (no Modbus, no disk, no planning on the caller's thread).

// The control thread.
class ControlPort {
 public:
  virtual ~ControlPort() = default;
  // Queues a command for the control thread; `done` runs there. device.estop overtakes any
  // queued command.
  virtual void submit(ControlCommand command) = 0;
  virtual StatusSnapshot snapshot() const = 0;
  // Events with seq > `after`, oldest first (a bounded backlog is kept).
  virtual std::vector<Event> events_after(std::uint64_t after) const = 0;
};

// What to plan, as the server checked it: exactly one of a catalog program and an inline
// definition (the program file format), and the profile whose limits apply ("" = site limits).
struct PlanRequest {
  std::string program;
  std::optional<nlohmann::json> definition;
  std::string profile;
};
using PlanDone = std::function<void(std::optional<ApiError>, std::shared_ptr<const Plan>)>;

// The request from program.validate's and session.start's params, once the server has checked
// them against its method table (types, and exactly one of "program" and "definition").
inline PlanRequest plan_request(const nlohmann::json& checked_params) {
  PlanRequest r;
  r.program = checked_params.value("program", std::string());
  if (checked_params.contains("definition")) r.definition = checked_params["definition"];
  r.profile = checked_params.value("profile", std::string());
  return r;
}

// Programs, profiles and limits (JSON shapes in docs/protocol.md), and plans.
class CatalogPort {
 public:
  virtual ~CatalogPort() = default;
  virtual nlohmann::json program_list() const = 0;
  virtual std::optional<ApiError> program_get(const std::string& name,
                                              nlohmann::json& out) const = 0;
  virtual nlohmann::json profile_list() const = 0;
  virtual std::optional<ApiError> profile_get(const std::string& name,
                                              nlohmann::json& out) const = 0;
  virtual std::optional<ApiError> limits_get(const std::string& profile,
                                             nlohmann::json& out) const = 0;
  // Validates the request into a plan for the next session, with the program's progression from
  // the history when there is one. Runs on another thread; `done` is called there, exactly once
  // (at once with an error when too many plans are pending).
  virtual void plan(PlanRequest request, PlanDone done) = 0;
};

// history.list, history.get and session.feedback (docs/protocol.md), with checked params.
enum class HistoryMethod { list, get, feedback };
using HistoryDone = std::function<void(CommandReply)>;
class HistoryPort {
 public:
  virtual ~HistoryPort() = default;
  // The query runs on the history's thread and `done` is called there, exactly once.
  virtual void call(HistoryMethod method, const nlohmann::json& params, HistoryDone done) = 0;
};

// Everything the control server serves from. The ports must outlive the server.
struct DaemonPorts {
  ControlPort& control;
  CatalogPort& catalog;
  HistoryPort* history = nullptr;  // null: the daemon keeps no history (history_unavailable)
  // daemon.info's fixed part: name, version, protocol_version, device, units, control_rate_hz,
  // capabilities.
  nlohmann::json info = nlohmann::json::object();
};

}  // namespace traction
