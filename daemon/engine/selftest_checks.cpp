// SPDX-License-Identifier: Apache-2.0
// The self-test's checks of the drive's own protections: the communication-loss watchdog and the
// patient stop switch. Both are proven at home, with the drive enabled and holding still.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "daemon/engine/printed.hpp"
#include "daemon/engine/selftest.hpp"

namespace traction {
namespace {

std::string hex(unsigned value) {
  return printed("0x%04X", value);
}

constexpr double kNoReactionSeconds = 1.0;  // pressed this long with the drive still enabled

std::string seconds_text(double s) {
  return printed("%.2f s", s);
}

// How long the daemon stays silent: the drive's timeout plus a margin for its own check period.
double silence_seconds(int timeout_ms) {
  const double timeout = timeout_ms / 1000.0;
  return timeout + std::max(0.5, 0.5 * timeout);
}

}  // namespace

// Enabled at home, the daemon falls silent for the timeout plus a margin; the drive must report
// its communication-loss fault, which the test then resets.
SelfTestCommand SelfTest::watchdog_step(Clock::time_point now, const DeviceState& d,
                                        double position) {
  SelfTestCommand out{cia402::Goal::enabled, false, position, 0.0};
  if (options_.watchdog_external) {
    finish_step(now, StepResult::skipped,
                "the device file declares an external hardware watchdog: test it as its manual "
                "says",
                nlohmann::json::object());
    return out;
  }
  const double silence = silence_seconds(options_.watchdog_timeout_ms);
  switch (stage_) {
    case kEnable:
      prompt_ = "enabling the drive at home";
      if (enabled_or_wait(now, d, out)) {
        next_stage(now, kSilent);
        silent_until_ = now + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(silence));
        prompt_ = "silent for " + seconds_text(silence) + ": the drive's watchdog must trip";
      }
      return out;
    case kSilent:
      if (silent_until_ && now < *silent_until_) return out;
      silent_until_.reset();
      next_stage(now, kCheck);
      [[fallthrough]];
    case kCheck:
      return watchdog_verdict(now, d, silence, out);
    default:
      return watchdog_reset(now, d, silence, out);
  }
}

// The first reading after the silence decides: the drive must be in its communication-loss fault.
SelfTestCommand SelfTest::watchdog_verdict(Clock::time_point now, const DeviceState& d,
                                           double silence, SelfTestCommand out) {
  if (!d.fresh) return out;  // the reading after the silence has not arrived yet
  const nlohmann::json figures = {{"timeout_ms", options_.watchdog_timeout_ms},
                                  {"silence_s", silence},
                                  {"drive_state", cia402::to_string(d.drive)},
                                  {"fault_code", d.fault_code}};
  if (!cia402::faulted(d.drive)) {
    finish_step(now, StepResult::fail,
                "the drive was still " + std::string(cia402::to_string(d.drive)) + " after " +
                    seconds_text(silence) + " without a request (its watchdog is set to " +
                    std::to_string(options_.watchdog_timeout_ms) +
                    " ms): its communication-loss watchdog does not trip",
                figures);
    return out;
  }
  const auto expected = options_.comm_loss_fault_code;
  if (!expected) {
    finish_step(now, StepResult::fail,
                "the drive faulted with code " + hex(d.fault_code) +
                    ", but the device file names no watchdog.fault_code to check it against",
                figures);
    return out;
  }
  if (d.fault_code != *expected) {
    finish_step(now, StepResult::fail,
                "the drive faulted with code " + hex(d.fault_code) +
                    " instead of its communication-loss fault " + hex(*expected),
                figures);
    return out;
  }
  measured_ = d.fault_code;
  next_stage(now, kReset);
  prompt_ = "resetting the drive's communication-loss fault";
  out.goal = cia402::Goal::fault_reset;
  return out;
}

