// SPDX-License-Identifier: Apache-2.0
// tractiond-mqtt's configuration: a JSON file (tractiond-mqtt(8) explains every key; unknown keys
// are refused with a hint) and the command line, which overrides socket, broker and device id.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "mqtt/broker_url.hpp"

namespace traction::mqtt {

struct TlsFiles {
  std::string ca_file;      // "" = the system's trust store
  std::string certificate;  // client certificate (PEM), with key
  std::string key;
};

struct HomeAssistant {
  bool configured = false;  // the config has a home_assistant object
  bool discovery = false;   // on when configured, unless switched off (then entities are removed)
  std::string prefix = "homeassistant";
  std::vector<std::string> start_programs;  // a start button each ([] = none)
};

struct BridgeConfig {
  std::string socket_path = "/run/tractiond/tractiond.sock";
  std::string broker = "mqtt://127.0.0.1:1883";
  std::string device_id;
  std::string topic_prefix = "tractiond";
  std::string client_id;  // "" = tractiond-mqtt-<device_id>
  std::string username;   // "" = anonymous
  std::string password;
  TlsFiles tls;
  int keepalive_seconds = 30;
  double live_rate_hz = 2.0;          // 0 = no live topic; at most 10
  double state_interval_seconds = 5;  // state is also republished when it changes
  std::size_t queue_limit = 100;      // telemetry messages in flight before telemetry is dropped
  HomeAssistant home_assistant;

  BrokerUrl url;  // parsed `broker` (filled by finish_bridge_config)
};

// Reads the config file (strict). Errors name the file, the JSON path and the rule.
Result<BridgeConfig> load_bridge_config(const std::string& file);

// Parses the broker, checks the device id (letters, digits, '-', '_') and the rules: a client
// certificate needs its key; mqtts:// for any certificate or password sent off this machine.
Status finish_bridge_config(BridgeConfig& config);

}  // namespace traction::mqtt
