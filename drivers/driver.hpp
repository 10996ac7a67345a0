// SPDX-License-Identifier: Apache-2.0
// The driver contract (DESIGN.md). One driver is owned by the control thread only. Every call is
// bounded in time by the transport timeouts; none blocks longer than a few response timeouts.
#pragma once

#include "core/result.hpp"
#include "drivers/device_state.hpp"

namespace traction {

class Driver {
 public:
  virtual ~Driver() = default;

  // Opens the link and reads the device identity. May be called again after a failure.
  // Errc::link / timeout: device not reachable (retry later); Errc::config: map unusable.
  virtual Status configure() = 0;

  // Arms the drive's communication-loss watchdog (or checks that an external one is declared),
  // sets the setpoint to the measured value, then walks the CiA 402 states to operation enabled,
  // one write at a time with read-back. Errc::refused when the stop switch is unplugged or the
  // watchdog cannot be armed; the drive is left disabled then.
  virtual Status activate() = 0;

  // Reads the whole state in the fewest transactions. On failure, `state` keeps its last values
  // with fresh = false and consecutive_failures incremented.
  virtual Status read(DeviceState& state) = 0;

  // Writes the setpoint and the heartbeat. The command must come from the motion governor.
  virtual Status write(const AxisCommand& command) = 0;

  // Asks the drive for its own quick stop (its safe reaction).
  virtual Status quick_stop() = 0;

  // Clears a drive fault (rising edge of controlword bit 7) and leaves the drive disabled.
  virtual Status reset_fault() = 0;

  // Disables the drive's operation (shutdown) and closes nothing; safe to call in any state.
  virtual Status deactivate() = 0;
};

}  // namespace traction
