// SPDX-License-Identifier: Apache-2.0
// The broker killed and restarted, or stalled, during a session: the session runs on unaffected,
// the daemon never waits on the bridge, telemetry is dropped and counted while the broker is away
// and resumes when it is back.
#include <gtest/gtest.h>

#include <iostream>

#include "tests/mqtt_e2e/mqtt_rig.hpp"

namespace traction::mqtt::testing {
namespace {

using namespace std::chrono_literals;

std::uint64_t overruns(e2e::Rig& rig) {
  return rig.status().value("loop", nlohmann::json::object()).value("overruns", 0ULL);
}

TEST(MqttBrokerOutage, broker_killed_and_restarted_during_a_session_the_bridge_reconnects) {
  DeviceOnBroker d("inversion", "table-1", {{"live_rate_hz", 5}});
  ASSERT_TRUE(d.ready()) << d.logs();
  ASSERT_TRUE(d.online()) << d.logs();
  const auto started = d.rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const std::string id = started["result"]["session_id"];
  const std::uint64_t overruns_before = overruns(d.rig);

  d.broker.kill();
  std::this_thread::sleep_for(1500ms);  // the outage itself
  ASSERT_TRUE(d.broker.start());
  Subscriber after(d.broker, "tractiond/#", d.rig.dir() + "/after.log");
  EXPECT_FALSE(
      after
          .wait_for(
              d.topic + "availability", [](const Message& m) { return m.payload == "online"; }, 15s)
          .topic.empty())
      << d.logs();
  EXPECT_FALSE(after.wait_for(d.topic + "live", [](const Message&) { return true; }).topic.empty())
      << "telemetry resumes";

  const auto last = d.rig.wait_session_end(id, 40s);
  EXPECT_EQ(last.value("outcome", ""), "completed") << "the session is unaffected: " << last.dump();
  EXPECT_FALSE(after
                   .wait_for(d.topic + "session",
                             [&](const Message& m) { return m.json().value("id", "") == id; })
                   .topic.empty());
  const std::uint64_t added = overruns(d.rig) - overruns_before;
  std::cout << "[ figure ] control overruns while the broker was down and back: " << added << "\n";
  RecordProperty("overruns_during_outage", std::to_string(added));
  EXPECT_NE(d.bridge.log().find("reconnecting with backoff"), std::string::npos);
}

TEST(MqttBrokerOutage, a_stalled_broker_costs_dropped_telemetry_and_the_daemon_never_waits) {
  // A small queue so that a short stall fills it.
  DeviceOnBroker d("inversion", "table-1", {{"live_rate_hz", 10}, {"queue_limit", 5}});
  ASSERT_TRUE(d.ready()) << d.logs();
  ASSERT_TRUE(d.online()) << d.logs();
  const auto started = d.rig.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const std::string id = started["result"]["session_id"];
  // Telemetry from before the broker connection was dropped too: count from here.
  const std::uint64_t dropped_before =
      d.sub.last(d.topic + "state").json()["bridge"].value("dropped", 0ULL);

  d.broker.stall();
  // While the broker is stopped the daemon answers as fast as ever.
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(d.rig.status().contains("state"));
    std::this_thread::sleep_for(100ms);  // paces the probe over three seconds of stall
  }
  const double probe_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() -
      3000.0;
  d.broker.resume();

  const auto last = d.rig.wait_session_end(id, 40s);
  EXPECT_EQ(last.value("outcome", ""), "completed") << last.dump();
  const Message state = d.sub.wait_for(
      d.topic + "state",
      [&](const Message& m) {
        return m.json().value("bridge", nlohmann::json::object()).value("dropped", 0ULL) >
               dropped_before;
      },
      15s);
  ASSERT_FALSE(state.topic.empty()) << "drops are counted and published" << d.logs();
  const auto dropped = state.json()["bridge"]["dropped"].get<std::uint64_t>() - dropped_before;
  std::cout << "[ figure ] telemetry dropped during a 3 s broker stall (queue 5): " << dropped
            << "; 30 status.get calls took " << probe_ms << " ms beyond their pacing\n";
  RecordProperty("dropped_during_stall", std::to_string(dropped));
  EXPECT_EQ(d.rig.log().find("outgoing queue full"), std::string::npos)
      << "the daemon never had to drop the bridge for not reading";
}

}  // namespace
}  // namespace traction::mqtt::testing
