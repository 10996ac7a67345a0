// SPDX-License-Identifier: Apache-2.0
// Commands from the mailbox. Each one is applied at once and answered; motion follows in the next
// cycles. device.estop is never refused.
#include <cmath>
#include <cstdio>

#include "daemon/engine/home.hpp"
#include "daemon/engine/program_expand.hpp"
#include "daemon/engine/session_controller.hpp"

namespace traction {
namespace {

ApiError api_error(const char* reason, std::string message) {
  return ApiError{reason, std::move(message), {}};
}

CommandReply failure(ApiError error) {
  CommandReply reply;
  reply.error = std::move(error);
  return reply;
}

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", s);
  return text;
}

}  // namespace

void SessionController::handle(ControlCommand command, const Tick& tick) {
  tick_ = tick;
  CommandReply reply;
  switch (command.kind) {
    case CommandKind::start:
      reply = start(command);
      break;
    case CommandKind::pause:
      reply = pause(command);
      break;
    case CommandKind::resume:
      reply = resume(command);
      break;
    case CommandKind::stop:
      reply = stop(command);
      break;
    case CommandKind::estop:
      reply = estop(command);
      break;
    case CommandKind::reset:
      reply = reset(command);
      break;
    case CommandKind::selftest:
      reply = start_selftest(command);
      break;
  }
  if (command.done) command.done(std::move(reply));
}

std::optional<ApiError> SessionController::start_refusal(const Plan& plan) const {
  switch (state_) {
    case DaemonState::disconnected:
      return api_error(reason::kDeviceUnavailable, "the device is not connected");
    case DaemonState::starting:
    case DaemonState::running:
    case DaemonState::paused:
      return api_error(reason::kSessionActive,
                       "session " + session_->id + " is still active (" + to_string(state_) + ")");
    case DaemonState::selftest:
      return api_error(reason::kSelfTestRunning,
                       "the self-test is running (" + std::string(selftest_->step_name()) + ")");
    case DaemonState::stopping:
    case DaemonState::recovering:
      return api_error(reason::kSessionActive,
                       std::string("the device is ") + to_string(state_) + ": " + activity_);
    case DaemonState::fault:
      return api_error(reason::kDeviceFault,
                       "a fault is latched: " + fault_ + "; use device.reset");
    case DaemonState::estop:
      return api_error(reason::kEstopped, "the emergency stop is latched; use device.reset");
    case DaemonState::idle:
      break;
  }
  if (!device_.fresh) return api_error(reason::kDataStale, "no fresh reading from the device");
  if (auto refusal = selftest_policy_refusal()) return refusal;
  if (!device_.stop_connected)
    return api_error(reason::kStopSwitch,
                     "the patient stop switch is unplugged: plug it in before starting");
  if (device_.stop_pressed)
    return api_error(reason::kStopSwitchPressed,
                     "the patient stop switch is pressed: release it before starting");
  if (cia402::faulted(device_.drive))
    return api_error(reason::kDeviceFault, "the drive reports a fault; use device.reset");
  // The session starts where the axis is; outside this session's limits it may not start at all.
  const EffectiveLimits& l = plan.limits;
  const double slack = settle_band(l);
  if (device_.actual > l.max_target + slack || device_.actual < l.min_target - slack)
    return api_error(reason::kLimitExceeded,
                     "the axis is at " + axis_text(device_.actual, kind_) +
                         ", outside this session's limits [" + axis_text(l.min_target, kind_) +
                         ", " + axis_text(l.max_target, kind_) + "]: bring it home first");
  return std::nullopt;
}

CommandReply SessionController::start(const ControlCommand& command) {
  if (!command.plan || command.plan->phases.empty())
    return failure(api_error(reason::kInvalidProgram, "no validated plan"));
  if (auto refusal = start_refusal(*command.plan)) return failure(*refusal);
  const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(tick_.utc.time_since_epoch());
  std::string id = "s" + std::to_string(epoch.count()) + "-" + std::to_string(++session_counter_);
  session_.emplace(std::move(id), command.plan, tick_, command.record_gate,
                   options_.record_timeout_s);
  governor_.set_limits(command.plan->limits);
  monitor_.set_limits(command.plan->limits);
  monitor_.reset();
  away_since_.reset();
  set_state(DaemonState::starting, "session started by " + command.requested_by);
  Event e;
  e.kind = EventKind::session_started;
  e.session_id = session_->id;
  e.program = command.plan->program;
  e.profile = command.plan->profile;
  e.value = command.plan->total_seconds;
  emit(std::move(e));
  CommandReply reply;
  reply.result = {{"session_id", session_->id},
                  {"program", command.plan->program},
                  {"total_seconds", command.plan->total_seconds}};
  return reply;
}

// Pause waits at the plan's rest level, but never moves away from home to get there: below it,
// the setpoint stops where braking from the present motion ends.
CommandReply SessionController::pause(const ControlCommand& command) {
  if (state_ == DaemonState::paused) return {};
  if (state_ != DaemonState::running)
    return failure(api_error(reason::kNoSession, state_ == DaemonState::starting
                                                     ? "the session is still starting"
                                                     : "no running session to pause"));
  const double home = limits().home;
  const double rest = session_->runner.plan().rest_level();
  const double here = governor_.stopping_position(options_.period_s);
  const bool in_place = !further_from_home(here, rest, home);
  const double level = in_place ? here : rest;
  session_->pause(tick_.now, governor_.position(), level, in_place);
  set_state(DaemonState::paused, "paused by " + command.requested_by + "; waiting at " +
                                     axis_text(level, kind_) + " for at most " +
                                     seconds_text(limits().max_pause_seconds));
  return {};
}

CommandReply SessionController::resume(const ControlCommand& command) {
  if (state_ != DaemonState::paused)
    return failure(api_error(reason::kNoSession, "no paused session to resume"));
  session_->resume(tick_.now);
  set_state(DaemonState::running, "resumed by " + command.requested_by);
  return {};
}

CommandReply SessionController::stop(const ControlCommand& command) {
  if (state_ == DaemonState::stopping) return {};
  if (state_ == DaemonState::selftest) {
    abort_selftest("stopped by " + command.requested_by);
    leave_selftest();
    return {};
  }
  if (!session_) return failure(api_error(reason::kNoSession, "no session to stop"));
  end_session(Outcome::stopped, "stopped by " + command.requested_by);
  begin_release(DaemonState::stopping, "stop requested", limits().release_rate_stop, false);
  return {};
}

CommandReply SessionController::estop(const ControlCommand& command) {
  TripSet t;
  t.add(Rule::estop, "emergency stop by " + command.requested_by);
  latched_.set(static_cast<std::size_t>(Rule::estop));
  latch(Rule::estop, t, limits().release_rate_fault);
  Event e;
  e.kind = EventKind::estop;
  e.by = command.requested_by;
  emit(std::move(e));
  return {};
}

CommandReply SessionController::reset(const ControlCommand& command) {
  CommandReply reply;
  if (state_ != DaemonState::fault && state_ != DaemonState::estop) {
    reply.result = {{"state", to_string(state_)}, {"changed", false}};
    return reply;
  }
  if (!at_rest())
    return failure(
        api_error(reason::kNotAtRest, "the device is still moving; reset is allowed only at rest"));
  reset_since_ = tick_.now;
  reply.result = {{"changed", true}};
  Event e;
  e.kind = EventKind::reset;
  e.by = command.requested_by;
  e.reason = fault_;
  emit(std::move(e));
  return reply;
}

}  // namespace traction
