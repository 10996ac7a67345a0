// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/session.hpp"

#include <cmath>

#include "daemon/engine/home.hpp"

namespace traction {

Session::Session(std::string session_id, std::shared_ptr<const Plan> validated, const Tick& tick,
                 const SessionRecordGate* record_gate, double record_timeout_s)
    : id(std::move(session_id)),
      plan(validated),
      runner(std::move(validated)),
      started_utc(tick.utc),
      accepted(tick.now),
      gate(record_gate),
      record_deadline(tick.now + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(record_timeout_s))),
      peak(plan->limits.home) {}

double Session::active_seconds(Clock::time_point now) const {
  if (!running_since) return 0.0;
  Clock::duration excluded_now = excluded;
  if (paused_since) excluded_now += now - *paused_since;
  if (returning_since) excluded_now += now - *returning_since;
  return std::chrono::duration<double>(now - *running_since - excluded_now).count();
}

void Session::pause(Clock::time_point now, double setpoint, double level, bool in_place) {
  // A pause during a return: the return time ends here, and the next return still ends where the
  // first pause began.
  if (returning_since)
    returned(now);
  else
    paused_at = setpoint;
  paused_since = now;
  pause_level = level;
  pause_in_place = in_place;
  runner.pause(now);
}

void Session::resume(Clock::time_point now) {
  if (paused_since) excluded += now - *paused_since;
  paused_since.reset();
  returning_since = now;
  runner.resume(now);
}

void Session::returned(Clock::time_point now) {
  if (!returning_since) return;
  excluded += now - *returning_since;
  returning_since.reset();
}

void Session::observe_peak(double actual, double home) {
  if (std::isfinite(actual) && further_from_home(actual, peak, home)) peak = actual;
}

}  // namespace traction
