// SPDX-License-Identifier: Apache-2.0
// The CiA 402 drive state machine as seen through a controlword and a statusword. Shared by the
// driver (which walks it) and traction-sim (which implements it), so both agree on every bit.
#pragma once

#include <cstdint>

namespace traction::cia402 {

// Controlword commands (DOMAIN.md "Modbus drives in practice").
inline constexpr std::uint16_t kShutdown = 0x0006;
inline constexpr std::uint16_t kSwitchOn = 0x0007;
inline constexpr std::uint16_t kEnableOperation = 0x000F;
inline constexpr std::uint16_t kQuickStop = 0x0002;
inline constexpr std::uint16_t kDisableVoltage = 0x0000;
inline constexpr std::uint16_t kFaultResetBit = 0x0080;  // acts on a rising edge

enum class State {
  not_ready_to_switch_on,
  switch_on_disabled,
  ready_to_switch_on,
  switched_on,
  operation_enabled,
  quick_stop_active,
  fault_reaction_active,
  fault,
};

// Decodes a statusword into a state.
inline State decode_status(std::uint16_t sw) {
  if ((sw & 0x4F) == 0x08) return State::fault;
  if ((sw & 0x4F) == 0x0F) return State::fault_reaction_active;
  if ((sw & 0x4F) == 0x40) return State::switch_on_disabled;
  if ((sw & 0x4F) == 0x00) return State::not_ready_to_switch_on;
  switch (sw & 0x6F) {
    case 0x21: return State::ready_to_switch_on;
    case 0x23: return State::switched_on;
    case 0x27: return State::operation_enabled;
    case 0x07: return State::quick_stop_active;
    default: return State::not_ready_to_switch_on;
  }
}

// The statusword a drive reports in a state (bits 0-6; callers may OR in other bits).
inline std::uint16_t encode_status(State s) {
  switch (s) {
    case State::not_ready_to_switch_on: return 0x0000;
    case State::switch_on_disabled: return 0x0040;
    case State::ready_to_switch_on: return 0x0021;
    case State::switched_on: return 0x0023;
    case State::operation_enabled: return 0x0027;
    case State::quick_stop_active: return 0x0007;
    case State::fault_reaction_active: return 0x000F;
    case State::fault: return 0x0008;
  }
  return 0;
}

inline const char* to_string(State s) {
  switch (s) {
    case State::not_ready_to_switch_on: return "not_ready_to_switch_on";
    case State::switch_on_disabled: return "switch_on_disabled";
    case State::ready_to_switch_on: return "ready_to_switch_on";
    case State::switched_on: return "switched_on";
    case State::operation_enabled: return "operation_enabled";
    case State::quick_stop_active: return "quick_stop_active";
    case State::fault_reaction_active: return "fault_reaction_active";
    case State::fault: return "fault";
  }
  return "?";
}

}  // namespace traction::cia402
