// SPDX-License-Identifier: Apache-2.0
// The driver contract. One driver is owned by the control thread only. Every call is
// bounded in time by the transport timeouts and none waits on the drive's state machine: a walk
// through the CiA 402 states is one transition per write (drivers/cia402.hpp), so a control cycle
// is always one read() and one write(), and an emergency stop never waits behind an activation.
// drivers/drive_walk.hpp has the blocking walk for tests, tools and benchmarks.
#pragma once

#include "core/result.hpp"
#include "drivers/device_state.hpp"

namespace traction {

class Driver {
 public:
  virtual ~Driver() = default;

  // Opens the link, reads the device identity once and the state once. May be called again after
  // a failure. Errc::link / timeout: device not reachable (retry later); Errc::config: map
  // unusable.
  virtual Status configure() = 0;

  // The identity read by the last successful configure() (empty before).
  virtual const DeviceIdentity& identity() const = 0;

  // Reads the whole state in the fewest transactions (no identity registers). On failure, `state`
  // keeps its last values with fresh = false and consecutive_failures incremented.
  virtual Status read(DeviceState& state) = 0;

  // Writes the target, the heartbeat and next_control_word(last read state, command.goal, last
  // controlword sent). When a walk toward `enabled` leaves switch_on_disabled (or starts above it),
  // it first arms the drive's communication-loss watchdog (written and read back; a device that
  // declares an external hardware watchdog may go on without it) and caps the drive velocity, once
  // per walk. When arming fails the drive is kept disabled (shutdown sent) and the result is
  // Errc::refused with the reason; a later write with goal `enabled` tries again. The target is
  // written as given: while the goal is not `enabled`, or the drive not yet operation_enabled, the
  // caller gives the measured value. Errc::invalid_argument for a non-finite or unencodable target
  // (nothing is written then).
  virtual Status write(const AxisCommand& command) = 0;
};

}  // namespace traction
