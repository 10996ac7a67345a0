// SPDX-License-Identifier: Apache-2.0
// tractiond-mqtt's config file and the rules checked before anything connects.
#include "mqtt/bridge_config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

namespace traction::mqtt {
namespace {

class BridgeConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/tractiond-mqtt-config-XXXXXX";
    const int fd = mkstemp(pattern);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = pattern;
  }
  void TearDown() override { ::unlink(path_.c_str()); }
  Result<BridgeConfig> load(const std::string& text) {
    std::ofstream(path_) << text;
    return load_bridge_config(path_);
  }
  std::string path_;
};

TEST_F(BridgeConfigFile, when_full_expect_every_key_read) {
  auto config = load(R"({"socket": "/run/x.sock", "broker": "mqtts://b:8883", "device_id": "t1",
    "username": "u", "password": "p", "tls": {"ca_file": "/ca.pem"}, "live_rate_hz": 5,
    "queue_limit": 20, "home_assistant": {"start_programs": ["quick-check"]}})");
  ASSERT_TRUE(config) << config.status().message();
  EXPECT_EQ(config->socket_path, "/run/x.sock");
  EXPECT_EQ(config->live_rate_hz, 5.0);
  EXPECT_EQ(config->queue_limit, 20U);
  EXPECT_TRUE(config->home_assistant.configured);
  EXPECT_TRUE(config->home_assistant.discovery);
  ASSERT_TRUE(finish_bridge_config(*config));
  EXPECT_TRUE(config->url.tls);
  EXPECT_EQ(config->client_id, "tractiond-mqtt-t1");
}

TEST_F(BridgeConfigFile, when_a_key_is_misspelt_expect_a_hint) {
  auto config = load(R"({"live_rate": 5})");
  ASSERT_FALSE(config);
  EXPECT_NE(config.status().message().find("live_rate_hz"), std::string::npos)
      << config.status().message();
}

TEST_F(BridgeConfigFile, when_live_rate_over_10_hz_expect_refused) {
  EXPECT_FALSE(load(R"({"live_rate_hz": 20})"));
}

TEST(BridgeConfigRules, when_a_password_would_cross_the_network_in_clear_expect_refused) {
  BridgeConfig config;
  config.device_id = "t1";
  config.broker = "mqtt://broker.example:1883";
  config.username = "u";
  config.password = "p";
  const Status s = finish_bridge_config(config);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("mqtts://"), std::string::npos);
  config.broker = "mqtt://127.0.0.1:1883";  // loopback: fine
  EXPECT_TRUE(finish_bridge_config(config));
}

TEST(BridgeConfigRules, when_device_id_has_topic_characters_expect_refused) {
  BridgeConfig config;
  for (const char* id : {"", "a/b", "a+", "#", "a b"}) {
    config.device_id = id;
    EXPECT_FALSE(finish_bridge_config(config)) << id;
  }
  config.device_id = "clinic-2_table";
  EXPECT_TRUE(finish_bridge_config(config));
}

TEST(BridgeConfigRules, when_certificate_without_key_or_tls_without_mqtts_expect_refused) {
  BridgeConfig config;
  config.device_id = "t1";
  config.broker = "mqtts://b";
  config.tls.certificate = "/c.pem";
  EXPECT_FALSE(finish_bridge_config(config));
  config.tls.key = "/k.pem";
  EXPECT_TRUE(finish_bridge_config(config));
  config.broker = "mqtt://b";
  EXPECT_FALSE(finish_bridge_config(config));
}

}  // namespace
}  // namespace traction::mqtt
