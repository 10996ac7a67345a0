// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/selftest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "daemon/engine/home.hpp"
#include "daemon/engine/printed.hpp"

namespace traction {
namespace {

constexpr double kMoveFraction = 0.05;  // of the axis range: the motion step's excursion

std::string hex(double value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%04X", static_cast<unsigned>(value));
  return text;
}

// Identity registers are whole numbers.
nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(std::llround(*v)) : nlohmann::json(nullptr);
}

}  // namespace

const char* to_string(StepResult r) {
  switch (r) {
    case StepResult::pass:
      return "pass";
    case StepResult::fail:
      return "fail";
    case StepResult::skipped:
      return "skipped";
  }
  return "?";
}

nlohmann::json to_json(const SelfTestRecord& r) {
  return {{"step", r.step},
          {"result", to_string(r.result)},
          {"detail", r.detail},
          {"figures", r.figures},
          {"seconds", std::round(r.seconds * 1000.0) / 1000.0}};
}

SelfTest::SelfTest(const SelfTestOptions& options, const SelfTestRequest& request,
                   const DeviceIdentity& identity, const EffectiveLimits& limits, DeviceKind kind,
                   Clock::time_point now)
    : options_(options),
      request_(request),
      identity_(identity),
      limits_(limits),
      kind_(kind),
      started_(now),
      step_since_(now),
      stage_since_(now) {
  const double direction = side_of_home(limits.max_target, limits);
  const double move = kMoveFraction * (limits.max_target - limits.min_target);
  far_ = std::clamp(limits.home + direction * move, limits.min_target, limits.max_target);
}

const char* SelfTest::step_name() const {
  switch (step_) {
    case Step::identity:
      return "identity";
    case Step::watchdog:
      return "watchdog";
    case Step::stop_switch:
      return "stop_switch";
    case Step::motion:
      return "motion";
    case Step::release:
      return "release";
    case Step::done:
      return "done";
  }
  return "?";
}

double SelfTest::since(Clock::time_point now, Clock::time_point t) const {
  return std::chrono::duration<double>(now - t).count();
}

double SelfTest::seconds(Clock::time_point now) const {
  return since(now, started_);
}

std::vector<SelfTestRecord> SelfTest::take_new_records() {
  std::vector<SelfTestRecord> out(records_.begin() + static_cast<std::ptrdiff_t>(taken_),
                                  records_.end());
  taken_ = records_.size();
  return out;
}

std::string SelfTest::summary(Clock::time_point now) const {
  if (!finished()) return std::string("running: ") + step_name();
  for (const SelfTestRecord& r : records_) {
    if (r.result == StepResult::fail) return std::string("failed at ") + r.step + ": " + r.detail;
  }
  return printed("passed in %.1f s", seconds(now));
}

void SelfTest::next_stage(Clock::time_point now, int stage) {
  stage_ = stage;
  stage_since_ = now;
}

void SelfTest::finish_step(Clock::time_point now, StepResult result, std::string detail,
                           nlohmann::json figures) {
  records_.push_back(SelfTestRecord{step_name(), result, std::move(detail), std::move(figures),
                                    since(now, step_since_)});
  silent_until_.reset();
  prompt_.clear();
  if (result == StepResult::fail) {
    failed_ = true;
    // A failed move may have left the axis out, and its reading may be what is wrong: the
    // setpoint, which the drive follows, is brought home before the test ends.
    returning_ = !aborted_ && (step_ == Step::motion || step_ == Step::release);
    step_ = Step::done;
  } else {
    step_ = static_cast<Step>(static_cast<int>(step_) + 1);
  }
  step_since_ = now;
  next_stage(now, kEnable);
}

void SelfTest::abort(const std::string& why, Clock::time_point now) {
  aborted_ = true;
  returning_ = false;
  if (step_ == Step::done) return;
  finish_step(now, StepResult::fail, why, nlohmann::json::object());
}

SelfTestCommand SelfTest::step(Clock::time_point now, const DeviceState& d,
                               const MotionGovernor& g) {
  switch (step_) {
    case Step::identity:
      return identity_step(now);
    case Step::watchdog:
      return watchdog_step(now, d, g.position());
    case Step::stop_switch:
      return stop_switch_step(now, d, g.position());
    case Step::motion:
      return motion_step(now, d, g);
    case Step::release:
      return release_step(now, d, g);
    case Step::done:
      if (returning_) return return_home(now, g);
      break;
  }
  return SelfTestCommand{cia402::Goal::disabled, false, g.position(), 0.0};
}

SelfTestCommand SelfTest::identity_step(Clock::time_point now) {
  const nlohmann::json figures = {
      {"vendor_id", optional_number(identity_.vendor_id)},
      {"product_code", optional_number(identity_.product_code)},
      {"firmware_version", optional_number(identity_.firmware_version)}};
  std::string detail;
  const auto part = [&](const char* name, const std::optional<double>& v) {
    detail += (detail.empty() ? "" : ", ") + std::string(name) + " " + (v ? hex(*v) : "not mapped");
  };
  part("vendor", identity_.vendor_id);
  part("product", identity_.product_code);
  part("firmware", identity_.firmware_version);
  finish_step(now, StepResult::pass, detail, figures);
  return SelfTestCommand{};
}

bool SelfTest::enabled_or_wait(Clock::time_point now, const DeviceState& d, SelfTestCommand& out) {
  out.goal = cia402::Goal::enabled;
  out.follow = false;
  if (d.drive == cia402::State::operation_enabled) return true;
  if (since(now, stage_since_) > options_.enable_timeout_s)
    finish_step(now, StepResult::fail,
                printed("the drive did not reach operation enabled within %g s (it is %s)",
                        options_.enable_timeout_s, cia402::to_string(d.drive)),
                {{"drive_state", cia402::to_string(d.drive)}});
  return false;
}

}  // namespace traction
