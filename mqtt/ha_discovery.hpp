// SPDX-License-Identifier: Apache-2.0
// Home Assistant MQTT discovery (docs/mqtt.md "Home Assistant"): one device with sensors (state,
// angle or force, progress, time left, last outcome), a STOP button (device.estop) and one start
// button per configured program, available only while remote start is granted. With discovery
// switched off the same topics get empty retained messages, which removes the entities.
#pragma once

#include <string>
#include <vector>

#include "mqtt/bridge_config.hpp"
#include "mqtt/topics.hpp"

namespace traction::mqtt {

struct RetainedMessage {
  std::string topic;
  std::string payload;  // "" removes a retained message
};

// `kind` is the daemon's device kind ("inversion" or "traction"): it names the axis sensor.
std::vector<RetainedMessage> discovery_messages(const BridgeConfig& config, const Topics& topics,
                                                const std::string& kind);
// The same topics with empty payloads.
std::vector<RetainedMessage> discovery_removal(const BridgeConfig& config, const Topics& topics);

}  // namespace traction::mqtt
