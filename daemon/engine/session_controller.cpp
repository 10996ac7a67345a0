// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/session_controller.hpp"

#include <cmath>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "daemon/engine/program_expand.hpp"

namespace traction {
namespace {

bool session_state(DaemonState s) {
  return s == DaemonState::running || s == DaemonState::paused;
}

ApiError api_error(const char* reason, std::string message) {
  return ApiError{reason, std::move(message), {}};
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string seconds_text(double s) {
  std::ostringstream out;
  out << s << " s";
  return out.str();
}

}  // namespace

std::string utc_now_iso8601() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(3) << std::setfill('0') << ms
      << 'Z';
  return out.str();
}

SessionController::SessionController(DeviceKind kind, const EffectiveLimits& base_limits,
                                     ControllerOptions options)
    : kind_(kind),
      base_limits_(base_limits),
      options_(options),
      governor_(base_limits),
      monitor_(base_limits, options.monitor),
      release_rate_(base_limits.release_rate_stop) {}

void SessionController::emit(const std::string& kind, nlohmann::json detail) {
  events_.push_back(Event{next_seq_++, utc_now_iso8601(), kind, std::move(detail)});
}

std::vector<Event> SessionController::take_events() {
  std::vector<Event> out;
  out.swap(events_);
  return out;
}

void SessionController::set_state(DaemonState next, const std::string& why) {
  if (next == state_) return;
  emit("state_changed", {{"from", to_string(state_)}, {"to", to_string(next)}, {"reason", why}});
  state_ = next;
}

// A release (stop, fault, estop) is under way, the drive has stopped following setpoints without
// a fault of its own (a drive fault performs its own reaction and needs device.reset), the device
// answers, the patient's stop switch is plugged in and released (else the drive's own stop chain
// holds), and the axis is away from home (a bench: under more tension than its floor force).
bool SessionController::release_needs_drive(const DeviceState& device) const {
  const bool releasing = state_ == DaemonState::stopping || state_ == DaemonState::fault ||
                         state_ == DaemonState::estop;
  const bool drive_idle = device.drive == cia402::State::switch_on_disabled ||
                          device.drive == cia402::State::ready_to_switch_on ||
                          device.drive == cia402::State::switched_on;
  // A bench below its floor force is slack, which is safe: it is never pulled back up to the floor.
  const EffectiveLimits& l = governor_.limits();
  const double from_home = device.actual - l.home;
  const bool away = kind_ == DeviceKind::traction ? from_home > 0.5 * l.tolerance
                                                  : std::abs(from_home) > 0.5 * l.tolerance;
  return releasing && drive_idle && device.available && device.fresh && device.stop_connected &&
         !device.stop_pressed && away;
}

bool SessionController::at_rest() const {
  return std::abs(governor_.state().velocity) < 1e-3 &&
         std::abs(device_.velocity.value_or(0.0)) < 0.5 * base_limits_.tolerance + 1e-9;
}

std::optional<ApiError> SessionController::start_refusal() const {
  switch (state_) {
    case DaemonState::disconnected:
      return api_error(reason::kDeviceUnavailable, "the device is not connected");
    case DaemonState::running:
    case DaemonState::paused:
    case DaemonState::stopping:
      return api_error(reason::kSessionActive,
                       "session " + progress_.id + " is still active (" + to_string(state_) + ")");
    case DaemonState::fault:
      return api_error(reason::kDeviceFault,
                       "a fault is latched: " + fault_ + "; use device.reset");
    case DaemonState::estop:
      return api_error(reason::kEstopped, "the emergency stop is latched; use device.reset");
    case DaemonState::idle:
      break;
  }
  if (!device_.fresh) return api_error(reason::kDataStale, "no fresh reading from the device");
  if (!device_.stop_connected) {
    return api_error(reason::kStopSwitch,
                     "the patient stop switch is unplugged: plug it in before starting");
  }
  if (device_.stop_pressed) {
    return api_error(reason::kStopSwitchPressed,
                     "the patient stop switch is pressed: release it before starting");
  }
  if (device_.drive == cia402::State::fault) {
    return api_error(reason::kDeviceFault, "the drive reports a fault; use device.reset");
  }
  return std::nullopt;
}

void SessionController::handle(ControlCommand command, Clock::time_point now) {
  CommandReply reply;
  auto fail = [&](ApiError e) { reply.error = std::move(e); };
  switch (command.kind) {
    case CommandKind::start: {
      if (auto refusal = start_refusal()) {
        fail(*refusal);
        break;
      }
      if (!command.plan || command.plan->phases.empty()) {
        fail(api_error(reason::kInvalidProgram, "no validated plan"));
        break;
      }
      runner_ = std::make_unique<SessionRunner>(command.plan);
      governor_.set_limits(command.plan->limits);
      monitor_.set_limits(command.plan->limits);
      monitor_.reset();
      release_rate_ = command.plan->limits.release_rate_stop;
      progress_ = SessionProgress{};
      session_started_utc_ = utc_now_iso8601();
      progress_.id =
          "s" + std::to_string(std::time(nullptr)) + "-" + std::to_string(++session_counter_);
      progress_.program = command.plan->program;
      progress_.profile = command.plan->profile;
      progress_.phase_count = static_cast<int>(command.plan->phases.size());
      progress_.repetitions = command.plan->repetitions;
      progress_.total_seconds = command.plan->total_seconds;
      progress_.plan = command.plan;
      record_gate_ = command.record_gate;
      record_deadline_ = now + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(options_.record_timeout_s));
      session_started_ = now;
      session_peak_ = device_.actual;
      enable_requested_.reset();
      paused_since_.reset();
      paused_total_ = {};
      pending_outcome_.reset();
      set_state(DaemonState::running, "session started by " + command.requested_by);
      emit("session_started", {{"id", progress_.id},
                               {"program", progress_.program},
                               {"profile", progress_.profile},
                               {"total_seconds", progress_.total_seconds}});
      reply.result = {{"session_id", progress_.id},
                      {"program", progress_.program},
                      {"total_seconds", progress_.total_seconds}};
      break;
    }
    case CommandKind::pause:
      if (state_ == DaemonState::paused) break;
      if (state_ != DaemonState::running) {
        fail(api_error(reason::kNoSession, "no running session to pause"));
        break;
      }
      runner_->pause(now);
      paused_since_ = now;
      {
        // Wait at the plan's rest level, but never move away from home to get there: below it,
        // stop where braking from the present motion ends.
        const double home = governor_.limits().home;
        const double rest = runner_->plan().rest_level();
        const double here = governor_.stopping_position(options_.period_s);
        pause_in_place_ = std::abs(rest - home) >= std::abs(here - home);
        pause_level_ = pause_in_place_ ? here : rest;
      }
      set_state(DaemonState::paused, "paused by " + command.requested_by + "; waiting at " +
                                         axis_text(pause_level_, kind_) + " for at most " +
                                         seconds_text(governor_.limits().max_pause_seconds));
      break;
    case CommandKind::resume:
      if (state_ != DaemonState::paused) {
        fail(api_error(reason::kNoSession, "no paused session to resume"));
        break;
      }
      runner_->resume(now);
      if (paused_since_) paused_total_ += now - *paused_since_;
      paused_since_.reset();
      set_state(DaemonState::running, "resumed by " + command.requested_by);
      break;
    case CommandKind::stop:
      if (!session_state(state_)) {
        if (state_ != DaemonState::stopping)
          fail(api_error(reason::kNoSession, "no session to stop"));
        break;
      }
      finish_session(Outcome::stopped, "stopped by " + command.requested_by);
      release_rate_ = governor_.limits().release_rate_stop;
      set_state(DaemonState::stopping, "stop requested");
      break;
    case CommandKind::estop:
      // Never refused, in any state.
      if (session_state(state_) || state_ == DaemonState::stopping) {
        if (runner_) finish_session(Outcome::estopped, "emergency stop by " + command.requested_by);
      }
      release_rate_ = governor_.limits().release_rate_fault;
      fault_ = "emergency stop by " + command.requested_by;
      set_state(DaemonState::estop, fault_);
      emit("estop", {{"by", command.requested_by}});
      break;
    case CommandKind::reset:
      if (state_ != DaemonState::fault && state_ != DaemonState::estop) {
        reply.result = {{"state", to_string(state_)}, {"changed", false}};
        break;
      }
      if (!at_rest()) {
        fail(api_error(reason::kNotAtRest,
                       "the device is still moving; reset is allowed only at rest"));
        break;
      }
      reset_requested_ = true;
      reply.result = {{"changed", true}};
      emit("reset", {{"by", command.requested_by}, {"cleared", fault_}});
      break;
  }
  if (command.done) command.done(std::move(reply));
}

