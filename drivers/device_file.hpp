// SPDX-License-Identifier: Apache-2.0
// A device file (config/devices/*.json): what kind of machine it is, its mechanical limits, how its
// watchdog is armed, its transport timeouts and its register map.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "drivers/device_state.hpp"
#include "drivers/register_map.hpp"

namespace traction {

struct WatchdogSpec {
  int timeout_ms = 500;            // written to the drive's watchdog_timeout register at activation
  bool external_hardware = false;  // true only when an independent hardware watchdog exists
  // The fault code the drive reports after a communication-loss trip. The daemon clears this one
  // fault by itself when it must bring a person home after losing the link (its own absence
  // caused it); every other fault needs device.reset. Unset: no fault is cleared automatically.
  std::optional<std::uint16_t> fault_code;
};

// What the drive does on its own (CiA 402 option codes), as far as the daemon relies on it.
struct DriveReactions {
  // The drive's quick stop brings the axis home by itself (true), or stops and holds in place,
  // as most servo drives do (false, the default). Only a drive that goes home is asked for its
  // quick stop on an emergency stop; the daemon watches that it does.
  bool quick_stop_goes_home = false;
};

struct TransportTimeouts {
  int response_timeout_ms = 100;
  int byte_timeout_ms = 20;
};

struct DeviceFile {
  std::string source;  // the file it came from
  std::string name;
  DeviceKind kind = DeviceKind::inversion;
  nlohmann::json limits;  // device-level (mechanical) limits; parsed by the engine's limit model
  WatchdogSpec watchdog;
  DriveReactions reactions;
  TransportTimeouts timeouts;
  RegisterMap registers;
};

// Loads and validates a device file. Errc::config with file, path and rule on any error.
Result<DeviceFile> load_device_file(const std::string& path);
// Same, from JSON already in memory (`source` names it in errors).
Result<DeviceFile> parse_device_file(const nlohmann::json& json, const std::string& source);

}  // namespace traction
