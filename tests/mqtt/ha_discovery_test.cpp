// SPDX-License-Identifier: Apache-2.0
// Home Assistant discovery: one device, its sensors, a STOP button, start buttons that are
// available only while remote start is granted; switched off, the same topics are emptied.
#include "mqtt/ha_discovery.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace traction::mqtt {
namespace {

BridgeConfig ha_config() {
  BridgeConfig config;
  config.device_id = "table-1";
  config.home_assistant.configured = true;
  config.home_assistant.discovery = true;
  config.home_assistant.start_programs = {"quick-check"};
  return config;
}

std::map<std::string, nlohmann::json> by_topic(const std::vector<RetainedMessage>& messages) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& m : messages) out[m.topic] = nlohmann::json::parse(m.payload);
  return out;
}

TEST(HaDiscovery, when_a_table_expect_sensors_stop_and_start_buttons_of_one_device) {
  const BridgeConfig config = ha_config();
  const Topics topics("tractiond", "table-1");
  const auto m = by_topic(discovery_messages(config, topics, "inversion"));
  const std::string base = "homeassistant/sensor/tractiond_table-1/";
  for (const char* s : {"state", "angle", "progress", "time_left", "last_outcome"}) {
    ASSERT_EQ(m.count(base + s + "/config"), 1U) << s;
    EXPECT_EQ(m.at(base + s + "/config")["device"]["identifiers"][0], "tractiond_table-1");
    EXPECT_EQ(m.at(base + s + "/config")["availability_topic"], topics.availability);
  }
  EXPECT_EQ(m.at(base + "angle/config")["unit_of_measurement"], "°");
  EXPECT_EQ(m.at(base + "last_outcome/config")["state_topic"], topics.session);

  const auto& stop = m.at("homeassistant/button/tractiond_table-1/stop/config");
  EXPECT_EQ(stop["command_topic"], topics.command);
  EXPECT_EQ(nlohmann::json::parse(stop["payload_press"].get<std::string>())["method"],
            "device.estop");

  const auto& start = m.at("homeassistant/button/tractiond_table-1/start_quick_check/config");
  EXPECT_EQ(start["availability_mode"], "all");
  EXPECT_EQ(start["availability"][1]["topic"], topics.remote_start);
  EXPECT_EQ(start["availability"][1]["payload_available"], "granted");
  const auto press = nlohmann::json::parse(start["payload_press"].get<std::string>());
  EXPECT_EQ(press["method"], "session.start");
  EXPECT_EQ(press["params"]["program"], "quick-check");
}

TEST(HaDiscovery, when_a_bench_expect_a_force_sensor_in_newton) {
  const auto m =
      by_topic(discovery_messages(ha_config(), Topics("tractiond", "table-1"), "traction"));
  EXPECT_EQ(m.at("homeassistant/sensor/tractiond_table-1/force/config")["unit_of_measurement"],
            "N");
}

TEST(HaDiscovery, when_switched_off_expect_every_topic_emptied) {
  const BridgeConfig config = ha_config();
  const Topics topics("tractiond", "table-1");
  const auto removal = discovery_removal(config, topics);
  for (const auto& m : discovery_messages(config, topics, "inversion")) {
    const bool emptied = std::any_of(removal.begin(), removal.end(), [&](const RetainedMessage& r) {
      return r.topic == m.topic && r.payload.empty();
    });
    EXPECT_TRUE(emptied) << m.topic;
  }
}

}  // namespace
}  // namespace traction::mqtt
