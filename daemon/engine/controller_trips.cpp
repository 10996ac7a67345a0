// SPDX-License-Identifier: Apache-2.0
// Judgement and reaction: the monitor's rules and the controller's own, combined by the safety
// table (safety_rules.cpp). Only a rule that starts to trip causes a reaction; a condition that
// lasts does not react again.
#include <cmath>
#include <cstdio>

#include "daemon/engine/home.hpp"
#include "daemon/engine/program_expand.hpp"
#include "daemon/engine/session_controller.hpp"

namespace traction {
namespace {

bool session_state(DaemonState s) {
  return s == DaemonState::starting || s == DaemonState::running || s == DaemonState::paused;
}

Outcome outcome_of(Response response) {
  switch (response) {
    case Response::estop:
      return Outcome::estopped;
    case Response::fault:
      return Outcome::faulted;
    case Response::stop:
      return Outcome::stopped;
    case Response::patient_stop:
      return Outcome::stop_switch;
    case Response::recover:
      return Outcome::stopped;
  }
  return Outcome::faulted;
}

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", s);
  return text;
}

}  // namespace

void SessionController::judge() {
  MonitorContext ctx;
  ctx.session = session_state(state_);
  ctx.releasing = release_.active();
  ctx.drive_enabled = enabled();
  ctx.setpoint = governor_.position();
  ctx.highest_target = session_ ? session_->runner.highest_target() : limits().max_target;
  ctx.session_seconds = session_ ? session_->active_seconds(tick_.now) : 0.0;
  // A communication-loss fault is expected where the daemon's own silence caused it: after a lost
  // link (recovering) and in the self-test's watchdog step.
  if (state_ == DaemonState::recovering || (selftest_ && selftest_->expects_comm_loss()))
    ctx.expected_fault_code = options_.release.comm_loss_fault_code;
  monitor_.check(tick_.now, device_, ctx, trips_);
  if (device_.available) add_controller_rules();
  own_.for_each([&](Rule r) { trips_.add(r, own_.message(r)); });
  own_.clear();
  fresh_.clear();
  trips_.for_each([&](Rule r) {
    if (!active_.test(static_cast<std::size_t>(r))) fresh_.add(r, trips_.message(r));
  });
  active_ = trips_.bits();
  if (!fresh_.empty()) react(fresh_);
}

void SessionController::add_controller_rules() {
  switch (state_) {
    case DaemonState::idle:
      if (!away()) {
        away_since_.reset();
      } else if (!away_since_) {
        away_since_ = tick_.now;
      } else if (seconds_since(*away_since_) >= options_.idle_drift_s) {
        own_.add(Rule::recovery,
                 "the axis left home while idle (" + axis_text(device_.actual, kind_) + ")");
      }
      break;
    case DaemonState::starting:
    case DaemonState::running:
    case DaemonState::paused:
      add_session_rules();
      break;
    case DaemonState::stopping:
    case DaemonState::recovering:
    case DaemonState::fault:
    case DaemonState::estop:
      add_release_rules();
      break;
    case DaemonState::selftest:  // the self-test bounds each of its steps itself
    case DaemonState::disconnected:
      break;
  }
}

void SessionController::add_session_rules() {
  Session& s = *session_;
  if (state_ == DaemonState::starting) {
    if (s.gate != nullptr) {
      const RecordState record = s.gate->record_state(s.id);
      if (record == RecordState::committed) s.gate = nullptr;
      if (record == RecordState::failed ||
          (record == RecordState::pending && tick_.now >= s.record_deadline))
        own_.add(Rule::record_timeout, std::string(reason::kHistoryUnavailable) +
                                           ": the session could not be recorded, so nothing moved");
    }
    if (!write_refusal_.empty()) own_.add(Rule::activation_failed, write_refusal_);
    if (s.enable_requested && seconds_since(*s.enable_requested) > options_.enable_timeout_s)
      own_.add(Rule::activation_failed, "the drive did not reach operation enabled within " +
                                            seconds_text(options_.enable_timeout_s));
    return;
  }
  const bool own_reaction =
      cia402::faulted(device_.drive) || device_.stop_pressed || !device_.stop_connected;
  if (!enabled() && !own_reaction)
    own_.add(Rule::drive_disabled, std::string("the drive left operation enabled (") +
                                       cia402::to_string(device_.drive) + ")");
  if (state_ == DaemonState::paused && s.paused_since &&
      seconds_since(*s.paused_since) > limits().max_pause_seconds)
    own_.add(Rule::pause_timeout,
             "paused longer than the maximum pause of " + seconds_text(limits().max_pause_seconds));
  const double release =
      release_seconds(governor_.position(), limits().release_rate_stop, limits(), kind_);
  if (state_ == DaemonState::running &&
      s.active_seconds(tick_.now) + release >= limits().max_session_seconds)
    own_.add(Rule::session_time_cap,
             "the release home began early to end within the session cap of " +
                 seconds_text(limits().max_session_seconds));
}

