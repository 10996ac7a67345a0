// SPDX-License-Identifier: Apache-2.0
// The self-test's moves: a small move away from home and back at half the rate (direction, scale,
// tracking lag, overshoot, end stops), then the same move out and a release home at the fault
// rate within the time a release from there should take. Every target goes through the governor.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "daemon/engine/home.hpp"
#include "daemon/engine/printed.hpp"
#include "daemon/engine/selftest.hpp"

namespace traction {
namespace {

constexpr double kRateFraction = 0.5;    // of the rate away from home
constexpr double kDwellSeconds = 0.5;    // at the far point before the reading is taken
constexpr double kSettleSeconds = 3.0;   // at most, for the reading to settle at the far point
constexpr double kScaleBand = 0.2;       // measured/commanded within 1 ± this: a wrong scale is
                                         // a power of ten, a wrong sign -1, a word swap far worse
constexpr double kReleaseMargin = 1.25;  // a release may take this much longer than expected

// Motion stages.
constexpr int kOut = 1;
constexpr int kDwell = 2;
constexpr int kBack = 3;
constexpr int kRelease = 2;  // the release step: out, then home at the fault rate

double rounded(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

}  // namespace

// Checks that hold throughout a move: nobody pressed the switch, the drive still follows, no end
// stop is reached, and the reading moves the way it was commanded.
bool SelfTest::move_is_sound(Clock::time_point now, const DeviceState& d, double setpoint) {
  const char* unit = axis_unit(kind_);
  if (d.stop_pressed) {
    finish_step(now, StepResult::fail, "the patient stop switch was pressed during the move",
                nlohmann::json::object());
    return false;
  }
  if (d.drive != cia402::State::operation_enabled) {
    finish_step(now, StepResult::fail,
                std::string("the drive left operation enabled during the move (") +
                    cia402::to_string(d.drive) + ")",
                {{"drive_state", cia402::to_string(d.drive)}});
    return false;
  }
  if (d.end_stop_low || d.end_stop_high) {
    finish_step(now, StepResult::fail,
                std::string("the ") + (d.end_stop_low ? "low" : "high") +
                    " end stop reads active during a move of " +
                    printed("%.2f %s", far_ - limits_.home, unit) + " from home",
                {{"end_stop_low", d.end_stop_low}, {"end_stop_high", d.end_stop_high}});
    return false;
  }
  const double direction = side_of_home(far_, limits_);
  const double commanded = (setpoint - start_) * direction;
  const double moved = (d.actual - start_) * direction;
  // Well clear of noise, and reached early in the move: a wrong sign is caught within a quarter.
  const double clear = std::min(0.5 * limits_.tolerance, 0.25 * std::abs(far_ - start_));
  max_lag_ = std::max(max_lag_, std::abs(setpoint - d.actual));
  const nlohmann::json figures = {{"commanded", rounded(setpoint - start_)},
                                  {"measured", rounded(d.actual - start_)}};
  if (commanded >= clear && moved <= -clear) {
    finish_step(now, StepResult::fail,
                printed("direction: the reading moved %+.2f %s while %+.2f %s was commanded", moved,
                        unit, commanded, unit) +
                    ": the sign of the target or of the reading is wrong in the device file",
                figures);
    return false;
  }
  if (std::abs(moved - commanded) > std::abs(far_ - start_) + limits_.tolerance) {
    finish_step(now, StepResult::fail,
                printed("scale: the reading moved %+.2f %s while %+.2f %s was commanded", moved,
                        unit, commanded, unit) +
                    ": the scale or word order of the target or of the reading is wrong",
                figures);
    return false;
  }
  return true;
}

SelfTestCommand SelfTest::motion_step(Clock::time_point now, const DeviceState& d,
                                      const MotionGovernor& g) {
  SelfTestCommand out{cia402::Goal::enabled, false, g.position(), 0.0};
  const double rate = kRateFraction * limits_.max_rate_up;
  if (stage_ == kEnable) {
    const char* unit = axis_unit(kind_);
    prompt_ = printed("moving to %.2f %s (%.2f %s from home) and back", far_, unit,
                      far_ - limits_.home, unit);
    if (!enabled_or_wait(now, d, out)) return out;
    start_ = d.actual;
    max_lag_ = overshoot_ = 0.0;
    next_stage(now, kOut);
  }
  if (!move_is_sound(now, d, g.position())) return out;
  out.follow = true;
  out.rate = rate;
  out.target = stage_ == kBack ? limits_.home : far_;
  if (stage_ == kOut) {
    if (g.settled_at(far_)) next_stage(now, kDwell);
  } else if (stage_ == kDwell) {
    motion_dwell(now, d, out);
  } else {
    motion_verdict(now, d, g, rate);
  }
  return out;
}

// At the far point: after the dwell, once the reading has settled (or after kSettleSeconds), the
// measured move must match the commanded one in scale; then back home.
void SelfTest::motion_dwell(Clock::time_point now, const DeviceState& d, SelfTestCommand& out) {
  const double direction = side_of_home(far_, limits_);
  overshoot_ = std::max(overshoot_, (d.actual - far_) * direction);
  const double waited = since(now, stage_since_);
  const bool settled = std::abs(d.actual - far_) <= 0.05 * std::abs(far_ - start_);
  if (waited < kDwellSeconds || (!settled && waited < kSettleSeconds)) return;
  measured_ = d.actual - start_;
  const double commanded = far_ - start_;
  const double ratio = commanded != 0.0 ? measured_ / commanded : 0.0;
  if (std::abs(ratio - 1.0) > kScaleBand || std::abs(measured_ - commanded) > limits_.tolerance) {
    const char* unit = axis_unit(kind_);
    finish_step(
        now, StepResult::fail,
        printed("scale: %.2f %s was commanded and %.2f %s measured (ratio %.2f, allowed "
                "%.1f to %.1f): the scale of the target or of the reading is wrong in "
                "the device file",
                commanded, unit, measured_, unit, ratio, 1.0 - kScaleBand, 1.0 + kScaleBand),
        {{"commanded", rounded(commanded)},
         {"measured", rounded(measured_)},
         {"ratio", rounded(ratio)}});
    return;
  }
  next_stage(now, kBack);
  out.target = limits_.home;
}

// Home again: the verdict, with the figures, or a failure when the reading does not return.
void SelfTest::motion_verdict(Clock::time_point now, const DeviceState& d, const MotionGovernor& g,
                              double rate) {
  const char* unit = axis_unit(kind_);
  if (!g.settled_at(limits_.home) || std::abs(d.actual - limits_.home) > 0.5 * limits_.tolerance) {
    if (since(now, stage_since_) <= 2.0 * std::abs(far_ - limits_.home) / rate + 3.0) return;
    finish_step(now, StepResult::fail,
                printed("the reading did not return home: %.2f %s", d.actual, unit),
                {{"actual", rounded(d.actual)}});
    return;
  }
  const double commanded = far_ - start_;
  finish_step(
      now, StepResult::pass,
      printed("commanded %.2f %s, measured %.2f %s (ratio %.3f); tracking lag at most %.2f %s; "
              "overshoot %.2f %s; no end stop active",
              commanded, unit, measured_, unit, measured_ / commanded, max_lag_, unit, overshoot_,
              unit),
      {{"commanded", rounded(commanded)},
       {"measured", rounded(measured_)},
       {"ratio", rounded(measured_ / commanded)},
       {"max_lag", rounded(max_lag_)},
       {"overshoot", rounded(overshoot_)},
       {"rate", rate}});
}

// After a failed move: the setpoint home at the fault rate, for as long as that should take.
SelfTestCommand SelfTest::return_home(Clock::time_point now, const MotionGovernor& g) {
  prompt_ = "returning home after the failed step";
  const double rate = limits_.release_rate_fault;
  const double bound = 2.0 * release_seconds(g.position(), rate, limits_, kind_) + 3.0;
  if (g.settled_at(limits_.home) || since(now, stage_since_) > bound) returning_ = false;
  return SelfTestCommand{cia402::Goal::enabled, true, limits_.home, rate};
}

// Out to the same point, then home at the fault rate: the time must match what a release from
// there takes (release_seconds, the figure the daemon promises in limits.get).
SelfTestCommand SelfTest::release_step(Clock::time_point now, const DeviceState& d,
                                       const MotionGovernor& g) {
  SelfTestCommand out{cia402::Goal::enabled, false, g.position(), 0.0};
  const char* unit = axis_unit(kind_);
  if (stage_ == kEnable) {
    prompt_ = printed("moving out %.2f %s, then releasing home at the fault rate",
                      far_ - limits_.home, unit);
    if (!enabled_or_wait(now, d, out)) return out;
    start_ = d.actual;
    next_stage(now, kOut);
  }
  if (!move_is_sound(now, d, g.position())) return out;
  out.follow = true;
  if (stage_ == kOut) {
    out.target = far_;
    out.rate = kRateFraction * limits_.max_rate_up;
    if (g.settled_at(far_)) {
      next_stage(now, kRelease);
      measured_ = d.actual;  // where the release begins
    }
    return out;
  }
  out.target = limits_.home;
  out.rate = limits_.release_rate_fault;
  const double expected = release_seconds(measured_, out.rate, limits_, kind_);
  const double took = since(now, stage_since_);
  const nlohmann::json figures = {{"from", rounded(measured_)},
                                  {"rate", out.rate},
                                  {"seconds", rounded(took)},
                                  {"expected_seconds", rounded(expected)}};
  const bool home = g.settled_at(limits_.home) && !away_from_home(d.actual, limits_, kind_);
  if (home) {
    finish_step(now, took <= kReleaseMargin * expected ? StepResult::pass : StepResult::fail,
                printed("home from %.2f %s in %.2f s at %g %s/s (expected at most %.2f s)",
                        measured_, unit, took, out.rate, unit, kReleaseMargin * expected),
                figures);
  } else if (took > kReleaseMargin * expected) {
    finish_step(now, StepResult::fail,
                printed("not home after %.2f s (expected %.2f s): the reading is %.2f %s", took,
                        expected, d.actual, unit),
                figures);
  }
  return out;
}

}  // namespace traction
