// SPDX-License-Identifier: Apache-2.0
// Every device seen on a broker (tractionctl fleet): the retained <prefix>/+/state, session and
// availability messages, collected for a short while after subscribing.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.hpp"
#include "mqtt/mqtt_client.hpp"

namespace traction::mqtt {

struct FleetDevice {
  nlohmann::json state;      // the retained state payload (null when none)
  nlohmann::json session;    // the retained summary of the last session (null when none)
  std::string availability;  // "online", "offline" or "" (never seen)
};

// Connects with `options`, subscribes and collects until no message came for `quiet` or
// `deadline` passed. Fails when the broker cannot be reached before the deadline.
Result<std::map<std::string, FleetDevice>> scan_fleet(const ClientOptions& options,
                                                      const std::string& prefix,
                                                      std::chrono::milliseconds deadline,
                                                      std::chrono::milliseconds quiet);

}  // namespace traction::mqtt
