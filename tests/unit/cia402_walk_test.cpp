// SPDX-License-Identifier: Apache-2.0
// The CiA 402 walk table (drivers/cia402.hpp), cell by cell: for every drive state and every goal,
// the controlword the driver sends and whether the goal is reached. Then whole walks against a
// model of a drive that takes each transition the controlword asks for.
#include <gtest/gtest.h>

#include <vector>

#include "drivers/cia402.hpp"

namespace traction::cia402 {
namespace {

constexpr State kStates[] = {State::not_ready_to_switch_on, State::switch_on_disabled,
                             State::ready_to_switch_on,     State::switched_on,
                             State::operation_enabled,      State::quick_stop_active,
                             State::fault_reaction_active,  State::fault};

struct Expected {
  State state;
  Goal goal;
  std::uint16_t control_word;
  bool reached;
};

// The table as the specification states it, written out independently of drivers/cia402.hpp.
// (The fault-reset edge is checked on its own below; here `previous` is 0x0006.)
constexpr Expected kCells[] = {
    // disabled: shutdown from every state; reached where no torque is applied and nothing is
    // pending.
    {State::not_ready_to_switch_on, Goal::disabled, 0x06, false},
    {State::switch_on_disabled, Goal::disabled, 0x06, true},
    {State::ready_to_switch_on, Goal::disabled, 0x06, true},
    {State::switched_on, Goal::disabled, 0x06, true},
    {State::operation_enabled, Goal::disabled, 0x06, false},
    {State::quick_stop_active, Goal::disabled, 0x06, false},
    {State::fault_reaction_active, Goal::disabled, 0x06, false},
    {State::fault, Goal::disabled, 0x06, false},
    // enabled: one step up per write; a fault waits for fault_reset.
    {State::not_ready_to_switch_on, Goal::enabled, 0x06, false},
    {State::switch_on_disabled, Goal::enabled, 0x06, false},
    {State::ready_to_switch_on, Goal::enabled, 0x07, false},
    {State::switched_on, Goal::enabled, 0x0F, false},
    {State::operation_enabled, Goal::enabled, 0x0F, true},
    {State::quick_stop_active, Goal::enabled, 0x00, false},
    {State::fault_reaction_active, Goal::enabled, 0x06, false},
    {State::fault, Goal::enabled, 0x06, false},
    // quick_stop: from operation_enabled, kept while active; any other non-fault state is stopped.
    {State::not_ready_to_switch_on, Goal::quick_stop, 0x06, true},
    {State::switch_on_disabled, Goal::quick_stop, 0x06, true},
    {State::ready_to_switch_on, Goal::quick_stop, 0x06, true},
    {State::switched_on, Goal::quick_stop, 0x06, true},
    {State::operation_enabled, Goal::quick_stop, 0x02, false},
    {State::quick_stop_active, Goal::quick_stop, 0x02, true},
    {State::fault_reaction_active, Goal::quick_stop, 0x06, false},
    {State::fault, Goal::quick_stop, 0x06, false},
    // fault_reset: the edge in fault (previous 0x06 has bit 7 low: 0x80), the reaction finishes
    // first.
    {State::not_ready_to_switch_on, Goal::fault_reset, 0x06, true},
    {State::switch_on_disabled, Goal::fault_reset, 0x06, true},
    {State::ready_to_switch_on, Goal::fault_reset, 0x06, true},
    {State::switched_on, Goal::fault_reset, 0x06, true},
    {State::operation_enabled, Goal::fault_reset, 0x06, true},
    {State::quick_stop_active, Goal::fault_reset, 0x06, true},
    {State::fault_reaction_active, Goal::fault_reset, 0x00, false},
    {State::fault, Goal::fault_reset, 0x80, false},
};

TEST(Cia402Walk, every_state_and_goal_cell_gives_the_specified_controlword_and_reached) {
  static_assert(std::size(kCells) == std::size(kStates) * 4, "one cell per (state, goal)");
  for (const Expected& c : kCells) {
    SCOPED_TRACE(std::string(to_string(c.state)) + " toward " + to_string(c.goal));
    EXPECT_EQ(next_control_word(c.state, c.goal, kShutdown), c.control_word);
    EXPECT_EQ(reached(c.state, c.goal), c.reached);
  }
}

TEST(Cia402Walk, only_the_fault_reset_cell_depends_on_the_previous_controlword) {
  for (State s : kStates) {
    for (Goal g : {Goal::disabled, Goal::enabled, Goal::quick_stop, Goal::fault_reset}) {
      if (s == State::fault && g == Goal::fault_reset) continue;
      for (std::uint16_t previous : {0x0000, 0x0006, 0x000F, 0x0080, 0x0086}) {
        EXPECT_EQ(next_control_word(s, g, previous), next_control_word(s, g, kShutdown))
            << to_string(s) << " toward " << to_string(g) << " after " << previous;
      }
    }
  }
}

TEST(Cia402Walk, fault_reset_toggles_bit_7_so_a_rising_edge_comes_every_other_write) {
  EXPECT_EQ(next_control_word(State::fault, Goal::fault_reset, 0x0000), 0x0080);
  EXPECT_EQ(next_control_word(State::fault, Goal::fault_reset, 0x0080), 0x0000);
  EXPECT_EQ(next_control_word(State::fault, Goal::fault_reset, 0x000F), 0x0080);  // from enabled
  EXPECT_EQ(next_control_word(State::fault, Goal::fault_reset, 0x0086), 0x0000);
  std::uint16_t word = kEnableOperation;
  int rising = 0;
  for (int write = 0; write < 6; ++write) {
    const std::uint16_t next = next_control_word(State::fault, Goal::fault_reset, word);
    if ((next & kFaultResetBit) != 0 && (word & kFaultResetBit) == 0) ++rising;
    word = next;
  }
  EXPECT_EQ(rising, 3);
}

TEST(Cia402Walk, goals_have_names) {
  EXPECT_STREQ(to_string(Goal::disabled), "disabled");
  EXPECT_STREQ(to_string(Goal::enabled), "enabled");
  EXPECT_STREQ(to_string(Goal::quick_stop), "quick_stop");
  EXPECT_STREQ(to_string(Goal::fault_reset), "fault_reset");
}

// A drive that takes the transition a controlword asks for (CiA 402 transitions 2, 3, 4, 5, 6, 7,
// 8, 9, 11, 12, 15; its fault reaction and start-up finish on their own).
State respond(State s, std::uint16_t cw, std::uint16_t previous) {
  const bool edge = (cw & kFaultResetBit) != 0 && (previous & kFaultResetBit) == 0;
  switch (s) {
    case State::not_ready_to_switch_on:
      return State::switch_on_disabled;
    case State::fault_reaction_active:
      return State::fault;
    case State::fault:
      return edge ? State::switch_on_disabled : State::fault;
    default:
      break;
  }
  if ((cw & 0x02) == 0) return State::switch_on_disabled;  // disable voltage
  if (s == State::quick_stop_active) return (cw & 0x04) == 0 ? s : State::ready_to_switch_on;
  if ((cw & 0x04) == 0)
    return s == State::operation_enabled ? State::quick_stop_active : State::switch_on_disabled;
  if ((cw & 0x01) == 0)
    return s == State::switch_on_disabled || s == State::ready_to_switch_on ||
                   s == State::switched_on || s == State::operation_enabled
               ? State::ready_to_switch_on
               : s;
  if (s == State::ready_to_switch_on) return State::switched_on;
  if ((cw & 0x08) != 0 && s == State::switched_on) return State::operation_enabled;
  if ((cw & 0x08) == 0 && s == State::operation_enabled) return State::switched_on;
  return s;
}

// Writes toward `goal` from `start` until reached; the number of writes, or -1 after 10.
int walk(State start, Goal goal) {
  State s = start;
  std::uint16_t previous = kShutdown;
  for (int writes = 0; writes < 10; ++writes) {
    if (reached(s, goal)) return writes;
    const std::uint16_t cw = next_control_word(s, goal, previous);
    s = respond(s, cw, previous);
    previous = cw;
  }
  return reached(s, goal) ? 10 : -1;
}

TEST(Cia402Walk, every_goal_is_reached_from_every_state_it_can_be_reached_from) {
  for (State s : kStates) {
    SCOPED_TRACE(to_string(s));
    const bool faulty = s == State::fault || s == State::fault_reaction_active;
    EXPECT_GE(walk(s, Goal::fault_reset), 0);
    EXPECT_GE(walk(s, Goal::disabled), faulty ? -1 : 0);
    EXPECT_GE(walk(s, Goal::quick_stop), faulty ? -1 : 0);
    if (faulty) {
      EXPECT_EQ(walk(s, Goal::enabled), -1) << "a fault is never walked through toward enabled";
    } else {
      EXPECT_GE(walk(s, Goal::enabled), 0);
      EXPECT_LE(walk(s, Goal::enabled), 5);
    }
  }
}

TEST(Cia402Walk, enabling_from_switch_on_disabled_is_shutdown_switch_on_enable_operation) {
  State s = State::switch_on_disabled;
  std::vector<std::uint16_t> sent;
  while (!reached(s, Goal::enabled)) {
    sent.push_back(next_control_word(s, Goal::enabled, sent.empty() ? kShutdown : sent.back()));
    s = respond(s, sent.back(), 0);
  }
  EXPECT_EQ(sent, (std::vector<std::uint16_t>{kShutdown, kSwitchOn, kEnableOperation}));
}

}  // namespace
}  // namespace traction::cia402
