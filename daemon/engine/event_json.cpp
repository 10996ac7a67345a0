// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/event_json.hpp"

namespace traction {

namespace {

// A session's own events: started, a phase begins, ended.
nlohmann::json session_detail(const Event& e) {
  if (e.kind == EventKind::session_started) {
    return {{"id", e.session_id},
            {"program", e.program},
            {"profile", e.profile},
            {"total_seconds", e.value}};
  }
  if (e.kind == EventKind::phase_changed) {
    return {{"index", e.phase_index},
            {"kind", e.phase_kind},
            {"label", e.label},
            {"repetition", e.repetition},
            {"target", e.value}};
  }
  nlohmann::json d = {{"id", e.session_id},
                      {"program", e.program},
                      {"outcome", to_string(e.outcome)},
                      {"reason", e.reason},
                      {"peak", e.value}};
  if (*e.rule != '\0') d["rule"] = e.rule;  // the safety rule that ended it
  return d;
}

}  // namespace

nlohmann::json event_detail(const Event& e) {
  switch (e.kind) {
    case EventKind::state_changed:
      return {{"from", to_string(e.from)}, {"to", to_string(e.to)}, {"reason", e.reason}};
    case EventKind::session_started:
    case EventKind::session_ended:
    case EventKind::phase_changed:
      return session_detail(e);
    case EventKind::fault:
    case EventKind::stop_switch:
      return {{"rule", e.rule}, {"message", e.reason}};
    case EventKind::estop:
      return {{"by", e.by}};
    case EventKind::reset:
      return {{"by", e.by}, {"cleared", e.reason}};
    case EventKind::device_lost:
      return {{"failures", e.failures}};
    case EventKind::device_regained:
      return nlohmann::json::object();
    case EventKind::release_resumed:
      return {{"state", to_string(e.from)}, {"actual", e.value}};
    case EventKind::recovery_started:
      return {{"reason", e.reason}, {"actual", e.value}};
    case EventKind::release_stalled:
      return {{"reason", e.reason}};
    case EventKind::selftest_started:
      return {{"by", e.by}};
    case EventKind::selftest_step:  // {step, result, detail, figures, seconds}
      return e.data;
    case EventKind::selftest_ended: {
      nlohmann::json d = e.data;  // {passed, seconds, steps}
      d["summary"] = e.reason;
      return d;
    }
  }
  return nlohmann::json::object();
}

}  // namespace traction
