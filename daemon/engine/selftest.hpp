// SPDX-License-Identifier: Apache-2.0
// The commissioning self-test, run with nobody on the device (docs/commissioning.md). It proves
// what a person's safety rests on before anyone lies on the machine: the identity the map reads,
// the drive's communication-loss watchdog (the daemon falls silent and the drive must fault), the
// patient stop switch (the drive itself must react, and the daemon must see the press), the map's
// direction and scale (a small move away from home and back, commanded against measured) and a
// release home at the fault rate within the expected time. Each step passes or fails with the
// figure measured; the first failure ends the test. Pure: time and the reading are arguments, and
// every target it asks for goes through the controller's motion governor.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "daemon/engine/governor.hpp"
#include "daemon/engine/plan.hpp"
#include "drivers/device_state.hpp"

namespace traction {

struct SelfTestOptions {
  double enable_timeout_s = 3.0;   // a drive that is not enabled in time fails the step
  int watchdog_timeout_ms = 500;   // what the driver arms (device file watchdog.timeout_ms)
  bool watchdog_external = false;  // an independent hardware watchdog: the step is skipped
  std::optional<std::uint16_t> comm_loss_fault_code;  // device file watchdog.fault_code
};

// What the caller asked for (device.selftest's params).
struct SelfTestRequest {
  double stop_switch_seconds = 30.0;  // how long the person has to press the patient switch
};

enum class StepResult { pass, fail, skipped };
const char* to_string(StepResult r);

struct SelfTestRecord {
  const char* step = "";
  StepResult result = StepResult::pass;
  std::string detail;  // human text: what was measured, or what failed and what it means
  nlohmann::json figures = nlohmann::json::object();
  double seconds = 0.0;  // how long the step took
};
nlohmann::json to_json(const SelfTestRecord& r);

// What the drive should do this cycle for the self-test.
struct SelfTestCommand {
  cia402::Goal goal = cia402::Goal::disabled;
  bool follow = false;  // the governor moves toward `target` at `rate`
  double target = 0.0;
  double rate = 0.0;
};

class SelfTest {
 public:
  static constexpr int kStepCount = 5;

  SelfTest(const SelfTestOptions& options, const SelfTestRequest& request,
           const DeviceIdentity& identity, const EffectiveLimits& limits, DeviceKind kind,
           Clock::time_point now);

  // One cycle with this cycle's reading and the governor as it stands before its step.
  SelfTestCommand step(Clock::time_point now, const DeviceState& device,
                       const MotionGovernor& governor);
  // Something outside the test ended it (an emergency stop, a fault, a stop): the step under way
  // fails with `why`.
  void abort(const std::string& why, Clock::time_point now);

  // Done, and after a failed move, back home by the setpoint (the reading may be the fault).
  bool finished() const { return step_ == Step::done && !returning_; }
  bool passed() const { return finished() && !failed_; }
  // The daemon must not talk to the drive until then (the watchdog step).
  std::optional<Clock::time_point> silent_until() const { return silent_until_; }
  // The drive's communication-loss fault is what this step provokes: it is not a fault.
  bool expects_comm_loss() const { return step_ == Step::watchdog && stage_ >= kSilent; }
  const char* step_name() const;
  int step_index() const { return static_cast<int>(step_); }  // 0-based
  const std::string& prompt() const { return prompt_; }
  const std::vector<SelfTestRecord>& records() const { return records_; }
  // Records added since the last call (one event each).
  std::vector<SelfTestRecord> take_new_records();
  // One line for the log and the history: "passed in 14.2 s" or "failed at motion: ...".
  std::string summary(Clock::time_point now) const;
  double seconds(Clock::time_point now) const;

 private:
  enum class Step { identity, watchdog, stop_switch, motion, release, done };
  enum Stage : int { kEnable = 0, kSilent, kCheck, kReset, kWaitPress, kPressed, kWaitRecover };

  SelfTestCommand identity_step(Clock::time_point now);
  SelfTestCommand watchdog_step(Clock::time_point now, const DeviceState& d, double position);
  SelfTestCommand watchdog_verdict(Clock::time_point now, const DeviceState& d, double silence,
                                   SelfTestCommand out);
  SelfTestCommand watchdog_reset(Clock::time_point now, const DeviceState& d, double silence,
                                 SelfTestCommand out);
  SelfTestCommand stop_switch_step(Clock::time_point now, const DeviceState& d, double position);
  SelfTestCommand stop_switch_pressed(Clock::time_point now, const DeviceState& d,
                                      SelfTestCommand out);
  SelfTestCommand stop_switch_recover(Clock::time_point now, const DeviceState& d,
                                      SelfTestCommand out);
  SelfTestCommand motion_step(Clock::time_point now, const DeviceState& d, const MotionGovernor& g);
  // The motion step at the far point (the reading settles; its scale is judged) and back home
  // (the verdict, with the figures).
  void motion_dwell(Clock::time_point now, const DeviceState& d, SelfTestCommand& out);
  void motion_verdict(Clock::time_point now, const DeviceState& d, const MotionGovernor& g,
                      double rate);
  SelfTestCommand release_step(Clock::time_point now, const DeviceState& d,
                               const MotionGovernor& g);
  // Enables the drive at rest; true once it is enabled. Fails the step after the timeout.
  bool enabled_or_wait(Clock::time_point now, const DeviceState& d, SelfTestCommand& out);
  // Checks of a move in progress: the stop switch, the drive, the end stops, the direction.
  bool move_is_sound(Clock::time_point now, const DeviceState& d, double setpoint);
  void finish_step(Clock::time_point now, StepResult result, std::string detail,
                   nlohmann::json figures);
  SelfTestCommand return_home(Clock::time_point now, const MotionGovernor& g);
  void next_stage(Clock::time_point now, int stage);
  double since(Clock::time_point now, Clock::time_point t) const;

  SelfTestOptions options_;
  SelfTestRequest request_;
  DeviceIdentity identity_;
  EffectiveLimits limits_;
  DeviceKind kind_;
  Clock::time_point started_;
  Clock::time_point step_since_;
  Clock::time_point stage_since_;
  Step step_ = Step::identity;
  int stage_ = kEnable;
  bool failed_ = false;
  bool returning_ = false;  // a move failed: the governor brings the setpoint home first
  bool aborted_ = false;    // ended from outside: whoever ended it brings the axis home
  std::optional<Clock::time_point> silent_until_;
  std::string prompt_;
  std::vector<SelfTestRecord> records_;
  std::size_t taken_ = 0;
  // Measurements of the step under way.
  double start_ = 0.0;         // the reading when the move began
  double far_ = 0.0;           // the move's target away from home
  double max_lag_ = 0.0;       // |setpoint - reading| while moving
  double overshoot_ = 0.0;     // past the target, in the direction of the move
  double measured_ = 0.0;      // displacement read at the far point
  double reaction_ms_ = -1.0;  // from the press seen to the drive's own reaction
  const char* reaction_state_ = "";
};

}  // namespace traction