void SessionController::finish_session(Outcome outcome, const std::string& why) {
  if (!runner_) return;
  LastSession last;
  last.id = progress_.id;
  last.program = progress_.program;
  last.outcome = to_string(outcome);
  last.reason = why;
  last.started_utc = session_started_utc_;
  last.ended_utc = utc_now_iso8601();
  last.peak = session_peak_;
  last_session_ = last;
  emit("session_ended", {{"id", last.id},
                         {"program", last.program},
                         {"outcome", last.outcome},
                         {"reason", why},
                         {"peak", last.peak}});
  runner_.reset();
}

void SessionController::trip(const Trip& t) {
  emit(t.rule == "stop_switch" ? "stop_switch" : "fault",
       {{"rule", t.rule}, {"message", t.message}});
  const EffectiveLimits& l = governor_.limits();
  if (t.response == TripResponse::patient_stop) {
    finish_session(Outcome::stop_switch, t.message);
    release_rate_ = l.release_rate_patient;
    set_state(DaemonState::stopping, t.message);
    return;
  }
  finish_session(Outcome::faulted, t.rule + ": " + t.message);
  release_rate_ = l.release_rate_fault;
  fault_ = t.rule + ": " + t.message;
  set_state(DaemonState::fault, fault_);
}

void SessionController::drive_request_done(DriveRequest request, const Status& status,
                                           Clock::time_point) {
  if (request == DriveRequest::reset_fault) {
    if (status.ok()) {
      fault_.clear();
      governor_.set_limits(base_limits_);
      monitor_.set_limits(base_limits_);
      monitor_.reset();
      set_state(DaemonState::idle, "reset");
    } else {
      emit("fault", {{"rule", "reset_failed"}, {"message", status.message()}});
    }
  } else if (request == DriveRequest::activate && !status.ok() && state_ == DaemonState::running) {
    trip(Trip{"activation_failed", status.message(), TripResponse::fault});
  }
}

