// SPDX-License-Identifier: Apache-2.0
// The remote start grant reaches the broker as soon as it changes, not at the next status period:
// granted at the device, ended by a session.stop, by an estop and by its expiry, the retained
// `state` (remote_start.granted) and `remote_start` (which the Home Assistant start buttons'
// availability follows) each come well within the daemon's status.update period.
#include <gtest/gtest.h>

#include <iostream>

#include "core/utc_time.hpp"
#include "tests/mqtt_e2e/mqtt_rig.hpp"

namespace traction::mqtt::testing {
namespace {

using namespace std::chrono_literals;

// live_rate_hz 1.5: the bridge's status.update period is 667 ms. A grant made then would reach
// the broker 0 to 667 ms later at that period, an expiry 333 ms later (whole seconds after a
// grant); pushed at once, it takes a few ms.
const nlohmann::json kConfig = {{"live_rate_hz", 1.5},
                                {"home_assistant", {{"start_programs", {"quick-check"}}}}};
constexpr double kPromptMs = 300;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double unix_time(const std::string& utc) {
  const auto parsed = parse_utc(utc);
  return parsed ? std::chrono::duration<double>(parsed->time_since_epoch()).count() : 0.0;
}

struct Grant {
  double state_ms = -1;         // to the retained state with remote_start.granted == granted
  double remote_start_ms = -1;  // to the remote_start topic
};

// How long after `since` (unix seconds) the broker's subscriber got the grant as `granted`.
Grant published(DeviceOnBroker& d, double since, bool granted) {
  Grant out;
  const Message state = d.sub.wait_for(d.topic + "state", [&](const Message& m) {
    return m.unix_time >= since &&
           m.json().value("remote_start", nlohmann::json::object()).value("granted", !granted) ==
               granted;
  });
  const Message topic = d.sub.wait_for(d.topic + "remote_start", [&](const Message& m) {
    return m.unix_time >= since && m.payload == (granted ? "granted" : "not_granted");
  });
  if (!state.topic.empty()) out.state_ms = 1000.0 * (state.unix_time - since);
  if (!topic.topic.empty()) out.remote_start_ms = 1000.0 * (topic.unix_time - since);
  return out;
}

// The daemon's event of `kind` after `since`: when it happened (unix seconds), 0 if none came.
double event_time(DeviceOnBroker& d, double since, const std::string& kind) {
  const Message event = d.sub.wait_for(
      d.topic + "event",
      [&](const Message& m) { return m.unix_time >= since && m.json().value("kind", "") == kind; },
      30s);
  return event.topic.empty() ? 0.0 : unix_time(event.json().value("time_utc", ""));
}

void report(const char* what, const Grant& g) {
  std::cout << "[ figure ] grant " << what << " to the broker: state " << g.state_ms
            << " ms, remote_start " << g.remote_start_ms << " ms\n";
  ::testing::Test::RecordProperty(std::string("grant_") + what + "_state_ms",
                                  std::to_string(g.state_ms));
  EXPECT_GE(g.state_ms, 0.0) << what;
  EXPECT_LT(g.state_ms, kPromptMs) << what;
  EXPECT_GE(g.remote_start_ms, 0.0) << what;
  EXPECT_LT(g.remote_start_ms, kPromptMs) << what;
}

double allow(DeviceOnBroker& d, double minutes) {
  const double asked = unix_now();
  const auto reply = d.rig.call("remote_start.allow", {{"minutes", minutes}});
  EXPECT_TRUE(reply.contains("result")) << reply.dump();
  return asked;
}

TEST(MqttRemoteStart, a_grant_and_each_of_its_ends_are_published_at_once) {
  DeviceOnBroker d("inversion", "table-1", kConfig);
  ASSERT_TRUE(d.ready()) << d.logs();
  ASSERT_TRUE(d.online()) << d.logs();
  // The start button is available only while remote start is granted (and the bridge online).
  const Message button =
      d.sub.wait_for("homeassistant/button/tractiond_table-1/start_quick_check/config",
                     [](const Message& m) { return m.json().is_object(); });
  ASSERT_FALSE(button.topic.empty()) << d.logs();
  EXPECT_EQ(button.json()["availability"][1]["topic"], d.topic + "remote_start");
  EXPECT_EQ(button.json()["availability_mode"], "all");

  // Granted at the device, ended by a session.stop.
  report("made", published(d, allow(d, 5), true));
  ASSERT_TRUE(d.rig.call("session.start", {{"program", "quick-check"}}).contains("result"));
  const double stop_asked = unix_now();
  ASSERT_TRUE(d.rig.call("session.stop").contains("result"));
  const double ended = event_time(d, stop_asked, "session_ended");
  ASSERT_GT(ended, 0.0) << d.logs();
  report("ended_by_stop", published(d, ended, false));

  // Granted again, ended by an estop.
  report("made_again", published(d, allow(d, 5), true));
  const double estop_asked = unix_now();
  ASSERT_TRUE(d.rig.call("device.estop").contains("result"));
  const double estopped = event_time(d, estop_asked, "estop");
  ASSERT_GT(estopped, 0.0) << d.logs();
  report("ended_by_estop", published(d, estopped, false));

  // Granted for 3 s: it expires.
  const auto reply = d.rig.call("remote_start.allow", {{"minutes", 0.05}});
  ASSERT_TRUE(reply.contains("result")) << reply.dump();
  const double until = unix_time(reply["result"].value("until_utc", ""));
  ASSERT_GT(until, 0.0) << reply.dump();
  ASSERT_GE(published(d, until - 3.0, true).state_ms, 0.0);
  report("expired", published(d, until, false));
  EXPECT_EQ(d.rig.status()["remote_start"]["ended_reason"], "expired");
}

}  // namespace
}  // namespace traction::mqtt::testing
