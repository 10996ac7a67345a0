// SPDX-License-Identifier: Apache-2.0
// What the recorder writes into the history, one struct per kind of row (docs/history.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace traction::history {

// Samples are taken every 0.1 s (10 Hz) while a session runs and during the release after it.
inline constexpr double kSampleSeconds = 0.1;

// A session's row, written before anything moves.
struct SessionBegin {
  std::string id;
  std::string program;
  std::string profile;
  std::string started_utc;
  nlohmann::json plan;         // the validated plan as Plan::to_json() gives it
  nlohmann::json limits;       // the effective limits (EffectiveLimits::to_json())
  nlohmann::json progression;  // the plan's progression (null when the program has none)
};

struct EventRecord {
  std::optional<std::string> session_id;  // none: the event happened outside a session
  std::string time_utc;
  std::string kind;
  nlohmann::json detail;
};

// One 10 Hz sample. `phase` is the plan's phase index while the session runs; after the session
// has ended (the release that follows a stop) it is empty.
struct SampleRecord {
  std::string session_id;
  double t_s = 0.0;  // seconds since the session started
  double target = 0.0;
  double actual = 0.0;
  std::optional<double> velocity;
  std::optional<int> phase;
};

struct SessionEnd {
  std::string id;
  std::string ended_utc;
  std::string outcome;
  std::string reason;
  std::optional<double> peak;  // the controller's per-cycle peak, when it reported one
};

// A finished self-test (docs/commissioning.md): every step with its result and figures.
struct SelfTestRow {
  std::string ended_utc;
  bool passed = false;
  std::string summary;
  double seconds = 0.0;
  nlohmann::json steps = nlohmann::json::array();
};

// session.feedback: each given field replaces the stored one.
struct Feedback {
  std::optional<int> comfort_before;  // 0 (worst) .. 10 (most comfortable)
  std::optional<int> comfort_after;
  std::optional<std::string> note;
};

// history.list filters.
struct ListQuery {
  std::optional<std::string> profile;
  std::optional<std::string> since;  // UTC ISO-8601 (a date or a date and time)
  int limit = 50;
};

}  // namespace traction::history