bool SessionController::session_recorded(Clock::time_point now) {
  if (record_gate_ == nullptr) return true;
  const RecordState record = record_gate_->record_state(progress_.id);
  if (record == RecordState::committed) {
    record_gate_ = nullptr;
    return true;
  }
  if (record == RecordState::failed || now >= record_deadline_) {
    record_gate_ = nullptr;
    const std::string why = std::string(reason::kHistoryUnavailable) +
                            ": the session could not be recorded, so nothing moved";
    finish_session(Outcome::stopped, why);
    set_state(DaemonState::stopping, why);
  }
  return false;
}

double SessionController::target_for_state(Clock::time_point now, double& rate) {
  const bool enabled = device_.drive == cia402::State::operation_enabled;
  const double home = governor_.limits().home;
  switch (state_) {
    case DaemonState::running: {
      if (!enabled || !session_recorded(now)) break;
      const double target = runner_->phase().target;
      const RunnerStep s =
          runner_->step(now, governor_.position(), governor_.settled_at(target), device_.actual);
      if (s.phase_changed && !s.finished) {
        const Phase& p = runner_->phase();
        emit("phase_changed", {{"index", runner_->phase_index()},
                               {"kind", to_string(p.kind)},
                               {"label", p.label},
                               {"repetition", p.repetition},
                               {"target", p.target}});
      }
      if (s.finished) {
        finish_session(Outcome::completed, "program completed");
        set_state(DaemonState::idle, "session completed");
        rate = governor_.limits().release_rate_stop;
        return home;
      }
      rate = s.rate;
      return s.target;
    }
    case DaemonState::paused:
      return paused_target(now, rate);
    case DaemonState::stopping:
    case DaemonState::fault:
    case DaemonState::estop:
      rate = release_rate_;
      return home;
    case DaemonState::idle:
    case DaemonState::disconnected:
      break;
  }
  rate = governor_.limits().release_rate_stop;
  return governor_.position();  // hold where we are
}

