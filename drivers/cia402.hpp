// SPDX-License-Identifier: Apache-2.0
// The CiA 402 drive state machine as seen through a controlword and a statusword. Shared by the
// driver (which walks it) and traction-sim (which implements it), so both agree on every bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace traction::cia402 {

// Controlword commands of the CiA 402 drive profile, as Modbus drives implement them.
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
    case 0x21:
      return State::ready_to_switch_on;
    case 0x23:
      return State::switched_on;
    case 0x27:
      return State::operation_enabled;
    case 0x07:
      return State::quick_stop_active;
    default:
      return State::not_ready_to_switch_on;
  }
}

// The statusword a drive reports in a state (bits 0-6; callers may OR in other bits).
inline std::uint16_t encode_status(State s) {
  switch (s) {
    case State::not_ready_to_switch_on:
      return 0x0000;
    case State::switch_on_disabled:
      return 0x0040;
    case State::ready_to_switch_on:
      return 0x0021;
    case State::switched_on:
      return 0x0023;
    case State::operation_enabled:
      return 0x0027;
    case State::quick_stop_active:
      return 0x0007;
    case State::fault_reaction_active:
      return 0x000F;
    case State::fault:
      return 0x0008;
  }
  return 0;
}

// True in the drive's fault states (its own fault reaction, or the latched fault).
inline bool faulted(State s) {
  return s == State::fault || s == State::fault_reaction_active;
}

inline const char* to_string(State s) {
  switch (s) {
    case State::not_ready_to_switch_on:
      return "not_ready_to_switch_on";
    case State::switch_on_disabled:
      return "switch_on_disabled";
    case State::ready_to_switch_on:
      return "ready_to_switch_on";
    case State::switched_on:
      return "switched_on";
    case State::operation_enabled:
      return "operation_enabled";
    case State::quick_stop_active:
      return "quick_stop_active";
    case State::fault_reaction_active:
      return "fault_reaction_active";
    case State::fault:
      return "fault";
  }
  return "?";
}

// Where the driver is asked to bring the drive. The driver moves it one transition per write
// (next_control_word) and the caller sees it arrive (reached) in the statusword it reads.
enum class Goal {
  disabled,     // no torque, brake holding: ready_to_switch_on (or below, never further up)
  enabled,      // operation_enabled: the drive follows the written target
  quick_stop,   // the drive's own quick stop: quick_stop_active
  fault_reset,  // out of fault into switch_on_disabled
};

inline const char* to_string(Goal g) {
  switch (g) {
    case Goal::disabled:
      return "disabled";
    case Goal::enabled:
      return "enabled";
    case Goal::quick_stop:
      return "quick_stop";
    case Goal::fault_reset:
      return "fault_reset";
  }
  return "?";
}

namespace walk {

// One cell of the walk table: the controlword that moves a drive one transition toward a goal,
// and whether the goal is already reached in that state.
struct Cell {
  std::uint16_t control_word;
  bool reached;
};

// Marker of the one cell whose controlword depends on the previous one: bit 7 toggled against the
// last controlword sent, so that a rising edge (which is what clears a fault) comes every other
// write.
inline constexpr std::uint16_t kResetEdge = 0xFFFF;

struct Row {
  State state;
  Cell disabled, enabled, quick_stop, fault_reset;
};

constexpr Cell go(std::uint16_t control_word) {
  return {control_word, false};
}
constexpr Cell stay(std::uint16_t control_word) {
  return {control_word, true};
}

// The CiA 402 walk as Modbus drives implement it, one row per state, one column per goal.
// disabled: shutdown from everywhere (from operation_enabled it is the transition to
//   ready_to_switch_on: the brake holds).
// enabled: one step up per write; a fault needs fault_reset first; from quick_stop_active the way
//   up starts again at switch_on_disabled (disable voltage); not_ready_to_switch_on is the drive's
//   own start-up: wait.
// quick_stop: the quick stop command from operation_enabled and kept in quick_stop_active; any
//   other non-fault state is already stopped.
// fault_reset: the rising edge of bit 7 in fault; a fault reaction finishes first.
// clang-format off
inline constexpr Row kTable[] = {
  //  state                          disabled               enabled                      quick_stop               fault_reset
  {State::not_ready_to_switch_on, go(kShutdown),       go(kShutdown),               stay(kShutdown),         stay(kShutdown)},
  {State::switch_on_disabled,     stay(kShutdown),     go(kShutdown),               stay(kShutdown),         stay(kShutdown)},
  {State::ready_to_switch_on,     stay(kShutdown),     go(kSwitchOn),               stay(kShutdown),         stay(kShutdown)},
  {State::switched_on,            stay(kShutdown),     go(kEnableOperation),        stay(kShutdown),         stay(kShutdown)},
  {State::operation_enabled,      go(kShutdown),       stay(kEnableOperation),      go(kQuickStop),          stay(kShutdown)},
  {State::quick_stop_active,      go(kShutdown),       go(kDisableVoltage),         stay(kQuickStop),        stay(kShutdown)},
  {State::fault_reaction_active,  go(kShutdown),       go(kShutdown),               go(kShutdown),           go(kDisableVoltage)},
  {State::fault,                  go(kShutdown),       go(kShutdown),               go(kShutdown),           go(kResetEdge)},
};
// clang-format on

constexpr bool rows_follow_the_state_order() {
  for (std::size_t i = 0; i < std::size(kTable); ++i) {
    if (static_cast<std::size_t>(kTable[i].state) != i) return false;
  }
  return std::size(kTable) == static_cast<std::size_t>(State::fault) + 1;
}
static_assert(rows_follow_the_state_order(), "one row per cia402::State, in its order");

constexpr Cell cell(State state, Goal goal) {
  const Row& row = kTable[static_cast<std::size_t>(state)];
  switch (goal) {
    case Goal::disabled:
      return row.disabled;
    case Goal::enabled:
      return row.enabled;
    case Goal::quick_stop:
      return row.quick_stop;
    case Goal::fault_reset:
      return row.fault_reset;
  }
  return row.disabled;
}

}  // namespace walk

// The controlword that moves a drive in `state` one transition toward `goal`; `previous` is the
// last controlword sent (fault_reset needs a rising edge of bit 7).
constexpr std::uint16_t next_control_word(State state, Goal goal, std::uint16_t previous) {
  const std::uint16_t word = walk::cell(state, goal).control_word;
  if (word != walk::kResetEdge) return word;
  return (previous & kFaultResetBit) != 0 ? kDisableVoltage : kFaultResetBit;
}

// True when a drive in `state` is where `goal` leads.
constexpr bool reached(State state, Goal goal) {
  return walk::cell(state, goal).reached;
}

}  // namespace traction::cia402
