// SPDX-License-Identifier: Apache-2.0
// The blocking CiA 402 walk, for tests, tools and benchmarks: read and write in a loop, a few
// milliseconds apart, until the drive is where the goal leads. The daemon's control loop never
// waits like this: it writes the goal once per cycle and lets the driver take one step each time.
#pragma once

#include <chrono>

#include "drivers/driver.hpp"

namespace traction {

// Pause between two steps of a walk, so the wait does not flood the bus.
inline constexpr std::chrono::milliseconds kWalkPollInterval{5};

// Walks the drive toward `goal`, writing `target` on every step, until cia402::reached() or
// `timeout`. `state` holds the last reading afterwards.
// Toward `enabled`: Errc::state when the drive starts in fault (reset it first); Errc::refused,
// with the drive left disabled, when the stop switch is unplugged or pressed, the drive faults or
// its watchdog cannot be armed during the walk. Errc::timeout when the goal is not reached in time;
// link errors as they come.
Status walk_to(Driver& driver, DeviceState& state, cia402::Goal goal, double target,
               std::chrono::milliseconds timeout);

// The same, writing the measured value (the last reading's `actual`) as the target on every step,
// as the control loop does while the drive is not following setpoints: enabling cannot make a jump.
Status walk_to(Driver& driver, DeviceState& state, cia402::Goal goal,
               std::chrono::milliseconds timeout);

}  // namespace traction
