// SPDX-License-Identifier: Apache-2.0
// What the daemon knows of the device each cycle, and what it commands. No Modbus here: the engine
// and the safety monitor see only these types.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "drivers/cia402.hpp"

namespace traction {

using Clock = std::chrono::steady_clock;

enum class DeviceKind { inversion, traction };

inline const char* to_string(DeviceKind k) {
  return k == DeviceKind::inversion ? "inversion" : "traction";
}
// The unit of the controlled axis: degrees for a table, newtons for a bench.
inline const char* axis_unit(DeviceKind k) {
  return k == DeviceKind::inversion ? "deg" : "N";
}

struct DeviceState {
  Clock::time_point stamp{};  // when the reading was taken
  bool fresh = false;         // false: this cycle's read failed; the values are the last good ones
  std::uint16_t status_word = 0;
  cia402::State drive = cia402::State::not_ready_to_switch_on;
  double actual = 0.0;             // controlled axis: angle_deg (table) or force_n (bench)
  std::optional<double> velocity;  // axis units per second
  std::optional<double> force_n;   // bench: load cell; table: effective traction
  std::optional<double> rope_mm;   // bench: rope (carriage) position, when mapped
  std::uint16_t fault_code = 0;
  bool stop_pressed = false;    // patient stop switch
  bool stop_connected = false;  // the switch is plugged in
  bool end_stop_low = false;
  bool end_stop_high = false;
  std::uint32_t consecutive_failures = 0;
  bool available = false;  // the driver considers the device reachable
};

// One cycle's command. The target comes from the motion governor (or is the measured value while
// the drive is not following setpoints); the goal says where the drive's state machine should go.
struct AxisCommand {
  double target = 0.0;  // axis units
  cia402::Goal goal = cia402::Goal::disabled;
};

// What the device says it is, read once when the link is configured; absent when the map lacks
// the signal.
struct DeviceIdentity {
  std::optional<double> vendor_id, product_code, firmware_version;
};

}  // namespace traction