double SessionController::paused_target(Clock::time_point now, double& rate) {
  const EffectiveLimits& l = governor_.limits();
  rate = l.release_rate_stop;
  if (paused_since_ && seconds(now - *paused_since_) > l.max_pause_seconds) {
    // A normal stop: nobody came back to resume, so the session ends and releases to home.
    const std::string why =
        "paused longer than the maximum pause of " + seconds_text(l.max_pause_seconds);
    finish_session(Outcome::stopped, why);
    release_rate_ = l.release_rate_stop;
    set_state(DaemonState::stopping, why);
    return l.home;
  }
  if (pause_in_place_) rate = 0.0;  // the governor brakes, jerk-limited, and stays stopped
  return pause_level_;
}

double SessionController::active_seconds(Clock::time_point now) const {
  Clock::duration paused = paused_total_;
  if (paused_since_) paused += now - *paused_since_;
  return seconds(now - session_started_ - paused);
}

CycleOutput SessionController::cycle(Clock::time_point now, const DeviceState& device) {
  device_ = device;
  CycleOutput out;
  const bool enabled = device.drive == cia402::State::operation_enabled;

  if (!device.available) {
    lost_contact_ = true;
    if (session_state(state_) || state_ == DaemonState::stopping) {
      trip(Trip{"device_unavailable", "the device stopped answering", TripResponse::fault});
    } else if (state_ == DaemonState::idle) {
      set_state(DaemonState::disconnected, "device lost");
      emit("device_lost", {{"failures", device.consecutive_failures}});
    }
    return out;  // nothing to write to a device that does not answer
  }
  if (state_ == DaemonState::disconnected && device.fresh) {
    governor_.reset(device.actual);
    set_state(DaemonState::idle, "device connected");
    if (seen_device_) emit("device_regained", nlohmann::json::object());
    seen_device_ = true;
  }
  // A drive that does not follow setpoints is tracked at its measured value, so that enabling it
  // again never jumps. After a loss of contact the drive has stopped at the last target it got
  // (or its watchdog took it home): the setpoint restarts at rest from the measured value instead
  // of continuing a motion the drive never saw.
  if (!enabled || (lost_contact_ && device.fresh)) governor_.reset(device.actual);
  if (device.fresh) lost_contact_ = false;

  if (runner_)
    session_peak_ = std::abs(device.actual - governor_.limits().home) >
                            std::abs(session_peak_ - governor_.limits().home)
                        ? device.actual
                        : session_peak_;

  MonitorContext ctx;
  ctx.session_active = session_state(state_);
  ctx.drive_enabled = enabled;
  ctx.setpoint = governor_.position();
  if (runner_) {
    ctx.highest_target = runner_->highest_target();
    // The hold cap is about loaded time: like validation, it applies to holds above
    // hold_cap_above only (lying flat for minutes is allowed).
    const Phase& phase = runner_->phase();
    const bool loaded_hold =
        phase.kind == PhaseKind::hold && phase.target > governor_.limits().hold_cap_above;
    ctx.hold_seconds = loaded_hold ? runner_->served_seconds(now) : 0.0;
    ctx.session_seconds = active_seconds(now);
  } else {
    ctx.highest_target = governor_.limits().max_target;
  }
  if (state_ != DaemonState::fault && state_ != DaemonState::estop &&
      state_ != DaemonState::disconnected) {
    if (auto t = monitor_.check(now, device, ctx)) {
      const bool relevant = ctx.session_active || t->response == TripResponse::fault;
      if (relevant && !(state_ == DaemonState::stopping && t->rule == "stop_switch")) trip(*t);
    }
  }

  if (state_ == DaemonState::running && !enabled) {
    if (!enable_requested_) {
      enable_requested_ = now;
      out.request = DriveRequest::activate;
    } else if (std::chrono::duration<double>(now - *enable_requested_).count() >
               options_.enable_timeout_s) {
      trip(Trip{"activation_failed", "the drive did not reach operation enabled",
                TripResponse::fault});
    }
  }
  // A release the drive stopped following is finished, not abandoned: a drive that lost power
  // comes back disabled wherever gravity or the rope left it, and nobody may stay strapped in,
  // inverted or under tension, until an admin comes. Enabling starts from the measured value (the
  // governor tracks it while the drive is disabled) and the release continues at its rate. One
  // attempt per enable timeout; the fault stays latched.
  if (!enabled && release_needs_drive(device)) {
    const bool due = !release_enable_requested_ ||
                     seconds(now - *release_enable_requested_) > options_.enable_timeout_s;
    if (due) {
      release_enable_requested_ = now;
      out.request = DriveRequest::activate;
      emit("release_resumed", {{"state", to_string(state_)}, {"actual", device.actual}});
    }
  } else if (enabled) {
    release_enable_requested_.reset();
  }
  if (reset_requested_) {
    reset_requested_ = false;
    out.request = DriveRequest::reset_fault;
  }

  double rate = 0.0;
  const double target = target_for_state(now, rate);
  if (enabled) governor_.step(target, rate, options_.period_s);
  // A release ends when the setpoint rests on home, or, when the drive performs its own safe
  // reaction (patient stop), when the measured value has arrived there.
  const double home = governor_.limits().home;
  const bool drive_arrived = !enabled &&
                             std::abs(device.actual - home) <= 0.5 * governor_.limits().tolerance &&
                             std::abs(device.velocity.value_or(0.0)) < 1e-3;
  if (state_ == DaemonState::stopping && (governor_.settled_at(home) || drive_arrived)) {
    set_state(DaemonState::idle, "released to home");
  }
  out.command.target = governor_.position();
  out.write = true;
  return out;
}

StatusSnapshot SessionController::snapshot(Clock::time_point now) const {
  StatusSnapshot s;
  s.state = state_;
  s.kind = kind_;
  s.device = device_;
  s.setpoint = governor_.position();
  s.last_session = last_session_;
  s.fault = fault_;
  s.period_seconds = options_.period_s;
  s.last_event_seq = next_seq_ - 1;
  if (runner_) {
    SessionProgress p = progress_;
    const Phase& ph = runner_->phase();
    p.phase_index = static_cast<int>(runner_->phase_index());
    p.phase_kind = to_string(ph.kind);
    p.phase_label = ph.label;
    p.repetition = ph.repetition;
    p.target = governor_.position();
    p.phase_target = ph.target;
    p.elapsed_seconds = std::chrono::duration<double>(now - session_started_).count();
    p.remaining_seconds = runner_->remaining_seconds(now, governor_.position());
    p.phase_remaining_seconds = runner_->phase_remaining_seconds(now, governor_.position());
    s.session = p;
  }
  return s;
}

}  // namespace traction
