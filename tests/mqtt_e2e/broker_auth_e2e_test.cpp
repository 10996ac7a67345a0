// SPDX-License-Identifier: Apache-2.0
// A broker that wants a user name and password (allow_anonymous false, a password file made with
// mosquitto_passwd): with the right ones from its config file the bridge connects and publishes;
// with a wrong password it publishes nothing, says plainly that the broker refused its
// authentication, and keeps retrying with a growing backoff until the broker accepts it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>

#include "tests/mqtt_e2e/mqtt_rig.hpp"

namespace traction::mqtt::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

nlohmann::json login(const std::string& password) {
  return {{"username", "tractiond"}, {"password", password}};
}

TEST(MqttBrokerAuth, with_its_username_and_password_the_bridge_connects_and_publishes) {
  e2e::Rig rig("inversion");
  Broker broker(rig.dir(), /*tls=*/false, {{"tractiond", "table-secret"}});
  // The broker does want a password: an anonymous client is refused.
  const std::string anonymous = rig.dir() + "/anonymous.log";
  EXPECT_NE(run({"/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()),
                 "-t", "probe", "-m", "x"},
                anonymous),
            0);
  EXPECT_THAT(read_file(anonymous), HasSubstr("not authorised"));

  ASSERT_TRUE(wait_until([&] { return rig.ready(); }, 15s)) << rig.log();
  Subscriber sub(broker, "tractiond/#", rig.dir() + "/sub.log");
  Bridge bridge(rig, broker, "table-1", login("table-secret"));
  EXPECT_FALSE(sub.wait_for("tractiond/table-1/availability",
                            [](const Message& m) { return m.payload == "online"; })
                   .topic.empty())
      << bridge.log() << broker.log();
  EXPECT_FALSE(sub.wait_for("tractiond/table-1/state",
                            [](const Message& m) { return m.json().value("state", "") == "idle"; })
                   .topic.empty())
      << bridge.log();
  EXPECT_THAT(bridge.log(), HasSubstr("connected to " + broker.url()));
  EXPECT_THAT(broker.log(), HasSubstr("u'tractiond'")) << "logged in as its configured user";
}

TEST(MqttBrokerAuth, a_refused_password_is_named_in_the_log_and_retried_with_backoff) {
  e2e::Rig rig("inversion");
  Broker broker(rig.dir(), /*tls=*/false, {{"tractiond", "table-secret"}});
  ASSERT_TRUE(wait_until([&] { return rig.ready(); }, 15s)) << rig.log();
  Subscriber sub(broker, "tractiond/#", rig.dir() + "/sub.log");
  Bridge bridge(rig, broker, "table-1", login("not-the-secret"));

  // The broker logs each attempt it refused; when each was seen here.
  std::vector<std::chrono::steady_clock::time_point> refused;
  ASSERT_TRUE(wait_until(
      [&] {
        const std::size_t n = count(broker.log(), "disconnected, not authorised");
        while (refused.size() < n) refused.push_back(std::chrono::steady_clock::now());
        return n >= 3;
      },
      20s))
      << broker.log() << bridge.log();
  const std::string log = bridge.log();
  EXPECT_THAT(log, HasSubstr("broker " + broker.url() +
                             ": connection refused, authentication failed (not authorised)"));
  EXPECT_THAT(log, HasSubstr("did not accept user \"tractiond\""));
  EXPECT_THAT(log, HasSubstr("check username and password"));
  EXPECT_THAT(log, HasSubstr("reconnecting with backoff"));
  EXPECT_EQ(count(log, "authentication failed"), 1U) << "said once, not at every attempt: " << log;
  EXPECT_EQ(log.find("connected to"), std::string::npos) << log;
  EXPECT_TRUE(sub.on("tractiond/table-1/availability").empty()) << "nothing was published";
  // Backoff: 0.5 s after the first refusal, then 1 s (a fixed retry would keep to 0.5 s).
  const auto gap = [&](std::size_t i) {
    return std::chrono::duration<double>(refused[i] - refused[i - 1]).count();
  };
  std::cout << "[ figure ] refused attempts " << gap(1) << " s and " << gap(2) << " s apart\n";
  EXPECT_GE(gap(2), 0.9);

  // The broker's password file changes to the bridge's password: it gets in on a later attempt.
  broker.set_users({{"tractiond", "not-the-secret"}});
  EXPECT_FALSE(sub.wait_for(
                      "tractiond/table-1/availability",
                      [](const Message& m) { return m.payload == "online"; }, 30s)
                   .topic.empty())
      << bridge.log() << broker.log();
  EXPECT_THAT(bridge.log(), HasSubstr("connected to " + broker.url()));
}

}  // namespace
}  // namespace traction::mqtt::testing
