// SPDX-License-Identifier: Apache-2.0
// Commands over MQTT against a real daemon and simulator: an estop releases the person on the
// simulator's ground truth; session.start is refused without a grant made at the device,
// accepted with one, refused again after a stop, an estop and the grant's expiry; a method that
// is not allowed is refused with the reason and never reaches the daemon.
#include <gtest/gtest.h>

#include <iostream>

#include "core/utc_time.hpp"
#include "tests/e2e/ground_truth.hpp"
#include "tests/mqtt_e2e/mqtt_rig.hpp"

namespace traction::mqtt::testing {
namespace {

using namespace std::chrono_literals;

const nlohmann::json kHaConfig = {{"home_assistant", {{"start_programs", {"quick-check"}}}}};

nlohmann::json start_request(const std::string& id) {
  return {{"id", id}, {"method", "session.start"}, {"params", {{"program", "quick-check"}}}};
}

std::string error_reason(const nlohmann::json& reply) {
  if (!reply.is_object() || !reply.contains("error")) return "";
  return reply["error"].value("data", nlohmann::json::object()).value("reason", "");
}

bool grant_topic_is(DeviceOnBroker& d, const std::string& value) {
  return wait_until([&] { return d.sub.last(d.topic + "remote_start").payload == value; }, 10s);
}

TEST(MqttCommands, estop_over_mqtt_stops_a_session_and_the_table_goes_home) {
  DeviceOnBroker d("inversion", "table-1");
  ASSERT_TRUE(d.ready()) << d.logs();
  ASSERT_TRUE(d.online()) << d.logs();
  ASSERT_TRUE(d.rig.call("session.start", {{"program", "quick-check"}}).contains("result"));
  ASSERT_TRUE(wait_until(
      [&] {
        return d.rig.sim({{"command", "state"}})["angle_deg"] > 5.0;
      },
      20s));

  // Ground truth: from the publish (mosquitto_pub's own start included) until the simulator's
  // drive is commanded back: its target turns from rising to falling (after the governed
  // deceleration), polled on its own socket.
  const auto published = std::chrono::steady_clock::now();
  const auto published_wall = std::chrono::system_clock::now();
  ASSERT_TRUE(publish(d.broker, d.topic + "command", R"({"id":"stop-1","method":"device.estop"})",
                      d.rig.dir() + "/pub.log"));
  double previous = d.rig.sim({{"command", "state"}}).value("target", 0.0);
  ASSERT_TRUE(wait_until(
      [&] {
        const double target = d.rig.sim({{"command", "state"}}).value("target", 0.0);
        const bool turned = target < previous - 1e-9;
        previous = target;
        return turned;
      },
      5s))
      << "the drive was never commanded home";
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - published)
          .count();
  std::cout << "[ figure ] MQTT estop publish to the drive commanded home (simulator): " << ms
            << " ms\n";
  RecordProperty("estop_publish_to_drive_ms", std::to_string(ms));
  EXPECT_LT(ms, 1000.0);

