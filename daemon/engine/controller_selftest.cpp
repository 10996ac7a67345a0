// SPDX-License-Identifier: Apache-2.0
// The self-test as a state of the controller: accepted only idle, at home, with the stop switch
// plugged in and released; its motion goes through the governor like any other; an estop, a fault
// or a stop ends it (failed), and an axis left away from home is brought home (recovering).
#include <cmath>

#include "daemon/engine/home.hpp"
#include "daemon/engine/printed.hpp"
#include "daemon/engine/program_expand.hpp"
#include "daemon/engine/session_controller.hpp"

namespace traction {
namespace {

// Why a device that is not idle refuses the self-test, in session.start's words.
const char* not_idle_reason(DaemonState state) {
  switch (state) {
    case DaemonState::selftest:
      return reason::kSelfTestRunning;
    case DaemonState::fault:
      return reason::kDeviceFault;
    case DaemonState::estop:
      return reason::kEstopped;
    case DaemonState::disconnected:
      return reason::kDeviceUnavailable;
    default:
      return reason::kSessionActive;
  }
}

CommandReply refusal(const char* reason, std::string message) {
  CommandReply reply;
  reply.error = ApiError{reason, std::move(message), {}};
  return reply;
}

}  // namespace

void SessionController::set_selftest_history(
    std::optional<SelfTestSummary> last,
    std::optional<std::chrono::system_clock::time_point> last_passed) {
  last_selftest_ = std::move(last);
  last_passed_selftest_ = last_passed;
}

bool SessionController::link_silent(Clock::time_point now) const {
  if (!selftest_) return false;
  const auto until = selftest_->silent_until();
  return until && now < *until;
}

CommandReply SessionController::start_selftest(const ControlCommand& command) {
  if (state_ != DaemonState::idle)
    return refusal(
        not_idle_reason(state_),
        std::string("the self-test runs only while idle; the device is ") + to_string(state_));
  if (!device_.fresh) return refusal(reason::kDataStale, "no fresh reading from the device");
  if (away())
    return refusal(reason::kNotAtHome, "the axis is at " + axis_text(device_.actual, kind_) +
                                           ", not at home: bring it home first");
  if (cia402::faulted(device_.drive))
    return refusal(reason::kDeviceFault, "the drive reports a fault; use device.reset");
  if (!device_.stop_connected)
    return refusal(reason::kStopSwitch, "the patient stop switch is unplugged: plug it in first");
  if (device_.stop_pressed)
    return refusal(reason::kStopSwitchPressed,
                   "the patient stop switch is pressed: release it first");
  SelfTestRequest request;
  request.stop_switch_seconds = command.stop_switch_seconds;
  selftest_.emplace(options_.selftest, request, identity_, base_limits_, kind_, tick_.now);
  governor_.set_limits(base_limits_);
  monitor_.set_limits(base_limits_);
  monitor_.reset();
  away_since_.reset();
  set_state(DaemonState::selftest, "self-test started by " + command.requested_by);
  Event e;
  e.kind = EventKind::selftest_started;
  e.by = command.requested_by;
  emit(std::move(e));
  CommandReply reply;
  reply.result = {{"started", true}, {"steps", SelfTest::kStepCount}};
  return reply;
}

SessionController::Motion SessionController::motion_selftest() {
  const SelfTestCommand c = selftest_->step(tick_.now, device_, governor_);
  emit_selftest_steps();
  if (selftest_->finished()) {
    end_selftest();
    return motion();
  }
  return Motion{c.goal, c.follow, c.target, c.rate};
}

// One selftest_step event per finished step.
void SessionController::emit_selftest_steps() {
  for (SelfTestRecord& r : selftest_->take_new_records()) {
    Event e;
    e.kind = EventKind::selftest_step;
    e.label = r.step;
    e.reason = r.detail;
    e.data = to_json(r);
    emit(std::move(e));
  }
}

// Something outside the test ends it: the step under way fails with `why`.
void SessionController::abort_selftest(const std::string& why) {
  if (!selftest_) return;
  selftest_->abort(why, tick_.now);
  emit_selftest_steps();
  record_selftest();
}

void SessionController::end_selftest() {
  record_selftest();
  leave_selftest();
}

// The result: an event with every step's record (the history keeps it), and the summary.
void SessionController::record_selftest() {
  if (!selftest_) return;
  SelfTestSummary summary;
  summary.time = tick_.utc;
  summary.passed = selftest_->passed();
  summary.summary = selftest_->summary(tick_.now);
  nlohmann::json steps = nlohmann::json::array();
  for (const SelfTestRecord& r : selftest_->records()) steps.push_back(to_json(r));
  Event e;
  e.kind = EventKind::selftest_ended;
  e.reason = summary.summary;
  e.data = {{"passed", summary.passed},
            {"seconds", std::round(selftest_->seconds(tick_.now) * 1000.0) / 1000.0},
            {"steps", std::move(steps)}};
  emit(std::move(e));
  if (summary.passed) last_passed_selftest_ = summary.time;
  last_selftest_ = std::move(summary);
  selftest_.reset();
}

// Home: idle. Left away from home (a failed move): brought home at the fault rate.
void SessionController::leave_selftest() {
  if (state_ != DaemonState::selftest) return;
  if (away()) {
    begin_release(DaemonState::recovering, "the self-test ended away from home",
                  base_limits_.release_rate_fault, false);
  } else {
    const bool passed = last_selftest_ && last_selftest_->passed;
    set_state(DaemonState::idle, passed ? "self-test passed" : "self-test failed");
  }
}

// session.start's rule of the site (require_selftest_days): a passed self-test that recent.
std::optional<ApiError> SessionController::selftest_policy_refusal() const {
  const double days = options_.require_selftest_days;
  if (days <= 0.0) return std::nullopt;
  if (!last_passed_selftest_)
    return ApiError{reason::kSelfTestRequired,
                    printed("no passed self-test on record: this site requires one at most %g "
                            "days old (tractionctl selftest)",
                            days),
                    {}};
  const double age =
      std::chrono::duration<double>(tick_.utc - *last_passed_selftest_).count() / 86400.0;
  if (age <= days) return std::nullopt;
  return ApiError{reason::kSelfTestRequired,
                  printed("the last passed self-test is %.1f days old: this site requires one at "
                          "most %g days old (tractionctl selftest)",
                          age, days),
                  {}};
}

}  // namespace traction
