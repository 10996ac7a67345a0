// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/status_json.hpp"

#include <algorithm>
#include <chrono>

#include "core/utc_time.hpp"
#include "daemon/engine/event_json.hpp"
#include "daemon/engine/safety_rules.hpp"

namespace traction {
namespace {

// The axis value under a name that carries its unit.
const char* axis_field(DeviceKind kind) {
  return kind == DeviceKind::inversion ? "angle_deg" : "force_n";
}

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// The names of the latched safety rules (safety_rules.hpp), in precedence order.
nlohmann::json latched_rules_json(std::uint32_t bits) {
  nlohmann::json out = nlohmann::json::array();
  for (const RuleSpec& rule : rule_table()) {
    if ((bits >> static_cast<unsigned>(rule.rule)) & 1U) out.push_back(rule.name);
  }
  return out;
}

}  // namespace

nlohmann::json device_to_json(DeviceKind kind, const DeviceState& device, Clock::time_point now) {
  nlohmann::json out = {
      {"kind", to_string(kind)},
      {"unit", axis_unit(kind)},
      {axis_field(kind), device.actual},
      {"velocity", optional_number(device.velocity)},
      {"stop_pressed", device.stop_pressed},
      {"stop_connected", device.stop_connected},
      {"end_stop_low", device.end_stop_low},
      {"end_stop_high", device.end_stop_high},
      {"drive", cia402::to_string(device.drive)},
      {"status_word", device.status_word},
      {"fault_code", device.fault_code},
      {"available", device.available},
      {"fresh", device.fresh},
      {"consecutive_failures", device.consecutive_failures},
  };
  // A table also reports the effective traction when it has one; a bench's force is its axis.
  if (kind == DeviceKind::inversion) out["force_n"] = optional_number(device.force_n);
  if (device.stamp == Clock::time_point{}) {
    out["age_ms"] = nullptr;  // never read
  } else {
    const auto age = std::chrono::duration<double, std::milli>(now - device.stamp).count();
    out["age_ms"] = std::max(0.0, age);
  }
  return out;
}

nlohmann::json session_to_json(DeviceKind kind, const SessionProgress& s) {
  const double progress =
      s.total_seconds > 0.0 ? std::clamp(s.elapsed_seconds / s.total_seconds, 0.0, 1.0) : 0.0;
  return {
      {"id", s.id},
      {"program", s.program},
      {"profile", s.profile},
      {"phase_index", s.phase_index},
      {"phase_count", s.phase_count},
      {"phase_kind", s.phase_kind},
      {"phase_label", s.phase_label},
      {"repetition", s.repetition},
      {"repetitions", s.repetitions},
      {"unit", axis_unit(kind)},
      {"target", s.target},
      {"phase_target", s.phase_target},
      {"elapsed_seconds", s.elapsed_seconds},
      {"remaining_seconds", s.remaining_seconds},
      {"phase_remaining_seconds", s.phase_remaining_seconds},
      {"total_seconds", s.total_seconds},
      {"progress", progress},
      {"active_seconds", s.active_seconds},
      {"exposure_seconds", s.exposure_seconds},
  };
}

nlohmann::json last_session_to_json(const LastSession& last) {
  return {
      {"id", last.id},
      {"program", last.program},
      {"outcome", last.outcome},
      {"reason", last.reason},
      {"started_utc", format_utc(last.started)},
      {"ended_utc", format_utc(last.ended)},
      {"peak", last.peak},
  };
}

nlohmann::json selftest_to_json(const SelfTestProgress& p) {
  return {{"step", p.step},
          {"step_index", p.step_index},
          {"step_count", p.step_count},
          {"prompt", p.prompt},
          {"elapsed_seconds", p.elapsed_seconds}};
}

nlohmann::json last_selftest_to_json(const std::optional<SelfTestSummary>& last) {
  if (!last) return nullptr;
  return {
      {"ended_utc", format_utc(last->time)}, {"passed", last->passed}, {"summary", last->summary}};
}

nlohmann::json status_to_json(const StatusSnapshot& snapshot, Clock::time_point now) {
  return {
      {"state", to_string(snapshot.state)},
      {"unit", axis_unit(snapshot.kind)},
      {"device", device_to_json(snapshot.kind, snapshot.device, now)},
      {"setpoint", snapshot.setpoint},
      {"session", snapshot.session ? session_to_json(snapshot.kind, *snapshot.session)
                                   : nlohmann::json(nullptr)},
      {"last_session", snapshot.last_session ? last_session_to_json(*snapshot.last_session)
                                             : nlohmann::json(nullptr)},
      {"fault", snapshot.fault.empty() ? nlohmann::json(nullptr) : nlohmann::json(snapshot.fault)},
      {"activity",
       snapshot.activity.empty() ? nlohmann::json(nullptr) : nlohmann::json(snapshot.activity)},
      {"selftest",
       snapshot.selftest ? selftest_to_json(*snapshot.selftest) : nlohmann::json(nullptr)},
      {"last_selftest", last_selftest_to_json(snapshot.last_selftest)},
      {"away_from_home", snapshot.away_from_home},
      {"latched_rules", latched_rules_json(snapshot.latched_rules)},
      {"loop",
       {{"period_s", snapshot.period_seconds},
        {"cycles", snapshot.cycles},
        {"overruns", snapshot.overruns},
        {"max_cycle_ms", snapshot.max_cycle_ms},
        {"realtime_priority_requested", snapshot.realtime_priority_requested},
        {"realtime_priority", snapshot.realtime_priority}}},
      {"last_event_seq", snapshot.last_event_seq},
  };
}

nlohmann::json event_to_json(const Event& event) {
  return {
      {"seq", event.seq},
      {"time_utc", format_utc(event.time)},
      {"kind", to_string(event.kind)},
      {"detail", event_detail(event)},
  };
}

}  // namespace traction
