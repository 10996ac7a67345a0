// SPDX-License-Identifier: Apache-2.0
// The simulated servo drive: the CiA 402 state machine (drivers/cia402.hpp), its own hardware
// limits, the communication-loss watchdog, the patient stop switch input and fault handling. It
// turns what the master wrote into a PlantCommand each step; it knows nothing of Modbus or of the
// mechanics behind the axis. Time is an argument (dt), never read from a clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "drivers/cia402.hpp"
#include "simulator/physics/plant.hpp"
#include "simulator/physics/ramp_follower.hpp"

namespace traction::sim {

// Fault codes the drive raises by itself (CiA 402 / DS 301 error code style).
inline constexpr std::uint16_t kFaultCommLoss = 0x8130;  // watchdog: no valid request in time
inline constexpr std::uint16_t kWarnStopSwitchUnplugged = 0x5441;  // reported while unplugged

// What the drive does by itself on a fault, a watchdog trip, a quick stop, the patient stop switch
// (pressed or unplugged) and a power loss.
enum class DriveReaction {
  home,  // a controlled return to the safe point at the safe rate; unpowered, the mechanics drift
  hold,  // most CiA 402 servo drives: decelerate to standstill at max_accel, then the brake holds
         // there until the drive is enabled again; unpowered, the (spring-applied) brake holds
};
const char* to_string(DriveReaction reaction);
std::optional<DriveReaction> parse_drive_reaction(std::string_view text);

// Hardware limits of the axis, in axis units (deg or N).
struct DriveLimits {
  double min_axis = 0.0;  // end stops: targets are clamped here
  double max_axis = 0.0;
  double safe_axis = 0.0;     // where the safe reaction goes (table home, bench floor force)
  double max_velocity = 0.0;  // never exceeded by the reference
  double max_accel = 0.0;
  double safe_rate = 0.0;  // rate of the safe reaction
};

class Drive {
 public:
  explicit Drive(const DriveLimits& limits, double initial_axis);

  // --- written by the master (each is one valid request's effect) ---
  // Applies a CiA 402 command; fault reset acts on a rising edge of bit 7 while in fault.
  void write_control_word(std::uint16_t control_word);
  // Clamps to the end stops; the matching end-stop flag reports a clamped target.
  void write_target(double target);
  // 0 = the hardware maximum; larger values are clamped to it.
  void write_velocity_limit(double velocity_limit);
  // 0 disarms; otherwise the watchdog trips after this long without a valid request.
  void write_watchdog_timeout_ms(std::uint16_t timeout_ms);
  void note_valid_request() { since_request_s_ = 0.0; }

  // --- device inputs ---
  // What the drive's stop input sees (SimDevice passes nothing while the switch is not wired).
  void set_stop_switch(bool pressed, bool connected);
  // Raises a fault now; its cause persists for `cause_seconds` (a reset before that is refused).
  void inject_fault(std::uint16_t code, double cause_seconds);
  void power_off();
  // Power returns: switch_on_disabled, watchdog disarmed, target = the measured axis.
  void power_on(double measured_axis);

  // --- the drive's configuration and test faults (not reachable over Modbus) ---
  // Takes effect at once, also on a reaction under way.
  void set_reaction(DriveReaction reaction) { reaction_ = reaction; }
  // A broken watchdog: the timeout register still reads back what was written, but it never trips.
  void set_watchdog_ignored(bool ignored) { watchdog_ignored_ = ignored; }

  // Advances by dt_s and tells the motor what to do. `measured_axis` is the drive's own sensor.
  PlantCommand step(double dt_s, double measured_axis);

  // --- read back ---
  cia402::State state() const { return state_; }
  std::uint16_t status_word() const;
  std::uint16_t fault_code() const;
  std::uint16_t control_word() const { return control_word_; }
  double target() const { return target_; }
  double velocity_limit() const { return velocity_limit_; }
  std::uint16_t watchdog_timeout_ms() const { return watchdog_timeout_ms_; }
  bool watchdog_tripped() const { return watchdog_tripped_; }
  bool target_clamped_low() const { return clamped_low_; }
  bool target_clamped_high() const { return clamped_high_; }
  bool powered() const { return powered_; }
  // The holding brake is engaged (the last step held the motor, powered or not).
  bool brake_engaged() const { return brake_engaged_; }
  DriveReaction reaction() const { return reaction_; }
  bool watchdog_ignored() const { return watchdog_ignored_; }
  const DriveLimits& limits() const { return limits_; }

 private:
  bool stop_demanded() const { return stop_pressed_ || !stop_connected_; }
  void enter_safe_reaction(cia402::State state);
  void raise_fault(std::uint16_t code);
  void apply_command(std::uint16_t control_word);
  void check_watchdog(double dt_s);
  double effective_velocity_limit() const;
  PlantCommand next_command(double dt_s, double measured_axis);
  PlantCommand step_reaction(double measured_axis, double dt_s);
  void finish_reaction();
  PlantCommand stop_then_hold(double measured_axis, double dt_s);

  DriveLimits limits_;
  RampFollower follower_;
  cia402::State state_ = cia402::State::switch_on_disabled;
  bool powered_ = true;
  std::uint16_t control_word_ = 0;
  double target_ = 0.0;
  double velocity_limit_ = 0.0;
  std::uint16_t watchdog_timeout_ms_ = 0;  // the drive powers up disarmed
  double since_request_s_ = 0.0;
  bool watchdog_tripped_ = false;
  std::uint16_t fault_code_ = 0;
  double fault_cause_s_ = 0.0;
  bool stop_pressed_ = false;
  bool stop_connected_ = true;
  bool clamped_low_ = false;
  bool clamped_high_ = false;
  double safe_target_ = 0.0;
  bool reaction_done_ = false;
  DriveReaction reaction_ = DriveReaction::home;
  bool watchdog_ignored_ = false;
  bool brake_engaged_ = true;
};

}  // namespace traction::sim
