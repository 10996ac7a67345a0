// SPDX-License-Identifier: Apache-2.0
// traction-sim and tractiond (tests/e2e/process_harness.hpp) with a real tractiond-mqtt between
// the daemon's socket and a real broker (broker_rig.hpp), all on temporary paths and free ports.
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "tests/mqtt_e2e/broker_rig.hpp"

namespace traction::mqtt::testing {

class Bridge {
 public:
  // Starts tractiond-mqtt for the daemon of `rig` as device `id`, with `config` (JSON) as its
  // config file.
  Bridge(e2e::Rig& rig, const Broker& broker, const std::string& id,
         const nlohmann::json& config = nlohmann::json::object())
      : log_(rig.dir() + "/mqtt-" + id + ".log") {
    const std::string file = rig.dir() + "/mqtt-" + id + ".json";
    std::ofstream(file) << config.dump(2);
    process_ = std::make_unique<Process>(
        std::vector<std::string>{e2e::build_path("mqtt/tractiond-mqtt"), "--socket",
                                 rig.dir() + "/d.sock", "--broker", broker.url(), "--device-id", id,
                                 "--config", file},
        log_);
  }
  Process& process() { return *process_; }
  std::string log() const { return read_file(log_); }

 private:
  std::string log_;
  std::unique_ptr<Process> process_;
};

// One simulated device on a broker with its bridge and a subscriber on all of its topics.
struct DeviceOnBroker {
  DeviceOnBroker(const std::string& kind, const std::string& id, const nlohmann::json& config = {})
      : rig(kind),
        broker(rig.dir()),
        bridge(rig, broker, id, config.is_null() ? nlohmann::json::object() : config),
        sub(broker, "#", rig.dir() + "/sub.log"),
        topic("tractiond/" + id + "/") {}

  // The daemon is idle on its device (a loaded machine may take a few reconnects to get there).
  bool ready() {
    return wait_until([&] { return rig.ready(); }, std::chrono::seconds(15));
  }
  // The bridge is online and has published a state.
  bool online() {
    const auto up = sub.wait_for(topic + "availability",
                                 [](const Message& m) { return m.payload == "online"; });
    const auto state = sub.wait_for(topic + "state", [](const Message& m) {
      return m.json().is_object() && m.json().contains("bridge");
    });
    return !up.topic.empty() && !state.topic.empty();
  }
  // Sends a command; waits for its reply (matched by id) and returns it (null when none came).
  nlohmann::json command(const nlohmann::json& request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    if (!publish(broker, topic + "command", request.dump(), rig.dir() + "/pub.log")) return nullptr;
    const auto reply = sub.wait_for(
        topic + "reply",
        [&](const Message& m) { return m.json().value("id", nlohmann::json()) == request["id"]; },
        timeout);
    return reply.topic.empty() ? nlohmann::json(nullptr) : reply.json();
  }
  std::string logs() { return rig.log() + "\n--- bridge ---\n" + bridge.log(); }

  e2e::Rig rig;
  Broker broker;
  Bridge bridge;
  Subscriber sub;
  std::string topic;  // "tractiond/<id>/"
};

}  // namespace traction::mqtt::testing
