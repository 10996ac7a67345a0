// SPDX-License-Identifier: Apache-2.0
// A device file (config/devices/*.json): what kind of machine it is, its mechanical limits, how its
// watchdog is armed, its transport timeouts and its register map.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.hpp"
#include "drivers/device_state.hpp"
#include "drivers/register_map.hpp"

namespace traction {

struct WatchdogSpec {
  int timeout_ms = 500;            // written to the drive's watchdog_timeout register at activation
  bool external_hardware = false;  // true only when an independent hardware watchdog exists
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
  TransportTimeouts timeouts;
  RegisterMap registers;
};

// Loads and validates a device file. Errc::config with file, path and rule on any error.
Result<DeviceFile> load_device_file(const std::string& path);
// Same, from JSON already in memory (`source` names it in errors).
Result<DeviceFile> parse_device_file(const nlohmann::json& json, const std::string& source);

}  // namespace traction
