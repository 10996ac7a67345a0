// SPDX-License-Identifier: Apache-2.0
// The daemon's state machine for one device (docs/safety.md "States"):
//   disconnected → idle → starting → running ⇄ paused → stopping → idle
// with recovering (the axis is away from home with no session), fault and estop (latched until
// device.reset) reachable as the safety table decides. It is a transition function: each
// command and each control cycle is an event applied to the state, with time and UTC passed in;
// it never reads a clock and never blocks. Each cycle it judges the reading (safety monitor and
// the table in safety_rules.cpp), reacts to what tripped, decides where the axis should go and
// what the drive should do, and passes the target through the motion governor.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "daemon/control_api.hpp"
#include "daemon/engine/governor.hpp"
#include "daemon/engine/release_supervisor.hpp"
#include "daemon/engine/safety_monitor.hpp"
#include "daemon/engine/selftest.hpp"
#include "daemon/engine/session.hpp"

namespace traction {

// What the control loop writes this cycle.
struct CycleOutput {
  AxisCommand command;  // the governed setpoint and what the drive should do
  bool write = false;   // false: nothing to write (no device)
};

struct ControllerOptions {
  double period_s = 0.01;
  double enable_timeout_s = 3.0;  // a drive that is not enabled in time faults the session
  // A session whose history row is not committed in time ends before anything moves.
  double record_timeout_s = 3.0;
  // Away from home this long while idle (a drift, a person pulling the rope) starts a recovery.
  double idle_drift_s = 0.5;
  ReleaseOptions release;
  MonitorOptions monitor;
  SelfTestOptions selftest;
  // session.start needs a passed self-test at most this many days old (0: no such rule).
  double require_selftest_days = 0.0;
};

class SessionController {
 public:
  SessionController(DeviceKind kind, const EffectiveLimits& base_limits, ControllerOptions options);

  // Applies one command from the mailbox and calls its `done` with the reply.
  void handle(ControlCommand command, const Tick& tick);
  // One control cycle with this cycle's reading.
  CycleOutput cycle(const Tick& tick, const DeviceState& device);
  // What the drive is told at once, between two cycles, after an estop was handled: the release's
  // first command (the drive's quick stop where that is its safe reaction), with the setpoint
  // held where the last cycle left it. Nothing advances (no reading, no judgement, no governor
  // step), so the cycles keep their period and the setpoint never jumps. No write outside estop.
  CycleOutput prompt(const Tick& tick);
  // What the driver said of this cycle's write (a refusal, e.g. a watchdog it cannot arm).
  void write_result(const Status& status);

  DaemonState state() const { return state_; }
  // What the device said it is when the link was configured (the self-test's identity step).
  void set_identity(const DeviceIdentity& identity) { identity_ = identity; }
  // The last self-test, and the last passed one, as the history kept them (at start-up).
  void set_selftest_history(std::optional<SelfTestSummary> last,
                            std::optional<std::chrono::system_clock::time_point> last_passed);
  // While the self-test proves the drive's watchdog, the daemon must not talk to the drive: the
  // loop skips its read, cycle and write until then (commands are still handled: an estop ends
  // the silence at once).
  bool link_silent(Clock::time_point now) const;
  // Fills `out` in place (its strings keep their capacity: a steady cycle allocates nothing).
  void fill_snapshot(Clock::time_point now, StatusSnapshot& out) const;
  StatusSnapshot snapshot(Clock::time_point now) const;
  // Appends the events since the last call to `out`, oldest first.
  void take_events(std::vector<Event>& out);
  std::vector<Event> take_events();

 private:
  // A cycle's motion: what the drive should do and, when it follows, where the setpoint goes.
  struct Motion {
    cia402::Goal goal = cia402::Goal::disabled;
    bool follow = false;
    double target = 0.0;
    double rate = 0.0;
  };

  // controller_commands.cpp
  CommandReply start(const ControlCommand& command);
  CommandReply pause(const ControlCommand& command);
  CommandReply resume(const ControlCommand& command);
  CommandReply stop(const ControlCommand& command);
  CommandReply estop(const ControlCommand& command);
  CommandReply reset(const ControlCommand& command);
  std::optional<ApiError> start_refusal(const Plan& plan) const;
  std::optional<ApiError> selftest_policy_refusal() const;

  // controller_selftest.cpp
  CommandReply start_selftest(const ControlCommand& command);
  Motion motion_selftest();
  void abort_selftest(const std::string& why);
  void emit_selftest_steps();
  void end_selftest();
  void record_selftest();
  void leave_selftest();
  bool at_rest() const;

  // session_controller.cpp
  bool connect();
  void lose_device();
  void track_measured();
  void finish_release();

  // controller_trips.cpp
  void judge();
  void add_controller_rules();
  void add_session_rules();
  void add_release_rules();
  void react(const TripSet& fresh);
  void latch(Rule lead, const TripSet& fresh, double rate);
  void end_session(Outcome outcome, const std::string& why, const char* rule = "");
  void begin_release(DaemonState state, const std::string& why, double rate, bool quick_stop);

  // controller_motion.cpp
  Motion motion();
  Motion motion_starting();
  Motion motion_running();
  Motion motion_paused();
  Motion motion_releasing();
  Motion motion_reset();
  void clear_latch();

  // Helpers shared by the files above.
  void set_state(DaemonState next, const std::string& why);
  void emit(Event event);
  bool enabled() const { return device_.drive == cia402::State::operation_enabled; }
  const EffectiveLimits& limits() const { return governor_.limits(); }
  bool away() const;
  double seconds_since(Clock::time_point t) const;

  DeviceKind kind_;
  EffectiveLimits base_limits_;
  ControllerOptions options_;
  MotionGovernor governor_;
  SafetyMonitor monitor_;
  ReleaseSupervisor release_;
  DaemonState state_ = DaemonState::disconnected;
  Tick tick_;
  DeviceState device_;
  bool seen_device_ = false;
  bool lost_contact_ = false;  // the device stopped answering; restart from its measured value

  std::optional<Session> session_;  // starting, running or paused
  std::optional<LastSession> last_session_;
  std::optional<SelfTest> selftest_;  // in state selftest
  DeviceIdentity identity_;
  std::optional<SelfTestSummary> last_selftest_;
  std::optional<std::chrono::system_clock::time_point> last_passed_selftest_;
  std::string fault_;                // why the latched state is latched
  std::string activity_;             // what a stopping, recovering or latched state is doing
  TripSet trips_;                    // this cycle's
  TripSet own_;                      // the controller's own rules this cycle
  TripSet fresh_;                    // rules that trip this cycle and did not the last
  std::bitset<kRuleCount> active_;   // rules that tripped last cycle (reactions are to new ones)
  std::bitset<kRuleCount> latched_;  // latched rules since the last device.reset
  std::optional<Clock::time_point> reset_since_;  // device.reset: the drive's fault is cleared
  std::optional<Clock::time_point> away_since_;   // idle but away from home since
  std::string write_refusal_;                     // the driver refused this cycle's write
  const char* waiting_ = nullptr;  // what the release waited for last cycle (activity_ follows)
  std::uint64_t session_counter_ = 0;
  std::uint64_t next_seq_ = 1;
  std::vector<Event> events_;
};

}  // namespace traction
