// SPDX-License-Identifier: Apache-2.0
// The published view of the controller. Filled in place, so that a steady cycle reuses the
// snapshot's strings instead of allocating new ones.
#include "daemon/engine/session_controller.hpp"

namespace traction {
namespace {

// The running self-test's step and prompt (none outside one).
void fill_selftest(const std::optional<SelfTest>& test, Clock::time_point now, StatusSnapshot& s) {
  if (!test) {
    s.selftest.reset();
    return;
  }
  if (!s.selftest) s.selftest.emplace();
  s.selftest->step = test->step_name();
  s.selftest->step_index = test->step_index();
  s.selftest->step_count = SelfTest::kStepCount;
  s.selftest->prompt = test->prompt();
  s.selftest->elapsed_seconds = test->seconds(now);
}

}  // namespace

void SessionController::fill_snapshot(Clock::time_point now, StatusSnapshot& s) const {
  s.state = state_;
  s.kind = kind_;
  s.device = device_;
  s.setpoint = governor_.position();
  s.last_session = last_session_;
  s.fault = fault_;
  s.activity = activity_;
  s.away_from_home = state_ != DaemonState::disconnected && away();
  s.latched_rules = static_cast<std::uint32_t>(latched_.to_ulong());
  s.period_seconds = options_.period_s;
  s.last_event_seq = next_seq_ - 1;
  s.last_selftest = last_selftest_;
  fill_selftest(selftest_, now, s);
  if (!session_) {
    s.session.reset();
    return;
  }
  if (!s.session) s.session.emplace();
  SessionProgress& p = *s.session;
  const Session& ss = *session_;
  const SessionRunner& runner = ss.runner;
  const Phase& ph = runner.phase();
  p.id = ss.id;
  p.program = ss.plan->program;
  p.profile = ss.plan->profile;
  p.phase_count = static_cast<int>(ss.plan->phases.size());
  p.repetitions = ss.plan->repetitions;
  p.total_seconds = ss.plan->total_seconds;
  p.plan = ss.plan;
  p.phase_index = static_cast<int>(runner.phase_index());
  p.phase_kind = to_string(ph.kind);
  p.phase_label = ph.label;
  p.repetition = ph.repetition;
  p.target = governor_.position();
  p.phase_target = ph.target;
  p.elapsed_seconds = std::chrono::duration<double>(now - ss.accepted).count();
  p.active_seconds = ss.active_seconds(now);
  p.exposure_seconds = monitor_.exposure_seconds();
  p.remaining_seconds = runner.remaining_seconds(now, governor_.position());
  p.phase_remaining_seconds = runner.phase_remaining_seconds(now, governor_.position());
}

StatusSnapshot SessionController::snapshot(Clock::time_point now) const {
  StatusSnapshot s;
  fill_snapshot(now, s);
  return s;
}

}  // namespace traction
