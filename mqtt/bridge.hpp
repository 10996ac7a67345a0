// SPDX-License-Identifier: Apache-2.0
// tractiond-mqtt's routing: the daemon's status and events out to the device's topics, commands
// from the command topic in to the daemon and their replies back. Every member is touched on the
// I/O thread only: the MQTT client's thread posts its callbacks here.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "mqtt/bridge_config.hpp"
#include "mqtt/command_relay.hpp"
#include "mqtt/daemon_feed.hpp"
#include "mqtt/mqtt_client.hpp"
#include "mqtt/outbound_budget.hpp"
#include "mqtt/topics.hpp"

namespace traction::mqtt {

class Bridge {
 public:
  Bridge(boost::asio::io_context& io, BridgeConfig config);
  // Sets the MQTT client up (credentials, TLS, last will) and starts both sides.
  Status start();
  // Publishes "offline", disconnects cleanly and closes the daemon connections.
  void stop();

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  void on_broker_up();
  void on_broker_down(const std::string& why);
  void on_message(const std::string& topic, const std::string& payload);
  void on_command(const std::string& payload);
  void on_status(const nlohmann::json& status);
  void on_event(const nlohmann::json& event);
  void on_daemon_link(bool up);

  void send(const std::string& topic, const std::string& payload, int qos, bool retain,
            Priority priority);
  void publish_state(const nlohmann::json& status, SteadyTime now);
  void publish_live(const nlohmann::json& status, SteadyTime now);
  void publish_retained_extras(const nlohmann::json& status);
  void publish_discovery();
  void publish_availability();
  void reply(const nlohmann::json& payload);
  ClientHandlers client_handlers();

  boost::asio::io_context& io_;
  BridgeConfig config_;
  Topics topics_;
  OutboundBudget budget_;
  std::unique_ptr<MqttClient> client_;
  std::shared_ptr<DaemonFeed> feed_;
  CommandRelay relay_;
  // Why the broker connection last failed, as logged: each reason is logged once per outage.
  std::string broker_warning_;

  // What was last published, to publish only what changed (and everything after a reconnect).
  nlohmann::json status_;  // the daemon's latest status (null before the first)
  nlohmann::json state_digest_;
  SteadyTime state_sent_{};
  SteadyTime live_sent_{};
  std::string session_sent_;       // id of the last session summary published
  std::string remote_start_sent_;  // "granted" / "not_granted"
  bool discovery_sent_ = false;
};

}  // namespace traction::mqtt
