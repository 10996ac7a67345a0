// SPDX-License-Identifier: Apache-2.0
// The safety table. A reviewer reads it top to bottom: each row is one rule, when it is judged,
// what it does, how fast the release is, whether it latches, and its precedence (the row order).
// docs/safety.md prints the same table with each rule's test.
#include "daemon/engine/safety_rules.hpp"

#include <algorithm>

namespace traction {
namespace {

using enum Scope;
using R = Response;
using V = ReleaseRate;

// clang-format off
constexpr std::array<RuleSpec, kRuleCount> kTable{{
  // rule                          name                     scope    response         rate        latch prec
  {Rule::estop,                   "estop",                  always,  R::estop,        V::fault,   true,  1,
   "device.estop from any connection, in any state"},
  {Rule::drive_fault,             "drive_fault",            always,  R::fault,        V::fault,   true,  2,
   "the drive reports fault or fault reaction active"},
  {Rule::device_unavailable,      "device_unavailable",     always,  R::fault,        V::fault,   true,  3,
   "the device failed to answer for 5 consecutive cycles"},
  {Rule::data_stale,              "data_stale",             always,  R::fault,        V::fault,   true,  4,
   "the last good reading is older than 0.25 s, or the reading is not a finite number"},
  {Rule::out_of_range,            "out_of_range",           always,  R::fault,        V::fault,   true,  5,
   "the reading is beyond min_target/max_target by more than the tolerance"},
  {Rule::end_stop,                "end_stop",               always,  R::fault,        V::fault,   true,  6,
   "an end-stop switch is active while the reading is not at that end, or the high end stop "
   "is active at all"},
  {Rule::sensor_mismatch,         "sensor_mismatch",        session, R::fault,        V::fault,   true,  7,
   "a mapped second reading (a table's force, a bench's rope position) stays still for 1 s "
   "while the axis moves by more than 4 x the tolerance"},
  {Rule::stop_switch_unplugged,   "stop_switch_unplugged",  session, R::fault,        V::fault,   true,  8,
   "the patient stop switch is unplugged while a session runs"},
  {Rule::activation_failed,       "activation_failed",      always,  R::fault,        V::fault,   true,  9,
   "the drive did not reach operation enabled (or clear a communication-loss fault) within "
   "the enable timeout, 3 attempts in a row for a release"},
  {Rule::drive_disabled,          "drive_disabled",         session, R::fault,        V::fault,   true,  10,
   "the drive left operation enabled during a session without a fault of its own"},
  {Rule::release_stalled,         "release_stalled",        release, R::fault,        V::fault,   true,  11,
   "during a release the reading lags the setpoint beyond the tracking band for 2 s"},
  {Rule::overshoot,               "overshoot",              session, R::fault,        V::fault,   true,  12,
   "the reading passed the plan's farthest target by more than the tolerance"},
  {Rule::rate_exceeded,           "rate_exceeded",          session, R::fault,        V::fault,   true,  13,
   "the reading moves away from home faster than 1.5 x max_rate_up over 0.25 s, for 0.25 s"},
  {Rule::tracking_error,          "tracking_error",         session, R::fault,        V::fault,   true,  14,
   "the reading is beyond 2 x tolerance from the setpoint for 1 s in all (time inside the "
   "band counts down at half the rate)"},
  {Rule::settle_timeout,          "settle_timeout",         session, R::fault,        V::fault,   true,  15,
   "the setpoint rests and the reading stays outside the settle band for 3 s"},
  {Rule::session_time_exceeded,   "session_time_exceeded",  session, R::fault,        V::fault,   true,  16,
   "the session ran past max_session_seconds (pauses excluded); session_time_cap ends it first"},
  {Rule::stop_switch,             "stop_switch",            session, R::patient_stop, V::patient, false, 17,
   "the person pressed the patient stop switch (the drive's own stop acts first)"},
  {Rule::hold_time_exceeded,      "hold_time_exceeded",     session, R::stop,         V::stop,    false, 18,
   "the reading stayed beyond hold_cap_above for max_hold_seconds in a row, across holds, "
   "ramps, rests and pauses"},
  {Rule::session_time_cap,        "session_time_cap",       session, R::stop,         V::stop,    false, 19,
   "the release home must begin now to end within max_session_seconds"},
  {Rule::pause_timeout,           "pause_timeout",          session, R::stop,         V::stop,    false, 20,
   "a pause lasted longer than max_pause_seconds"},
  {Rule::record_timeout,          "record_timeout",         session, R::stop,         V::stop,    false, 21,
   "the session's history row was not committed within 3 s (nothing moved)"},
  {Rule::recovery,                "recovery",               always,  R::recover,      V::fault,   false, 22,
   "no session, and the axis is away from home: after start-up, device.reset or a returned "
   "link, or after drifting while idle"},
}};
// clang-format on

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<std::size_t>(kTable[i].rule) != i || kTable[i].precedence != int(i) + 1)
      return false;
  }
  return true;
}
static_assert(table_in_order(), "rows follow the Rule enum, and precedence is the row order");

}  // namespace

const std::array<RuleSpec, kRuleCount>& rule_table() {
  return kTable;
}

const RuleSpec& spec(Rule rule) {
  return kTable[static_cast<std::size_t>(rule)];
}

const char* to_string(Rule rule) {
  return spec(rule).name;
}

const char* to_string(Response response) {
  switch (response) {
    case Response::estop:
      return "estop";
    case Response::fault:
      return "fault";
    case Response::stop:
      return "stop";
    case Response::patient_stop:
      return "patient_stop";
    case Response::recover:
      return "recover";
  }
  return "?";
}

const char* to_string(Scope scope) {
  switch (scope) {
    case Scope::always:
      return "always";
    case Scope::session:
      return "session";
    case Scope::release:
      return "release";
    case Scope::moving:
      return "moving";
  }
  return "?";
}

double release_rate(ReleaseRate rate, const EffectiveLimits& limits) {
  switch (rate) {
    case ReleaseRate::stop:
      return limits.release_rate_stop;
    case ReleaseRate::patient:
      return limits.release_rate_patient;
    case ReleaseRate::fault:
      return limits.release_rate_fault;
  }
  return limits.release_rate_fault;
}

void TripSet::add(Rule rule, std::string message) {
  const auto i = static_cast<std::size_t>(rule);
  if (bits_.test(i)) return;  // the first message of a cycle stands
  bits_.set(i);
  messages_[i] = std::move(message);
}

Rule TripSet::lead() const {
  for (std::size_t i = 0; i < kRuleCount; ++i)
    if (bits_.test(i)) return static_cast<Rule>(i);
  return Rule::recovery;
}

std::string TripSet::summary() const {
  std::string out;
  for_each([&](Rule r) {
    if (!out.empty()) out += "; ";
    out += std::string(to_string(r)) + ": " + message(r);
  });
  return out;
}

Reaction decide(const TripSet& trips, const EffectiveLimits& limits) {
  Reaction out;
  if (trips.empty()) return out;
  out.lead = trips.lead();
  out.response = spec(out.lead).response;
  trips.for_each([&](Rule r) {
    const RuleSpec& s = spec(r);
    out.response = std::min(out.response, s.response);
    out.rate = std::max(out.rate, release_rate(s.rate, limits));
    out.latch = out.latch || s.latch;
  });
  return out;
}

}  // namespace traction
