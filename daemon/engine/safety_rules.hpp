// SPDX-License-Identifier: Apache-2.0
// Every safety rule of the daemon, and what each one does, in one table (safety_rules.cpp). The
// safety monitor judges the readings against the rules (safety_monitor.cpp); the controller's own
// reactions (an activation that fails, a pause that lasts too long, ...) are rules of the same
// table. When several rules trip in one cycle, every one is reported and decide() combines them:
// the strictest response, the fastest release rate, a latch if any rule latches, and the outcome
// of the rule with the highest precedence. Nothing masks a drive fault or an out-of-range reading.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/engine/plan.hpp"

namespace traction {

enum class Rule : std::uint8_t {
  estop,                  // the operator's emergency stop
  drive_fault,            // the drive reports a fault
  device_unavailable,     // the device stopped answering
  data_stale,             // no fresh, finite reading
  out_of_range,           // the reading is beyond the limits
  end_stop,               // an end-stop switch is active
  sensor_mismatch,        // a second reading disagrees with the axis reading
  stop_switch_unplugged,  // the patient stop switch was unplugged during a session
  activation_failed,      // the drive could not be enabled, or its fault reset
  drive_disabled,         // the drive left operation enabled during a session
  release_stalled,        // the drive does not follow a release
  overshoot,              // the reading passed the plan's farthest target
  rate_exceeded,          // the reading moves away from home too fast
  tracking_error,         // the reading lags the setpoint for too long
  settle_timeout,         // the reading does not settle on a setpoint at rest
  session_time_exceeded,  // the session outlasted max_session_seconds (a backstop)
  stop_switch,            // the person pressed the patient stop switch
  hold_time_exceeded,     // time beyond hold_cap_above reached max_hold_seconds
  session_time_cap,       // the release must begin now to end within max_session_seconds
  pause_timeout,          // a pause outlasted max_pause_seconds
  record_timeout,         // the session's history row could not be written
  recovery,               // the axis is away from home with no session
};
inline constexpr std::size_t kRuleCount = static_cast<std::size_t>(Rule::recovery) + 1;

// When a rule is judged.
enum class Scope : std::uint8_t {
  always,   // in every state that has a device: idle, sessions, releases, fault, estop
  session,  // while a session is starting, running or paused
  release,  // while the daemon brings the axis home (stopping, recovering, fault, estop)
  moving,   // whenever the drive follows setpoints
};

// What the daemon does when a rule trips. A stronger response (lower value) wins.
enum class Response : std::uint8_t {
  estop,         // release at the fault rate, state estop, latched until device.reset
  fault,         // release at the fault rate, state fault, latched until device.reset
  stop,          // release at the stop rate, then idle; the session ends as stopped
  patient_stop,  // release at the patient rate, then idle; the session ends as stop_switch
  recover,       // no session: release at the fault rate (state recovering), then idle
};

// Which of the limits' release rates a response uses.
enum class ReleaseRate : std::uint8_t { stop, patient, fault };

struct RuleSpec {
  Rule rule;
  const char* name;  // stable: events, logs, history, docs
  Scope scope;
  Response response;
  ReleaseRate rate;
  bool latch;      // stays until device.reset
  int precedence;  // 1 wins: its outcome and reason are the session's
  const char* trips_when;
};

// The table, in precedence order (row i has precedence i + 1).
const std::array<RuleSpec, kRuleCount>& rule_table();
const RuleSpec& spec(Rule rule);
const char* to_string(Rule rule);
const char* to_string(Response response);
const char* to_string(Scope scope);
double release_rate(ReleaseRate rate, const EffectiveLimits& limits);

// The rules that tripped in one cycle, each with its message (what and why, with the values).
class TripSet {
 public:
  void add(Rule rule, std::string message);
  bool has(Rule rule) const { return bits_.test(static_cast<std::size_t>(rule)); }
  bool empty() const { return bits_.none(); }
  const std::bitset<kRuleCount>& bits() const { return bits_; }
  void clear() { bits_.reset(); }
  const std::string& message(Rule rule) const { return messages_[static_cast<std::size_t>(rule)]; }
  // Calls f(Rule) for every rule that tripped, in precedence order.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < kRuleCount; ++i)
      if (bits_.test(i)) f(static_cast<Rule>(i));
  }
  // The tripped rule with the highest precedence (the set must not be empty).
  Rule lead() const;
  // Every tripped rule's name and message, "drive_fault: ...; stop_switch: ...".
  std::string summary() const;

 private:
  std::bitset<kRuleCount> bits_;
  std::array<std::string, kRuleCount> messages_;
};

// What a set of trips makes the daemon do.
struct Reaction {
  Rule lead = Rule::recovery;  // the rule whose outcome and reason count
  Response response = Response::recover;
  double rate = 0.0;  // release rate, axis units per second
  bool latch = false;
};
Reaction decide(const TripSet& trips, const EffectiveLimits& limits);

}  // namespace traction
