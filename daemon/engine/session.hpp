// SPDX-License-Identifier: Apache-2.0
// Everything that belongs to one session, as one value: created whole by session.start and
// dropped whole when the session ends, so that nothing of one session leaks into the next.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/utc_time.hpp"
#include "daemon/control_api.hpp"
#include "daemon/engine/session_runner.hpp"

namespace traction {

// The two clocks of a control cycle: steady time for control, UTC for records. Both are passed in;
// the engine never reads a clock.
struct Tick {
  Clock::time_point now{};
  SystemTime utc{};
};

struct Session {
  Session(std::string session_id, std::shared_ptr<const Plan> validated, const Tick& tick,
          const SessionRecordGate* gate, double record_timeout_s);

  // Seconds that count against max_session_seconds: from the moment the drive was enabled and the
  // plan began, without pauses and without the returns to the phase level after a resume.
  double active_seconds(Clock::time_point now) const;
  // The pause began / ended; the return after a resume ends when the runner settles again.
  void pause(Clock::time_point now, double setpoint, double level, bool in_place);
  void resume(Clock::time_point now);
  void returned(Clock::time_point now);
  void observe_peak(double actual, double home);
  bool recorded() const { return gate == nullptr; }

  std::string id;
  std::shared_ptr<const Plan> plan;
  SessionRunner runner;
  SystemTime started_utc;
  Clock::time_point accepted;                      // session.start was answered
  std::optional<Clock::time_point> running_since;  // the drive is enabled and the plan runs
  const SessionRecordGate* gate;  // this session's history record; null once committed
  Clock::time_point record_deadline;
  std::optional<Clock::time_point> enable_requested;  // starting: the drive is being enabled
  std::optional<Clock::time_point> paused_since;
  std::optional<Clock::time_point> returning_since;  // after a resume, back to the phase level
  Clock::duration excluded{};                        // pauses and returns, not session time
  double paused_at = 0.0;       // the setpoint when the pause began: a return ends there
  double pause_level = 0.0;     // where a paused session waits (its rest level, never further out)
  bool pause_in_place = false;  // below the rest level: brake to a stop wherever that is
  double peak = 0.0;            // the reading furthest from home
};

}  // namespace traction
