// SPDX-License-Identifier: Apache-2.0
// tractiond-mqtt publishing a real daemon's state to a real broker, read by mosquitto_sub: the
// retained state, the live value at its rate, availability and its last will, the session
// summary, and events.
#include <gtest/gtest.h>

#include "tests/mqtt_e2e/mqtt_rig.hpp"

namespace traction::mqtt::testing {
namespace {

using namespace std::chrono_literals;

TEST(MqttTelemetry, state_live_and_availability_are_published_and_the_last_will_follows_a_kill) {
  DeviceOnBroker d("inversion", "table-1", {{"live_rate_hz", 5}});
  ASSERT_TRUE(d.ready()) << d.logs();
  ASSERT_TRUE(d.online()) << d.logs();
  const Message state = d.sub.wait_for(
      d.topic + "state", [](const Message& m) { return m.json().value("state", "") == "idle"; });
  ASSERT_FALSE(state.topic.empty()) << d.logs();
  EXPECT_EQ(state.json()["unit"], "deg");
  EXPECT_EQ(state.json()["kind"], "inversion");
  EXPECT_TRUE(state.json()["value"].is_number());
  EXPECT_EQ(state.json()["remote_start"]["granted"], false);

  // Live at 5 Hz: count the messages over two seconds.
  const std::size_t before = d.sub.on(d.topic + "live").size();
  std::this_thread::sleep_for(2s);  // the window being measured, not a wait for a condition
  const std::size_t live = d.sub.on(d.topic + "live").size() - before;
  EXPECT_GE(live, 7U);
  EXPECT_LE(live, 13U);
  EXPECT_TRUE(d.sub.last(d.topic + "live").json()["value"].is_number());

  // A retained state is there for a client that comes later.
  Subscriber late(d.broker, d.topic + "state", d.rig.dir() + "/late.log");
  EXPECT_TRUE(
      wait_until([&] { return !late.messages().empty() && late.messages()[0].retained; }, 5s));

  d.bridge.process().signal(SIGKILL);  // no clean disconnect: the broker sends the last will
  EXPECT_FALSE(d.sub
                   .wait_for(d.topic + "availability",
                             [](const Message& m) { return m.payload == "offline"; })
                   .topic.empty());
}

TEST(MqttTelemetry, a_session_publishes_events_progress_and_its_summary) {
  DeviceOnBroker d("traction", "bench-1");
  ASSERT_TRUE(d.ready()) << d.logs();
  ASSERT_TRUE(d.online()) << d.logs();
  const auto started = d.rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const Message running = d.sub.wait_for(d.topic + "state", [](const Message& m) {
    const auto s = m.json();
    return s.value("state", "") == "running" && s["session"].is_object();
  });
  ASSERT_FALSE(running.topic.empty()) << d.logs();
  EXPECT_EQ(running.json()["session"]["program"], "quick-check");
  EXPECT_EQ(running.json()["unit"], "N");
  EXPECT_TRUE(running.json()["session"]["time_left_s"].is_number());

  const std::string id = started["result"]["session_id"];
  const Message summary = d.sub.wait_for(
      d.topic + "session", [](const Message& m) { return m.json().value("outcome", "") != ""; },
      40s);
  ASSERT_FALSE(summary.topic.empty()) << d.logs();
  // The summary is the daemon's own record of how the session ended (whatever the outcome).
  const auto last = d.rig.wait_session_end(id, 10s);
  EXPECT_EQ(summary.json()["outcome"], last["outcome"]) << d.logs();
  EXPECT_EQ(summary.json()["program"], "quick-check");
  EXPECT_EQ(summary.json()["device_id"], "bench-1");
  EXPECT_EQ(summary.json()["id"], id);

  std::set<std::string> kinds;
  for (const auto& m : d.sub.on(d.topic + "event")) kinds.insert(m.json().value("kind", ""));
  EXPECT_TRUE(kinds.count("session_started")) << d.logs();
  EXPECT_TRUE(kinds.count("session_ended"));
  EXPECT_TRUE(kinds.count("state_changed"));
}

TEST(MqttTelemetry, over_mqtts_the_bridge_verifies_the_broker_and_publishes) {
  e2e::Rig rig("inversion");
  Broker broker(rig.dir(), /*tls=*/true);
  ASSERT_TRUE(wait_until([&] { return rig.ready(); }, 15s)) << rig.log();
  Bridge bridge(rig, broker, "table-1", {{"tls", {{"ca_file", broker.ca_file()}}}});
  // mosquitto_sub over TLS too, trusting the same certificate.
  const std::string out = rig.dir() + "/tls-sub.log";
  const int status = run(
      {"/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()), "--cafile",
       broker.ca_file(), "-t", "tractiond/table-1/availability", "-C", "1", "-W", "15"},
      out);
  EXPECT_EQ(status, 0) << read_file(out) << bridge.log();
  EXPECT_EQ(read_file(out), "online\n") << bridge.log();

  // A broker whose certificate is not trusted is refused: nothing is published.
  e2e::Rig other("inversion");
  ASSERT_TRUE(wait_until([&] { return other.ready(); }, 15s)) << other.log();
  Bridge untrusting(other, broker, "table-2",
                    {{"tls", {{"ca_file", "/etc/ssl/certs/ca-certificates.crt"}}}});
  EXPECT_TRUE(wait_until(
      [&] { return untrusting.log().find("reconnecting with backoff") != std::string::npos; }, 10s))
      << untrusting.log();
  EXPECT_EQ(untrusting.log().find("connected to mqtts://"), std::string::npos) << untrusting.log();
}

}  // namespace
}  // namespace traction::mqtt::testing
