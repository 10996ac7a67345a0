// SPDX-License-Identifier: Apache-2.0
#include "mqtt/bridge_config.hpp"

#include <algorithm>
#include <cctype>

#include "core/config_reader.hpp"

namespace traction::mqtt {
namespace {

void read_tls(ObjectReader& in, TlsFiles& tls) {
  tls.ca_file = in.string_or("ca_file", "");
  tls.certificate = in.string_or("certificate", "");
  tls.key = in.string_or("key", "");
  in.finish();
}

void read_home_assistant(ObjectReader& in, HomeAssistant& ha) {
  ha.configured = true;
  ha.discovery = in.boolean_or("discovery", true);
  ha.prefix = in.string_or("prefix", ha.prefix);
  ha.start_programs = in.string_list_or("start_programs");
  in.finish();
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

bool loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

Result<BridgeConfig> load_bridge_config(const std::string& file) {
  return parse_config<BridgeConfig>([&] {
    const nlohmann::json root = load_json_file(file);
    ObjectReader in(root, file);
    BridgeConfig config;
    config.socket_path = in.string_or("socket", config.socket_path);
    config.broker = in.string_or("broker", config.broker);
    config.device_id = in.string_or("device_id", "");
    config.topic_prefix = in.string_or("topic_prefix", config.topic_prefix);
    config.client_id = in.string_or("client_id", "");
    config.username = in.string_or("username", "");
    config.password = in.string_or("password", "");
    if (auto tls = in.optional_object("tls")) read_tls(*tls, config.tls);
    config.keepalive_seconds = static_cast<int>(in.integer_or("keepalive_seconds", 30, 5, 3600));
    config.live_rate_hz = in.number_or("live_rate_hz", config.live_rate_hz, 0, 10);
    config.state_interval_seconds = in.number_or("state_interval_seconds", 5, 1, 3600);
    config.queue_limit = static_cast<std::size_t>(in.integer_or("queue_limit", 100, 1, 100000));
    if (auto ha = in.optional_object("home_assistant")) {
      read_home_assistant(*ha, config.home_assistant);
    }
    in.finish();
    return config;
  });
}

Status finish_bridge_config(BridgeConfig& config) {
  auto url = parse_broker_url(config.broker);
  if (!url) return url.status();
  config.url = *url;
  if (!valid_id(config.device_id)) {
    return {Errc::config, "device id \"" + config.device_id +
                              "\" must be 1 to 64 letters, digits, '-' or '_' (--device-id)"};
  }
  if (!valid_id(config.topic_prefix)) {
    return {Errc::config, "topic_prefix must be letters, digits, '-' or '_'"};
  }
  if (config.client_id.empty()) config.client_id = "tractiond-mqtt-" + config.device_id;
  if (config.tls.certificate.empty() != config.tls.key.empty()) {
    return {Errc::config, "tls.certificate and tls.key go together"};
  }
  const bool has_tls_files = !config.tls.certificate.empty() || !config.tls.ca_file.empty();
  if (has_tls_files && !config.url.tls) {
    return {Errc::config,
            "TLS files are configured but the broker is " + config.broker + ": use mqtts://"};
  }
  if (!config.password.empty() && !config.url.tls && !loopback(config.url.host)) {
    return {Errc::config,
            "a password is never sent in clear text to " + config.url.host + ": use mqtts://"};
  }
  if (config.live_rate_hz < 0 || config.live_rate_hz > 10) {
    return {Errc::config, "live_rate_hz must be 0 to 10"};
  }
  return {};
}

}  // namespace traction::mqtt