SelfTestCommand SelfTest::watchdog_reset(Clock::time_point now, const DeviceState& d,
                                         double silence, SelfTestCommand out) {
  const nlohmann::json figures = {{"timeout_ms", options_.watchdog_timeout_ms},
                                  {"silence_s", silence},
                                  {"fault_code", static_cast<unsigned>(measured_)}};
  if (!cia402::faulted(d.drive)) {
    finish_step(now, StepResult::pass,
                "the drive reported its communication-loss fault " +
                    hex(static_cast<unsigned>(measured_)) + " after " + seconds_text(silence) +
                    " of silence (timeout " + std::to_string(options_.watchdog_timeout_ms) +
                    " ms), and the fault was reset",
                figures);
    return out;
  }
  if (since(now, stage_since_) > options_.enable_timeout_s) {
    finish_step(now, StepResult::fail,
                "the drive's communication-loss fault " + hex(d.fault_code) +
                    " did not clear within " + seconds_text(options_.enable_timeout_s),
                figures);
    return out;
  }
  out.goal = cia402::Goal::fault_reset;
  return out;
}

// Enabled at home, the person presses and releases the patient switch: the daemon must see the
// press, and the drive must react by itself (leave operation enabled) while the daemon still asks
// it to stay enabled.
SelfTestCommand SelfTest::stop_switch_step(Clock::time_point now, const DeviceState& d,
                                           double position) {
  SelfTestCommand out{cia402::Goal::enabled, false, position, 0.0};
  const double left = request_.stop_switch_seconds - since(now, step_since_);
  switch (stage_) {
    case kEnable:
      prompt_ = "enabling the drive at home";
      if (!d.stop_connected) {
        finish_step(now, StepResult::fail, "the patient stop switch is unplugged",
                    {{"connected", false}});
        return out;
      }
      if (enabled_or_wait(now, d, out)) next_stage(now, kWaitPress);
      return out;
    case kWaitPress:
      if (d.stop_pressed) {
        next_stage(now, kPressed);
        return stop_switch_pressed(now, d, out);
      }
      if (left <= 0.0) {
        finish_step(now, StepResult::fail,
                    "no press of the patient stop switch was seen within " +
                        seconds_text(request_.stop_switch_seconds),
                    {{"window_s", request_.stop_switch_seconds}});
        return out;
      }
      prompt_ = "press the patient stop switch, then release it (" +
                std::to_string(static_cast<int>(std::ceil(left))) + " s left)";
      return out;
    case kPressed:
      return stop_switch_pressed(now, d, out);
    default:
      return stop_switch_recover(now, d, out);
  }
}

// While pressed: the drive must leave operation enabled by itself within kNoReactionSeconds.
SelfTestCommand SelfTest::stop_switch_pressed(Clock::time_point now, const DeviceState& d,
                                              SelfTestCommand out) {
  prompt_ = "release the patient stop switch";
  if (reaction_ms_ < 0.0 && d.drive != cia402::State::operation_enabled) {
    reaction_ms_ = since(now, stage_since_) * 1000.0;
    reaction_state_ = cia402::to_string(d.drive);
  }
  const bool no_reaction =
      reaction_ms_ < 0.0 && (!d.stop_pressed || since(now, stage_since_) > kNoReactionSeconds);
  if (no_reaction) {
    finish_step(now, StepResult::fail,
                "the daemon saw the press, but the drive stayed operation enabled: the switch "
                "does not reach the drive",
                {{"seen_by_daemon", true}, {"drive_state", cia402::to_string(d.drive)}});
    return out;
  }
  if (!d.stop_pressed) next_stage(now, kWaitRecover);
  return out;
}

// Released: the drive is enabled again (it holds its quick stop until the switch is released).
SelfTestCommand SelfTest::stop_switch_recover(Clock::time_point now, const DeviceState& d,
                                              SelfTestCommand out) {
  prompt_ = "enabling the drive again";
  if (cia402::faulted(d.drive)) out.goal = cia402::Goal::fault_reset;
  if (d.drive == cia402::State::operation_enabled) {
    finish_step(now, StepResult::pass,
                "the daemon saw the press and the drive reacted by itself (" +
                    std::string(reaction_state_) + ") " +
                    std::to_string(static_cast<int>(std::lround(reaction_ms_))) +
                    " ms after the press was seen",
                {{"seen_by_daemon", true},
                 {"drive_reaction", reaction_state_},
                 {"reaction_ms", std::round(reaction_ms_)}});
    return out;
  }
  if (since(now, stage_since_) > options_.enable_timeout_s)
    finish_step(now, StepResult::fail,
                "the drive did not return to operation enabled within " +
                    seconds_text(options_.enable_timeout_s) + " after the switch was released (" +
                    cia402::to_string(d.drive) + ")",
                {{"drive_state", cia402::to_string(d.drive)}});
  return out;
}

}  // namespace traction
