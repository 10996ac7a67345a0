// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/method_table.hpp"

#include "daemon/server/method_handlers.hpp"

namespace traction {
namespace {

using enum ParamType;

// program.validate and session.start take the same parameters.
const std::vector<ParamSpec> kProgramParams{
    {"program", string, false, "name of a catalog program (give this or definition)"},
    {"definition", object, false, "an inline program definition (give this or program)"},
    {"profile", string, false, "profile whose limits apply (default: site limits)"},
};

// The table is kept in rows, one method per entry, so that it reads as a table.
// clang-format off
std::vector<MethodSpec> build_table() {
  namespace h = handlers;
  return {
      {"daemon.info", h::daemon_info, Role::none, false, {},
       "versions, protocol, device kind and unit, capabilities, the caller's role",
       "What this daemon is and what it can do."},
      {"rpc.describe", h::rpc_describe, Role::none, false, {},
       "{methods: [...], notifications: [...]}",
       "Every method with its parameters, result and required role; every notification."},
      {"connection.lower_role", h::connection_lower_role, Role::none, true,
       {{"role", string, true, "none, observer, operator or admin: at most this connection's role"}},
       "{role, previous_role}",
       "Lowers this connection's role for the rest of its life (a relay serving several users "
       "hands each its own connection); a role above the current one is refused."},
      {"connection.mark_remote", h::connection_mark_remote, Role::none, true, {},
       "{remote: true}",
       "Marks this connection remote for the rest of its life (tractiond-mqtt does on each of its "
       "connections): session.start is then refused unless remote start is granted, and "
       "remote_start.allow is refused. It cannot be undone."},
      {"remote_start.allow", h::remote_start_allow, Role::operator_, true,
       {{"minutes", number, true, "how long remote start stays granted", 0.05, 240}},
       "the remote_start object of status.get",
       "Grants remote start at the device for `minutes`: a remote connection may start one "
       "session until the grant expires or any session ends, an estop, a fault or the stop "
       "switch ends it. Refused on a remote connection."},
      {"remote_start.revoke", h::remote_start_revoke, Role::operator_, true, {},
       "the remote_start object of status.get, with was_granted",
       "Ends the remote start grant now."},
      {"status.get", h::status_get, Role::observer, false, {},
       "the status object (state, device, setpoint, session, last_session, fault, loop, "
       "remote_start)",
       "The daemon's state now."},
      {"status.subscribe", h::status_subscribe, Role::observer, false,
       {{"rate_hz", number, false, "status.update notifications per second (default 5)", 1, 50},
        {"events", boolean, false, "also send event notifications (default true)"}},
       "{rate_hz, events, last_event_seq}",
       "Streams status.update at rate_hz and each event as soon as it is seen. Calling it again "
       "changes the rate."},
      {"status.unsubscribe", h::status_unsubscribe, Role::observer, false, {},
       "{subscribed: false}", "Ends this connection's subscription."},
      {"program.list", h::program_list, Role::observer, false, {}, "{programs: [...]}",
       "The catalog's programs with their summaries."},
      {"program.get", h::program_get, Role::observer, false,
       {{"name", string, true, "program name"}}, "the program definition",
       "One program of the catalog."},
      {"program.validate", h::program_validate, Role::observer, false, kProgramParams,
       "{valid: true, plan: {...}}",
       "Checks a program against device, site and profile limits; nothing moves. An invalid "
       "program is an error with every violation."},
      {"session.start", h::session_start, Role::operator_, true, kProgramParams,
       "the control thread's reply (session id)",
       "Validates the program and starts a session with it."},
      {"session.pause", h::session_pause, Role::operator_, true, {}, "{}",
       "Holds the running session where it is (bounded by the pause limit)."},
      {"session.resume", h::session_resume, Role::operator_, true, {}, "{}",
       "Continues a paused session."},
      {"session.stop", h::session_stop, Role::operator_, true, {}, "{}",
       "Ends the session with a gradual return to safe."},
      {"device.estop", h::device_estop, Role::none, true, {}, "{}",
       "Emergency stop: allowed for every connection, never refused, overtakes queued commands."},
      {"device.selftest", h::device_selftest, Role::operator_, true,
       {{"nobody_on_device", boolean, true, "true: the caller confirms that nobody is on the device"},
        {"stop_switch_seconds", number, false,
         "how long the person has to press the patient stop switch (default 30)", 5, 300}},
       "{started: true, steps}",
       "Runs the commissioning self-test (identity, watchdog, stop_switch, motion, release) with "
       "nobody on the device: only while idle and at home. status.get's selftest shows the step "
       "and what it asks; selftest_step and selftest_ended events carry each result."},
      {"device.reset", h::device_reset, Role::admin, true, {}, "{}",
       "Clears a latched fault or estop; only when the device is at rest."},
      {"profile.list", h::profile_list, Role::observer, false, {}, "{profiles: [...]}",
       "The configured person profiles."},
      {"profile.get", h::profile_get, Role::observer, false,
       {{"name", string, true, "profile name"}}, "the profile", "One profile."},
      {"limits.get", h::limits_get, Role::observer, false,
       {{"profile", string, false, "profile name (default: site limits)"}},
       "the effective limits and the level that set each",
       "Effective limits: device, site and profile merged, most restrictive wins."},
      {"history.list", h::history_list, Role::observer, false,
       {{"profile", string, false, "only this profile's sessions (\"\" = site defaults)"},
        {"since", string, false, "only sessions started at or after this UTC time (ISO-8601)"},
        {"limit", integer, false, "at most this many sessions, newest first (default 50)", 1,
         1000}},
       "{sessions: [...]}", "Recorded sessions, newest first (docs/history.md)."},
      {"history.get", h::history_get, Role::observer, false,
       {{"id", string, true, "session id"},
        {"samples", boolean, false, "include the 10 Hz samples (default false)"}},
       "the session with its plan, limits, progression, events and samples",
       "One recorded session."},
      {"session.feedback", h::session_feedback, Role::operator_, true,
       {{"id", string, true, "session id"},
        {"comfort_before", integer, false, "comfort before the session, 0 (worst) to 10", 0, 10},
        {"comfort_after", integer, false, "comfort after the session, 0 (worst) to 10", 0, 10},
        {"note", string, false, "a note (at most 1000 characters)"}},
       "{id, comfort_before, comfort_after, note}",
       "Records how a session felt; a worse comfort after than before steps a progression back."},
  };
}
// clang-format on

}  // namespace

const std::vector<MethodSpec>& method_table() {
  static const std::vector<MethodSpec> table = build_table();
  return table;
}

const MethodSpec* find_method(std::string_view name) {
  for (const auto& spec : method_table()) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

nlohmann::json describe_api() {
  nlohmann::json methods = nlohmann::json::array();
  for (const auto& spec : method_table()) {
    methods.push_back({{"name", spec.name},
                       {"role", to_string(spec.role)},
                       {"changes_state", spec.changes_state},
                       {"params", describe_params(spec.params)},
                       {"result", spec.result},
                       {"description", spec.description}});
  }
  nlohmann::json notifications = nlohmann::json::array(
      {{{"name", "status.update"},
        {"params", "{seq, last_event_seq, status}"},
        {"description",
         "the status object at the subscribed rate; seq counts updates of this "
         "subscription from 1"}},
       {{"name", "event"},
        {"params", "{seq, time_utc, kind, detail}"},
        {"description",
         "a daemon event as soon as it is seen; seq is the daemon's monotonic "
         "event number"}}});
  return {{"protocol_version", rpc::kProtocolVersion},
          {"methods", std::move(methods)},
          {"notifications", std::move(notifications)}};
}

}  // namespace traction