void SessionController::add_release_rules() {
  // A latched state at home whose axis leaves home again (a person pulling, a drive letting go)
  // releases again: a latch never means "left loaded".
  if (!release_.active() && away())
    begin_release(state_, fault_, limits().release_rate_fault, false);
  if (release_.take_gave_up())
    own_.add(Rule::activation_failed, "the person is still loaded at " +
                                          axis_text(device_.actual, kind_) + ": " +
                                          release_.gave_up());
}

void SessionController::react(const TripSet& fresh) {
  fresh.for_each([&](Rule r) {
    const RuleSpec& s = spec(r);
    if (s.latch) latched_.set(static_cast<std::size_t>(r));
    if (r == Rule::estop || r == Rule::recovery || (!s.latch && r != Rule::stop_switch)) return;
    Event e;
    e.kind = r == Rule::stop_switch ? EventKind::stop_switch : EventKind::fault;
    e.rule = s.name;
    e.reason = fresh.message(r);
    emit(std::move(e));
  });
  if (fresh.has(Rule::release_stalled)) release_.stalled();
  const Reaction r = decide(fresh, limits());
  const std::string why = fresh.message(r.lead);
  switch (r.response) {
    case Response::estop:
    case Response::fault:
      latch(r.lead, fresh, r.rate);
      break;
    case Response::stop:
    case Response::patient_stop:
      if (session_) {
        end_session(outcome_of(r.response), why, to_string(r.lead));
        begin_release(DaemonState::stopping, why, r.rate, false);
      } else if (release_.active()) {
        release_.begin(r.rate, false, tick_.now, device_.actual, limits(), kind_);
      }
      break;
    case Response::recover: {
      Event e;
      e.kind = EventKind::recovery_started;
      e.reason = why;
      e.value = device_.actual;
      emit(std::move(e));
      begin_release(DaemonState::recovering, why, r.rate, false);
      break;
    }
  }
}

// A latching reaction. The device lost while idle and at home leaves nobody loaded: the daemon
// just waits for it (lose_device()). An estop stays an estop when a fault follows it.
void SessionController::latch(Rule lead, const TripSet& fresh, double rate) {
  const bool estop = lead == Rule::estop || state_ == DaemonState::estop;
  const std::string why = fresh.summary();
  if (session_)
    end_session(lead == Rule::estop ? Outcome::estopped : Outcome::faulted, why, to_string(lead));
  abort_selftest(why);
  const bool latched_already = state_ == DaemonState::fault || state_ == DaemonState::estop;
  if (!latched_already) {
    fault_ = why;
  } else if (fault_.size() < 2000) {
    fault_ += "; then " + why;
  }
  begin_release(estop ? DaemonState::estop : DaemonState::fault, why, rate, lead == Rule::estop);
}

void SessionController::begin_release(DaemonState next, const std::string& why, double rate,
                                      bool quick_stop) {
  release_.begin(rate, quick_stop, tick_.now, device_.actual, limits(), kind_);
  waiting_ = nullptr;
  set_state(next, why);
}

void SessionController::end_session(Outcome outcome, const std::string& why, const char* rule) {
  if (!session_) return;
  LastSession last;
  last.id = session_->id;
  last.program = session_->plan->program;
  last.outcome = to_string(outcome);
  last.reason = why;
  last.started = session_->started_utc;
  last.ended = tick_.utc;
  last.peak = session_->peak;
  Event e;
  e.kind = EventKind::session_ended;
  e.session_id = last.id;
  e.program = last.program;
  e.outcome = outcome;
  e.reason = why;
  e.rule = rule;
  e.value = last.peak;
  last_session_ = std::move(last);
  session_.reset();
  emit(std::move(e));
}

}  // namespace traction
