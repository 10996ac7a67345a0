// SPDX-License-Identifier: Apache-2.0
#include "mqtt/ha_discovery.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace traction::mqtt {
namespace {

struct Sensor {
  const char* object;  // object id, unique within the device
  const char* name;
  bool from_session;  // on the session topic (else the state topic)
  const char* value_template;
  const char* unit;  // "" = none
};

std::string node_id(const BridgeConfig& config) {
  return config.topic_prefix + "_" + config.device_id;
}

std::string config_topic(const BridgeConfig& config, const char* component,
                         const std::string& object) {
  return config.home_assistant.prefix + "/" + component + "/" + node_id(config) + "/" + object +
         "/config";
}

nlohmann::json device_block(const BridgeConfig& config, const std::string& kind) {
  return {{"identifiers", {node_id(config)}},
          {"name", "tractiond " + config.device_id},
          {"manufacturer", "tractiond"},
          {"model", kind == "traction" ? "traction bench" : "inversion table"},
          {"sw_version", TRACTION_VERSION}};
}

nlohmann::json entity(const BridgeConfig& config, const Topics& topics, const std::string& kind,
                      const std::string& object, const std::string& name) {
  return {{"name", name},
          {"unique_id", node_id(config) + "_" + object},
          {"object_id", node_id(config) + "_" + object},
          {"availability_topic", topics.availability},
          {"device", device_block(config, kind)}};
}

std::vector<Sensor> sensors(const std::string& kind) {
  const bool bench = kind == "traction";
  return {
      {"state", "State", false, "{{ value_json.state }}", ""},
      {bench ? "force" : "angle", bench ? "Force" : "Angle", false, "{{ value_json.value }}",
       bench ? "N" : "°"},
      {"progress", "Progress", false,
       "{{ value_json.session.progress if value_json.session else 0 }}", "%"},
      {"time_left", "Time left", false,
       "{{ value_json.session.time_left_s if value_json.session else 0 }}", "s"},
      {"last_outcome", "Last outcome", true, "{{ value_json.outcome }}", ""},
  };
}

// Pressing a button publishes this command on the command topic.
std::string press(const std::string& id, const char* method, nlohmann::json params) {
  nlohmann::json command = {{"id", id}, {"method", method}};
  if (!params.empty()) command["params"] = std::move(params);
  return command.dump();
}

std::vector<std::pair<std::string, std::string>> start_buttons(const BridgeConfig& config) {
  std::vector<std::pair<std::string, std::string>> out;  // object id, program
  for (const std::string& program : config.home_assistant.start_programs) {
    std::string object = "start_" + program;
    for (char& c : object) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    out.emplace_back(object, program);
  }
  return out;
}

}  // namespace

std::vector<RetainedMessage> discovery_messages(const BridgeConfig& config, const Topics& topics,
                                                const std::string& kind) {
  std::vector<RetainedMessage> out;
  for (const Sensor& s : sensors(kind)) {
    nlohmann::json c = entity(config, topics, kind, s.object, s.name);
    c["state_topic"] = s.from_session ? topics.session : topics.state;
    c["value_template"] = s.value_template;
    if (*s.unit != '\0') c["unit_of_measurement"] = s.unit;
    if (std::string(s.object) == "time_left") c["device_class"] = "duration";
    out.push_back({config_topic(config, "sensor", s.object), c.dump()});
  }
  nlohmann::json stop = entity(config, topics, kind, "stop", "STOP");
  stop["command_topic"] = topics.command;
  stop["payload_press"] = press("ha-stop", "device.estop", nlohmann::json::object());
  stop["icon"] = "mdi:stop-circle";
  out.push_back({config_topic(config, "button", "stop"), stop.dump()});
  for (const auto& [object, program] : start_buttons(config)) {
    nlohmann::json start = entity(config, topics, kind, object, "Start " + program);
    start.erase("availability_topic");
    start["availability"] = {{{"topic", topics.availability}},
                             {{"topic", topics.remote_start},
                              {"payload_available", "granted"},
                              {"payload_not_available", "not_granted"}}};
    start["availability_mode"] = "all";
    start["command_topic"] = topics.command;
    start["payload_press"] = press("ha-" + object, "session.start", {{"program", program}});
    out.push_back({config_topic(config, "button", object), start.dump()});
  }
  return out;
}

std::vector<RetainedMessage> discovery_removal(const BridgeConfig& config, const Topics& topics) {
  std::vector<RetainedMessage> out = discovery_messages(config, topics, "inversion");
  // The axis sensor is named by the kind: remove both names.
  out.push_back({config_topic(config, "sensor", "force"), ""});
  for (RetainedMessage& m : out) m.payload.clear();
  return out;
}

}  // namespace traction::mqtt
