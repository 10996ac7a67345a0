// SPDX-License-Identifier: Apache-2.0
// One connection to an MQTT broker (libmosquitto) on a thread of its own: connects, keeps the
// connection alive and reconnects with an exponential backoff (0.5 s doubling to 30 s). The
// handlers run on that thread and must only hand work over (tractiond-mqtt posts it to its I/O
// thread). publish() and subscribe() may be called from any thread and never block on the
// network.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/result.hpp"
#include "mqtt/bridge_config.hpp"

struct mosquitto;
struct mosquitto_message;

namespace traction::mqtt {

struct ClientOptions {
  BrokerUrl url;
  std::string client_id;
  std::string username;
  std::string password;
  TlsFiles tls;
  int keepalive_seconds = 30;
  std::string will_topic;  // "" = no last will
  std::string will_payload;
};

struct ClientHandlers {
  std::function<void()> on_connected;  // the broker accepted the connection
  std::function<void(const std::string& why)> on_disconnected;
  std::function<void(const std::string& topic, const std::string& payload, bool retained)>
      on_message;
  std::function<void(int mid)> on_published;  // QoS 0: written; QoS 1: acknowledged
};

class MqttClient {
 public:
  // Sets the client up (TLS files, credentials, last will); nothing connects yet.
  static Result<std::unique_ptr<MqttClient>> create(const ClientOptions& options,
                                                    ClientHandlers handlers);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Starts the connection thread.
  void start();
  // Disconnects cleanly (no last will) and joins the thread; idempotent.
  void stop();
  // The message id, or nothing when the library refused it (not connected, too large).
  std::optional<int> publish(const std::string& topic, const std::string& payload, int qos,
                             bool retain);
  bool subscribe(const std::string& pattern, int qos);

 private:
  MqttClient(const ClientOptions& options, ClientHandlers handlers, mosquitto* handle);
  void run();
  // Calls mosquitto_loop until the connection fails or stop(); returns the last error text.
  std::string loop_while_connected();
  void wait_backoff(std::chrono::milliseconds delay);
  static void on_connect(mosquitto* handle, void* self, int rc);
  static void on_disconnect(mosquitto* handle, void* self, int rc);
  static void on_message_cb(mosquitto* handle, void* self, const mosquitto_message* m);
  static void on_publish(mosquitto* handle, void* self, int mid);

  ClientOptions options_;
  ClientHandlers handlers_;
  mosquitto* handle_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool accepted_ = false;  // the current connection got a CONNACK (loop thread only)
  int refused_rc_ = 0;     // the broker's CONNACK refusal code for it, 0 = none (loop thread)
};

// libmosquitto's text for an error code.
std::string mosquitto_error_text(int rc);

}  // namespace traction::mqtt
