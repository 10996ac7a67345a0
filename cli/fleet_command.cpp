// SPDX-License-Identifier: Apache-2.0
// tractionctl fleet: the retained state, session and availability of every device on a broker.
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/remote_commands.hpp"
#include "mqtt/fleet_scan.hpp"

namespace traction::ctl {
namespace {

using nlohmann::json;

std::string number(const json& v, int digits) {
  if (!v.is_number()) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v.get<double>();
  return s.str();
}

std::string now_text(const json& state) {
  if (!state.is_object()) return "-";
  std::string out = state.value("state", "?") + " " + number(state.value("value", json()), 1) +
                    " " + state.value("unit", "");
  const json session = state.value("session", json());
  if (session.is_object()) {
    out += ", " + session.value("program", "") + " " + number(session["progress"], 0) + "% " +
           number(session["time_left_s"], 0) + " s left";
  }
  return out;
}

std::string last_text(const json& session) {
  if (!session.is_object()) return "-";
  return session.value("program", "?") + " " + session.value("outcome", "?") + " " +
         session.value("ended_utc", "").substr(0, 19);
}

Result<mqtt::ClientOptions> client_options(const FleetOptions& fleet, std::string& prefix) {
  mqtt::BridgeConfig config;
  if (!fleet.config_file.empty()) {
    auto loaded = mqtt::load_bridge_config(fleet.config_file);
    if (!loaded) return Result<mqtt::ClientOptions>(loaded.status());
    config = *loaded;
  }
  if (!fleet.broker.empty()) config.broker = fleet.broker;
  auto url = mqtt::parse_broker_url(config.broker);
  if (!url) return Result<mqtt::ClientOptions>(url.status());
  prefix = config.topic_prefix;
  const std::string id = "tractionctl-fleet-" + std::to_string(::getpid());
  return mqtt::ClientOptions{*url, id, config.username, config.password, config.tls, 10, "", ""};
}

}  // namespace

int fleet(const Options& options, const FleetOptions& fleet) {
  std::string prefix;
  auto client = client_options(fleet, prefix);
  if (!client) {
    std::cerr << "tractionctl: " << client.status().message() << "\n";
    return kUsage;
  }
  const auto deadline = std::chrono::milliseconds(static_cast<int>(fleet.wait_seconds * 1000));
  auto devices = mqtt::scan_fleet(*client, prefix, deadline, std::chrono::milliseconds(300));
  if (!devices) {
    std::cerr << "tractionctl: " << devices.status().message() << "\n";
    return kCannotConnect;
  }
  if (options.json) {
    json out = json::object();
    for (const auto& [id, d] : *devices) {
      out[id] = {{"availability", d.availability}, {"state", d.state}, {"session", d.session}};
    }
    std::cout << out.dump(2) << "\n";
    return kOk;
  }
  if (devices->empty()) std::cout << "no device seen on " << client->url.to_string() << "\n";
  for (const auto& [id, d] : *devices) {
    std::cout << std::left << std::setw(16) << id << std::setw(9)
              << (d.availability.empty() ? "?" : d.availability) << std::setw(48)
              << now_text(d.state) << "last: " << last_text(d.session) << "\n";
  }
  return kOk;
}

}  // namespace traction::ctl
