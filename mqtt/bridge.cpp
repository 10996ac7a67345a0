// SPDX-License-Identifier: Apache-2.0
#include "mqtt/bridge.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "core/utc_time.hpp"
#include "mqtt/ha_discovery.hpp"
#include "mqtt/payloads.hpp"

namespace traction::mqtt {
namespace {

using std::chrono::duration;

std::string now_utc() {
  return format_utc(std::chrono::system_clock::now());
}

// The daemon sends status.update at least once a second; live is thinned to live_rate_hz.
double subscription_rate(double live_rate_hz) {
  return std::max(1.0, live_rate_hz);
}

}  // namespace

Bridge::Bridge(boost::asio::io_context& io, BridgeConfig config)
    : io_(io),
      config_(std::move(config)),
      topics_(config_.topic_prefix, config_.device_id),
      budget_(config_.queue_limit),
      relay_(io, config_.socket_path) {}

Status Bridge::start() {
  ClientOptions options{config_.url,          config_.client_id, config_.username,
                        config_.password,     config_.tls,       config_.keepalive_seconds,
                        topics_.availability, "offline"};
  auto client = MqttClient::create(options, client_handlers());
  if (!client) return client.status();
  client_ = std::move(*client);
  feed_ = DaemonFeed::create(
      io_, config_.socket_path, subscription_rate(config_.live_rate_hz),
      {[this](const nlohmann::json& s) { on_status(s); },
       [this](const nlohmann::json& e) { on_event(e); }, [this](bool up) { on_daemon_link(up); }});
  relay_.start();
  feed_->start();
  client_->start();
  spdlog::info("bridging {} to {} as {}", config_.socket_path, config_.url.to_string(),
               topics_.base);
  return {};
}

void Bridge::stop() {
  if (budget_.is_connected()) send(topics_.availability, "offline", 1, true, Priority::control);
  if (client_) client_->stop();
  if (feed_) feed_->stop();
  relay_.stop();
}

ClientHandlers Bridge::client_handlers() {
  // Called on the client's thread: hand everything to the I/O thread.
  return {[this] { boost::asio::post(io_, [this] { on_broker_up(); }); },
          [this](const std::string& why) {
            boost::asio::post(io_, [this, why] { on_broker_down(why); });
          },
          [this](const std::string& topic, const std::string& payload, bool) {
            boost::asio::post(io_, [this, topic, payload] { on_message(topic, payload); });
          },
          [this](int mid) { boost::asio::post(io_, [this, mid] { budget_.done(mid); }); }};
}

void Bridge::send(const std::string& topic, const std::string& payload, int qos, bool retain,
                  Priority priority) {
  if (!budget_.admit(priority)) return;
  if (auto mid = client_->publish(topic, payload, qos, retain)) budget_.sent(*mid);
}

void Bridge::on_broker_up() {
  spdlog::info("connected to {}", config_.url.to_string());
  broker_warning_.clear();
  budget_.connected();
  client_->subscribe(topics_.command, 1);
  if (config_.home_assistant.discovery)
    client_->subscribe(config_.home_assistant.prefix + "/status", 1);
  publish_availability();
  // Everything retained goes out again: the broker may have restarted without its store.
  state_digest_ = nullptr;
  session_sent_.clear();
  remote_start_sent_.clear();
  discovery_sent_ = false;
  if (!status_.is_null()) on_status(status_);
}

void Bridge::on_broker_down(const std::string& why) {
  budget_.disconnected();
  if (why != broker_warning_) {
    spdlog::warn("broker {}: {}; reconnecting with backoff (telemetry is dropped meanwhile)",
                 config_.url.to_string(), why);
  }
  broker_warning_ = why;
}

void Bridge::on_message(const std::string& topic, const std::string& payload) {
  if (topic == topics_.command) {
    on_command(payload);
  } else if (topic == config_.home_assistant.prefix + "/status" && payload == "online") {
    discovery_sent_ = false;  // Home Assistant restarted: it wants the discovery again
    publish_discovery();
  }
}

void Bridge::on_command(const std::string& payload) {
  auto filtered = filter_command(payload);
  if (auto* refusal = std::get_if<Refusal>(&filtered)) {
    spdlog::warn("MQTT command refused ({}): {}", refusal->reason, refusal->message);
    reply(refusal_reply(*refusal));
    return;
  }
  const Command command = std::get<Command>(filtered);
  spdlog::info("MQTT command {} (id {})", command.method, command.id.dump());
  relay_.run(command, [this, id = command.id](const nlohmann::json& rpc_reply) {
    reply(daemon_reply(id, rpc_reply));
  });
}

void Bridge::reply(const nlohmann::json& payload) {
  send(topics_.reply, payload.dump(), 1, false, Priority::control);
}

void Bridge::on_status(const nlohmann::json& status) {
  if (!status.is_object()) return;
  status_ = status;
  const auto now = std::chrono::steady_clock::now();
  publish_live(status, now);
  publish_state(status, now);
  publish_retained_extras(status);
  if (!discovery_sent_) publish_discovery();
}

void Bridge::publish_live(const nlohmann::json& status, SteadyTime now) {
  if (config_.live_rate_hz <= 0.0) return;
  // Half a subscription period of slack: updates arrive with some jitter.
  const double period = 1.0 / config_.live_rate_hz - 0.5 / subscription_rate(config_.live_rate_hz);
  if (duration<double>(now - live_sent_).count() < period) return;
  live_sent_ = now;
  // QoS 1 like all telemetry: the budget then counts what the broker has not acknowledged.
  send(topics_.live, live_payload(status, now_utc()).dump(), 1, false, Priority::telemetry);
}

void Bridge::publish_state(const nlohmann::json& status, SteadyTime now) {
  nlohmann::json state = state_payload(config_.device_id, status, now_utc());
  nlohmann::json digest = state_digest(state);
  const bool changed = digest != state_digest_;
  if (!changed && duration<double>(now - state_sent_).count() < config_.state_interval_seconds) {
    return;
  }
  state["bridge"] = {{"dropped", budget_.dropped()}, {"in_flight", budget_.in_flight()}};
  const std::uint64_t dropped_before = budget_.dropped();
  send(topics_.state, state.dump(), 1, true, Priority::telemetry);
  if (budget_.dropped() != dropped_before) return;  // try again with the next update
  state_digest_ = std::move(digest);
  state_sent_ = now;
}

void Bridge::publish_retained_extras(const nlohmann::json& status) {
  const std::string grant = remote_start_payload(status);
  if (grant != remote_start_sent_ && budget_.is_connected()) {
    send(topics_.remote_start, grant, 1, true, Priority::control);
    remote_start_sent_ = grant;
  }
  const nlohmann::json session = session_payload(config_.device_id, status);
  if (session.is_object() && session.value("id", "") != session_sent_) {
    const std::uint64_t dropped_before = budget_.dropped();
    send(topics_.session, session.dump(), 1, true, Priority::telemetry);
    if (budget_.dropped() == dropped_before) session_sent_ = session.value("id", "");
  }
}

void Bridge::on_event(const nlohmann::json& event) {
  nlohmann::json payload = event;
  payload["device_id"] = config_.device_id;
  send(topics_.event, payload.dump(), 1, false, Priority::telemetry);
}

void Bridge::on_daemon_link(bool up) {
  spdlog::info(up ? "daemon reachable" : "daemon unreachable: availability offline");
  if (!up) status_ = nullptr;
  publish_availability();
}

void Bridge::publish_availability() {
  if (!budget_.is_connected()) return;
  const bool online = feed_ && feed_->up();
  send(topics_.availability, online ? "online" : "offline", 1, true, Priority::control);
}

void Bridge::publish_discovery() {
  if (!config_.home_assistant.configured) return;
  if (!budget_.is_connected() || !status_.is_object()) return;
  const std::string kind = status_.value("device", nlohmann::json::object()).value("kind", "");
  const auto messages = config_.home_assistant.discovery
                            ? discovery_messages(config_, topics_, kind)
                            : discovery_removal(config_, topics_);
  for (const RetainedMessage& m : messages) send(m.topic, m.payload, 1, true, Priority::control);
  discovery_sent_ = true;
}

}  // namespace traction::mqtt