  const Message reply = d.sub.wait_for(
      d.topic + "reply", [](const Message& m) { return m.json().value("id", "") == "stop-1"; });
  EXPECT_TRUE(reply.json().contains("result")) << reply.payload;
  ASSERT_TRUE(wait_until(
      [&] {
        return e2e::safe_at_home(d.rig.sim({{"command", "state"}}), e2e::kSimTable);
      },
      20s))
      << "the table did not return home";
  const auto status = d.rig.status();
  EXPECT_EQ(status["state"], "estop");
  EXPECT_EQ(status["last_session"]["outcome"], "estopped");
  const Message event = d.sub.wait_for(
      d.topic + "event", [](const Message& m) { return m.json().value("kind", "") == "estop"; });
  ASSERT_FALSE(event.topic.empty());
  // The daemon's estop event is stamped when the control thread acted on it (same clock).
  const auto acted = parse_utc(event.json().value("time_utc", ""));
  ASSERT_TRUE(acted.has_value());
  const double acted_ms =
      std::chrono::duration<double, std::milli>(*acted - published_wall).count();
  const double published_s =
      std::chrono::duration<double>(published_wall.time_since_epoch()).count();
  std::cout << "[ figure ] MQTT estop publish to the daemon's estop event: " << acted_ms
            << " ms; to that event at mosquitto_sub: " << 1000.0 * (event.unix_time - published_s)
            << " ms\n";
  RecordProperty("estop_publish_to_daemon_ms", std::to_string(acted_ms));
  EXPECT_LT(acted_ms, 1000.0);
}

TEST(MqttCommands, remote_start_needs_a_grant_at_the_device_and_each_stop_ends_it) {
  DeviceOnBroker d("inversion", "table-1", kHaConfig);
  ASSERT_TRUE(d.ready()) << d.logs();
  ASSERT_TRUE(d.online()) << d.logs();
  ASSERT_TRUE(grant_topic_is(d, "not_granted")) << d.logs();

  EXPECT_EQ(error_reason(d.command(start_request("s1"))), "remote_start_not_granted");
  EXPECT_EQ(d.rig.status()["state"], "idle");

  ASSERT_TRUE(d.rig.call("remote_start.allow", {{"minutes", 5}}).contains("result"));
  ASSERT_TRUE(grant_topic_is(d, "granted"));
  const auto accepted = d.command(start_request("s2"));
  ASSERT_TRUE(accepted.contains("result")) << accepted.dump() << d.logs();
  ASSERT_TRUE(wait_until([&] { return d.rig.status()["state"] == "running"; }, 10s));

  const auto stopped = d.command({{"id", "p1"}, {"method", "session.stop"}});
  EXPECT_TRUE(stopped.contains("result")) << stopped.dump();
  ASSERT_TRUE(grant_topic_is(d, "not_granted")) << "a stop ends the grant";
  ASSERT_TRUE(wait_until([&] { return d.rig.status()["state"] == "idle"; }, 30s));
  EXPECT_EQ(error_reason(d.command(start_request("s3"))), "remote_start_not_granted");

  // Granted again, then an estop from the broker: the grant ends with it.
  ASSERT_TRUE(d.rig.call("remote_start.allow", {{"minutes", 5}}).contains("result"));
  ASSERT_TRUE(grant_topic_is(d, "granted"));
  EXPECT_TRUE(d.command({{"id", "e1"}, {"method", "device.estop"}}).contains("result"));
  ASSERT_TRUE(grant_topic_is(d, "not_granted")) << "an estop ends the grant";
  EXPECT_EQ(d.rig.status()["remote_start"]["ended_reason"], "emergency stop");
}

TEST(MqttCommands, a_grant_expires_and_a_remote_connection_can_never_grant) {
  DeviceOnBroker d("inversion", "table-1");
  ASSERT_TRUE(d.ready()) << d.logs();
  ASSERT_TRUE(d.online()) << d.logs();
  ASSERT_TRUE(d.rig.call("remote_start.allow", {{"minutes", 0.05}}).contains("result"));  // 3 s
  ASSERT_TRUE(grant_topic_is(d, "granted"));
  ASSERT_TRUE(grant_topic_is(d, "not_granted")) << "the grant expires";
  EXPECT_EQ(d.rig.status()["remote_start"]["ended_reason"], "expired");
  EXPECT_EQ(error_reason(d.command(start_request("s1"))), "remote_start_not_granted");

  // remote_start.allow is not even allowed over MQTT; device.reset neither.
  const auto grant =
      d.command({{"id", "g"}, {"method", "remote_start.allow"}, {"params", {{"minutes", 5}}}});
  EXPECT_EQ(error_reason(grant), "method_not_allowed") << grant.dump();
  EXPECT_EQ(error_reason(d.command({{"id", "r"}, {"method", "device.reset"}})),
            "method_not_allowed");
  EXPECT_EQ(d.rig.status()["remote_start"]["granted"], false);
  EXPECT_EQ(d.rig.log().find("device.reset by"), std::string::npos)
      << "a refused method must never reach the daemon";
}

}  // namespace
}  // namespace traction::mqtt::testing
