// SPDX-License-Identifier: Apache-2.0
#include "mqtt/mqtt_client.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "mqtt/connack_text.hpp"

namespace traction::mqtt {
namespace {

constexpr auto kFirstBackoff = std::chrono::milliseconds(500);
constexpr auto kMaxBackoff = std::chrono::milliseconds(30000);

const char* or_null(const std::string& text) {
  return text.empty() ? nullptr : text.c_str();
}

// libmosquitto once per process.
void init_library() {
  static const int once = [] {
    mosquitto_lib_init();
    return 0;
  }();
  (void)once;
}

Status configure(mosquitto* handle, const ClientOptions& options) {
  int rc = mosquitto_threaded_set(handle, true);
  if (rc == MOSQ_ERR_SUCCESS && !options.username.empty()) {
    rc = mosquitto_username_pw_set(handle, options.username.c_str(), or_null(options.password));
  }
  if (rc == MOSQ_ERR_SUCCESS && options.url.tls) {
    // No CA file: the system's trust store (Debian's ca-certificates).
    const char* capath = options.tls.ca_file.empty() ? "/etc/ssl/certs" : nullptr;
    rc = mosquitto_tls_set(handle, or_null(options.tls.ca_file), capath,
                           or_null(options.tls.certificate), or_null(options.tls.key), nullptr);
  }
  if (rc == MOSQ_ERR_SUCCESS && !options.will_topic.empty()) {
    rc = mosquitto_will_set(handle, options.will_topic.c_str(),
                            static_cast<int>(options.will_payload.size()),
                            options.will_payload.data(), 1, true);
  }
  if (rc != MOSQ_ERR_SUCCESS) return {Errc::config, "MQTT client: " + mosquitto_error_text(rc)};
  return {};
}

}  // namespace

std::string mosquitto_error_text(int rc) {
  if (rc == MOSQ_ERR_ERRNO) return std::string("system error: ") + std::strerror(errno);
  return mosquitto_strerror(rc);
}

Result<std::unique_ptr<MqttClient>> MqttClient::create(const ClientOptions& options,
                                                       ClientHandlers handlers) {
  init_library();
  mosquitto* handle = mosquitto_new(options.client_id.c_str(), true, nullptr);
  if (handle == nullptr)
    return Result<std::unique_ptr<MqttClient>>(Errc::internal, "mosquitto_new");
  if (Status s = configure(handle, options); !s) {
    mosquitto_destroy(handle);
    return Result<std::unique_ptr<MqttClient>>(s);
  }
  return std::unique_ptr<MqttClient>(new MqttClient(options, std::move(handlers), handle));
}

MqttClient::MqttClient(const ClientOptions& options, ClientHandlers handlers, mosquitto* handle)
    : options_(options), handlers_(std::move(handlers)), handle_(handle) {
  mosquitto_user_data_set(handle_, this);
  mosquitto_connect_callback_set(handle_, &MqttClient::on_connect);
  mosquitto_disconnect_callback_set(handle_, &MqttClient::on_disconnect);
  mosquitto_message_callback_set(handle_, &MqttClient::on_message_cb);
  mosquitto_publish_callback_set(handle_, &MqttClient::on_publish);
}

MqttClient::~MqttClient() {
  stop();
  mosquitto_destroy(handle_);
}

void MqttClient::start() {
  thread_ = std::thread([this] { run(); });
}

void MqttClient::stop() {
  if (stopping_.exchange(true)) return;
  mosquitto_disconnect(handle_);  // a clean DISCONNECT: the broker drops the last will
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<int> MqttClient::publish(const std::string& topic, const std::string& payload,
                                       int qos, bool retain) {
  int mid = 0;
  const int rc = mosquitto_publish(handle_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                                   payload.data(), qos, retain);
  if (rc != MOSQ_ERR_SUCCESS) return std::nullopt;
  return mid;
}

bool MqttClient::subscribe(const std::string& pattern, int qos) {
  return mosquitto_subscribe(handle_, nullptr, pattern.c_str(), qos) == MOSQ_ERR_SUCCESS;
}

void MqttClient::run() {
  auto backoff = kFirstBackoff;
  bool first = true;
  while (!stopping_) {
    accepted_ = false;
    refused_rc_ = 0;
    // Non-blocking connects: the loop below completes them, and stop() never waits on a SYN.
    const int rc = first ? mosquitto_connect_async(handle_, options_.url.host.c_str(),
                                                   options_.url.port, options_.keepalive_seconds)
                         : mosquitto_reconnect_async(handle_);
    first = rc != MOSQ_ERR_SUCCESS && first;
    std::string why = rc == MOSQ_ERR_SUCCESS ? loop_while_connected() : mosquitto_error_text(rc);
    if (stopping_) break;
    // The library's text for a refusal is "The connection was refused.": say why instead.
    if (refused_rc_ != 0)
      why = connack_refusal_text(refused_rc_, options_.username, options_.client_id);
    if (accepted_) backoff = kFirstBackoff;
    if (handlers_.on_disconnected) handlers_.on_disconnected(why);
    wait_backoff(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  // Sends the DISCONNECT queued by stop().
  mosquitto_loop(handle_, 100, 1);
}

std::string MqttClient::loop_while_connected() {
  for (;;) {
    const int rc = mosquitto_loop(handle_, 100, 1);
    if (stopping_) return "stopping";
    if (rc != MOSQ_ERR_SUCCESS) return mosquitto_error_text(rc);
  }
}

void MqttClient::wait_backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void MqttClient::on_connect(mosquitto*, void* self, int rc) {
  auto* client = static_cast<MqttClient*>(self);
  if (rc != 0) {
    // Refused (credentials, client id): the loop then returns, and run() reports this code.
    client->refused_rc_ = rc;
    return;
  }
  client->accepted_ = true;
  if (client->handlers_.on_connected) client->handlers_.on_connected();
}

void MqttClient::on_disconnect(mosquitto*, void*, int) {
  // Reported by run() once the loop has returned, with the reason.
}

void MqttClient::on_message_cb(mosquitto*, void* self, const mosquitto_message* m) {
  auto* client = static_cast<MqttClient*>(self);
  if (!client->handlers_.on_message) return;
  const std::string payload(static_cast<const char*>(m->payload),
                            static_cast<std::size_t>(std::max(0, m->payloadlen)));
  client->handlers_.on_message(m->topic, payload, m->retain);
}

void MqttClient::on_publish(mosquitto*, void* self, int mid) {
  auto* client = static_cast<MqttClient*>(self);
  if (client->handlers_.on_published) client->handlers_.on_published(mid);
}

}  // namespace traction::mqtt
