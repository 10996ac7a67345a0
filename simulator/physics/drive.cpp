// SPDX-License-Identifier: Apache-2.0
#include "simulator/physics/drive.hpp"

#include <algorithm>

namespace traction::sim {

using cia402::State;

namespace {
// Controlword bits (CiA 402): switch on, enable voltage, quick stop (active low), enable operation.
constexpr std::uint16_t kSwitchOnBit = 0x01;
constexpr std::uint16_t kEnableVoltageBit = 0x02;
constexpr std::uint16_t kQuickStopBit = 0x04;
constexpr std::uint16_t kEnableOperationBit = 0x08;
constexpr std::uint16_t kStatusWarning = 0x0080;
constexpr std::uint16_t kStatusRemote = 0x0200;
constexpr std::uint16_t kStatusTargetReached = 0x0400;
}  // namespace

const char* to_string(DriveReaction reaction) {
  return reaction == DriveReaction::hold ? "hold" : "home";
}

std::optional<DriveReaction> parse_drive_reaction(std::string_view text) {
  if (text == "home") return DriveReaction::home;
  if (text == "hold") return DriveReaction::hold;
  return std::nullopt;
}

Drive::Drive(const DriveLimits& limits, double initial_axis) : limits_(limits) {
  power_on(initial_axis);
}

void Drive::power_off() {
  powered_ = false;
  state_ = State::not_ready_to_switch_on;
}

void Drive::power_on(double measured_axis) {
  powered_ = true;
  state_ = State::switch_on_disabled;
  control_word_ = 0;
  target_ = std::clamp(measured_axis, limits_.min_axis, limits_.max_axis);
  velocity_limit_ = 0.0;
  watchdog_timeout_ms_ = 0;
  since_request_s_ = 0.0;
  watchdog_tripped_ = false;
  fault_code_ = 0;
  fault_cause_s_ = 0.0;
  clamped_low_ = clamped_high_ = false;
  follower_.reset(measured_axis, 0.0);
}

void Drive::write_control_word(std::uint16_t control_word) {
  const bool reset_edge =
      (control_word & cia402::kFaultResetBit) != 0 && (control_word_ & cia402::kFaultResetBit) == 0;
  control_word_ = control_word;
  if (!powered_) return;
  if (state_ == State::fault) {
    // Only a rising edge clears a fault, and only once its cause is gone.
    if (reset_edge && fault_cause_s_ <= 0.0) {
      state_ = State::switch_on_disabled;
      fault_code_ = 0;
      watchdog_tripped_ = false;
      since_request_s_ = 0.0;
    }
    return;
  }
  if (state_ == State::fault_reaction_active) return;  // the reaction finishes first
  apply_command(control_word);
}

void Drive::apply_command(std::uint16_t cw) {
  const bool voltage = (cw & kEnableVoltageBit) != 0;
  const bool quick_stop = voltage && (cw & kQuickStopBit) == 0;
  const bool shutdown = voltage && !quick_stop && (cw & kSwitchOnBit) == 0;
  const bool switch_on = voltage && !quick_stop && (cw & kSwitchOnBit) != 0;
  const bool enable = switch_on && (cw & kEnableOperationBit) != 0;

  if (state_ == State::quick_stop_active) {
    // Held while the patient holds the stop, and until the safe reaction has finished; then only
    // the normal walk (shutdown or disable voltage) leads out: enable operation does not resume.
    if (stop_demanded() || !reaction_done_) return;
    if (!voltage)
      state_ = State::switch_on_disabled;
    else if (shutdown)
      state_ = State::ready_to_switch_on;
    return;
  }
  if (!voltage) {
    state_ = State::switch_on_disabled;
    return;
  }
  if (quick_stop) {
    if (state_ == State::operation_enabled)
      enter_safe_reaction(State::quick_stop_active);
    else if (state_ != State::switch_on_disabled)
      state_ = State::switch_on_disabled;
    return;
  }
  switch (state_) {
    case State::switch_on_disabled:
      if (shutdown) state_ = State::ready_to_switch_on;
      break;
    case State::ready_to_switch_on:
      if (switch_on) state_ = State::switched_on;
      // CiA 402 transitions 3+4: switch on + enable operation in one command.
      if (enable && !stop_demanded()) state_ = State::operation_enabled;
      break;
    case State::switched_on:
      if (shutdown)
        state_ = State::ready_to_switch_on;
      else if (enable && !stop_demanded())
        state_ = State::operation_enabled;
      break;
    case State::operation_enabled:
      if (shutdown)
        state_ = State::ready_to_switch_on;
      else if (!enable)
        state_ = State::switched_on;  // disable operation
      break;
    default:
      break;
  }
}

void Drive::write_target(double target) {
  clamped_low_ = target < limits_.min_axis;
  clamped_high_ = target > limits_.max_axis;
  target_ = std::clamp(target, limits_.min_axis, limits_.max_axis);
}

void Drive::write_velocity_limit(double velocity_limit) {
  velocity_limit_ = std::clamp(velocity_limit, 0.0, limits_.max_velocity);
}

void Drive::write_watchdog_timeout_ms(std::uint16_t timeout_ms) {
  watchdog_timeout_ms_ = timeout_ms;
  since_request_s_ = 0.0;
}

void Drive::set_stop_switch(bool pressed, bool connected) {
  stop_pressed_ = pressed;
  stop_connected_ = connected;
  if (powered_ && stop_demanded() && state_ == State::operation_enabled) {
    enter_safe_reaction(State::quick_stop_active);
  }
}

void Drive::inject_fault(std::uint16_t code, double cause_seconds) {
  if (!powered_) return;
  fault_cause_s_ = std::max(fault_cause_s_, cause_seconds);
  raise_fault(code);
}

void Drive::raise_fault(std::uint16_t code) {
  if (state_ == State::fault || state_ == State::fault_reaction_active) return;  // first fault wins
  fault_code_ = code;
  enter_safe_reaction(State::fault_reaction_active);
}

void Drive::enter_safe_reaction(State state) {
  state_ = state;
  reaction_done_ = false;
  // Never toward more traction: from below the safe point the reaction simply stops there.
  safe_target_ = std::min(limits_.safe_axis, follower_.position());
}

double Drive::effective_velocity_limit() const {
  return velocity_limit_ > 0.0 ? std::min(velocity_limit_, limits_.max_velocity)
                               : limits_.max_velocity;
}

void Drive::check_watchdog(double dt_s) {
  if (watchdog_timeout_ms_ == 0) return;
  since_request_s_ += dt_s;
  if (state_ == State::fault || state_ == State::fault_reaction_active) return;
  if (since_request_s_ * 1000.0 > watchdog_timeout_ms_ && !watchdog_ignored_) {
    watchdog_tripped_ = true;
    raise_fault(kFaultCommLoss);
  }
}

PlantCommand Drive::step(double dt_s, double measured_axis) {
  const PlantCommand command = next_command(dt_s, measured_axis);
  brake_engaged_ = command.mode == PlantCommand::Mode::hold;
  return command;
}

PlantCommand Drive::next_command(double dt_s, double measured_axis) {
  if (!powered_) {
    follower_.reset(measured_axis, 0.0);
    // A spring-applied holding brake closes without power; without one the mechanics move by
    // themselves (gravity return, tension decay).
    if (reaction_ == DriveReaction::hold) return {PlantCommand::Mode::hold, measured_axis, 0.0};
    return {PlantCommand::Mode::unpowered, measured_axis, 0.0};
  }
  fault_cause_s_ = std::max(0.0, fault_cause_s_ - dt_s);
  check_watchdog(dt_s);
  if (stop_demanded() && state_ == State::operation_enabled)
    enter_safe_reaction(State::quick_stop_active);

  switch (state_) {
    case State::operation_enabled:
      follower_.step_toward(target_, effective_velocity_limit(), limits_.max_accel, dt_s);
      return {PlantCommand::Mode::track, follower_.position(), follower_.velocity()};
    case State::quick_stop_active:
    case State::fault_reaction_active:
      return step_reaction(measured_axis, dt_s);
    default:
      // Not enabled: a moving reference first comes to rest (a stop, never a step), then the brake
      // holds.
      return stop_then_hold(measured_axis, dt_s);
  }
}

PlantCommand Drive::step_reaction(double measured_axis, double dt_s) {
  if (reaction_ == DriveReaction::hold) {
    // Standstill wherever the deceleration ends, then the brake holds the load there.
    const PlantCommand command = stop_then_hold(measured_axis, dt_s);
    if (command.mode == PlantCommand::Mode::hold) finish_reaction();
    return command;
  }
  follower_.step_toward(safe_target_, std::min(limits_.safe_rate, limits_.max_velocity),
                        limits_.max_accel, dt_s);
  if (follower_.position() == safe_target_ && follower_.at_rest()) finish_reaction();
  return {PlantCommand::Mode::track, follower_.position(), follower_.velocity()};
}

void Drive::finish_reaction() {
  reaction_done_ = true;
  if (state_ == State::fault_reaction_active) state_ = State::fault;
}

PlantCommand Drive::stop_then_hold(double measured_axis, double dt_s) {
  if (!follower_.at_rest()) {
    follower_.step_stop(limits_.max_accel, dt_s);
    return {PlantCommand::Mode::track, follower_.position(), follower_.velocity()};
  }
  follower_.reset(measured_axis, 0.0);
  return {PlantCommand::Mode::hold, measured_axis, 0.0};
}

std::uint16_t Drive::status_word() const {
  std::uint16_t sw = cia402::encode_status(state_);
  if (!powered_) return sw;
  sw |= kStatusRemote;
  if (stop_demanded()) sw |= kStatusWarning;
  if (state_ == State::operation_enabled && follower_.at_rest() &&
      follower_.position() == target_) {
    sw |= kStatusTargetReached;
  }
  return sw;
}

std::uint16_t Drive::fault_code() const {
  if (fault_code_ != 0) return fault_code_;
  return stop_connected_ ? 0 : kWarnStopSwitchUnplugged;
}

}  // namespace traction::sim
