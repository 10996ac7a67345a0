// SPDX-License-Identifier: Apache-2.0
#include "mqtt/fleet_scan.hpp"

#include "mqtt/topics.hpp"

namespace traction::mqtt {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Shared between the client's thread (which fills it) and the caller (which waits on it).
struct Collector {
  std::mutex mutex;
  std::condition_variable changed;
  bool connected = false;
  std::string last_error;
  SteadyClock::time_point last_message{};
  std::map<std::string, FleetDevice> devices;

  void add(const std::string& prefix, const std::string& topic, const std::string& payload) {
    const std::string id = device_of(topic, prefix);
    if (id.empty() || payload.empty()) return;
    const std::string leaf = topic.substr(topic.rfind('/') + 1);
    std::lock_guard lock(mutex);
    FleetDevice& device = devices[id];
    if (leaf == "availability") device.availability = payload;
    if (leaf == "state") device.state = nlohmann::json::parse(payload, nullptr, false);
    if (leaf == "session") device.session = nlohmann::json::parse(payload, nullptr, false);
    last_message = SteadyClock::now();
    changed.notify_all();
  }
};

}  // namespace

Result<std::map<std::string, FleetDevice>> scan_fleet(const ClientOptions& options,
                                                      const std::string& prefix,
                                                      std::chrono::milliseconds deadline,
                                                      std::chrono::milliseconds quiet) {
  using Out = Result<std::map<std::string, FleetDevice>>;
  auto collector = std::make_shared<Collector>();
  MqttClient* raw = nullptr;
  ClientHandlers handlers{[collector, &raw, prefix] {
                            for (const char* leaf : {"state", "session", "availability"}) {
                              raw->subscribe(prefix + "/+/" + leaf, 1);
                            }
                            std::lock_guard lock(collector->mutex);
                            collector->connected = true;
                            collector->last_message = SteadyClock::now();
                            collector->changed.notify_all();
                          },
                          [collector](const std::string& why) {
                            std::lock_guard lock(collector->mutex);
                            collector->last_error = why;
                          },
                          [collector, prefix](const std::string& topic, const std::string& payload,
                                              bool) { collector->add(prefix, topic, payload); },
                          nullptr};
  auto client = MqttClient::create(options, std::move(handlers));
  if (!client) return Out(client.status());
  raw = client->get();
  (*client)->start();
  const auto end = SteadyClock::now() + deadline;
  std::unique_lock lock(collector->mutex);
  while (SteadyClock::now() < end) {
    if (collector->connected && SteadyClock::now() - collector->last_message >= quiet) break;
    collector->changed.wait_for(lock, std::chrono::milliseconds(20));
  }
  const bool connected = collector->connected;
  auto devices = collector->devices;
  const std::string error = collector->last_error;
  lock.unlock();
  (*client)->stop();
  if (!connected) {
    return Out(Errc::link, "cannot reach the broker " + options.url.to_string() +
                               (error.empty() ? "" : ": " + error));
  }
  return devices;
}

}  // namespace traction::mqtt
