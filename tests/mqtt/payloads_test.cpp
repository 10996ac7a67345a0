// SPDX-License-Identifier: Apache-2.0
// Topics and the payloads built from the daemon's status (shapes of docs/protocol.md).
#include "mqtt/payloads.hpp"

#include <gtest/gtest.h>

#include "mqtt/topics.hpp"

namespace traction::mqtt {
namespace {

nlohmann::json running_status() {
  return nlohmann::json::parse(R"({
    "state": "running", "unit": "deg", "setpoint": 12.5,
    "device": {"kind": "inversion", "unit": "deg", "angle_deg": 12.34, "force_n": 0.0},
    "session": {"id": "s1", "program": "quick-check", "phase_label": "hold 15° for 5 s",
                "phase_kind": "hold", "phase_index": 1, "phase_count": 3, "progress": 0.4567,
                "remaining_seconds": 6.2},
    "last_session": {"id": "s0", "program": "quick-check", "outcome": "completed", "peak": 15.0},
    "remote_start": {"granted": true, "seconds_left": 120, "until_utc": "x"},
    "fault": null, "activity": null})");
}

TEST(Topics, when_built_expect_every_topic_under_prefix_and_device) {
  const Topics t("tractiond", "table-1");
  EXPECT_EQ(t.state, "tractiond/table-1/state");
  EXPECT_EQ(t.availability, "tractiond/table-1/availability");
  EXPECT_EQ(t.command, "tractiond/table-1/command");
  EXPECT_EQ(t.reply, "tractiond/table-1/reply");
  EXPECT_EQ(device_of("tractiond/table-1/state", "tractiond"), "table-1");
  EXPECT_EQ(device_of("tractiond/table-1/a/b", "tractiond"), "");
  EXPECT_EQ(device_of("other/table-1/state", "tractiond"), "");
}

TEST(Payloads, state_has_state_axis_value_unit_program_phase_and_time_left) {
  const nlohmann::json s = state_payload("table-1", running_status(), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(s["device_id"], "table-1");
  EXPECT_EQ(s["state"], "running");
  EXPECT_EQ(s["value"], 12.34);
  EXPECT_EQ(s["unit"], "deg");
  EXPECT_EQ(s["session"]["program"], "quick-check");
  EXPECT_EQ(s["session"]["phase"], "hold 15° for 5 s");
  EXPECT_EQ(s["session"]["time_left_s"], 7.0);
  EXPECT_NEAR(s["session"]["progress"].get<double>(), 45.7, 1e-9);
  EXPECT_EQ(s["remote_start"]["granted"], true);
}

TEST(Payloads, on_a_bench_the_value_is_the_force) {
  nlohmann::json status = running_status();
  status["device"] = {{"kind", "traction"}, {"force_n", 250.0}};
  status["unit"] = "N";
  EXPECT_EQ(state_payload("b", status, "t")["value"], 250.0);
  EXPECT_EQ(live_payload(status, "t")["value"], 250.0);
  EXPECT_EQ(live_payload(status, "t")["unit"], "N");
}

TEST(Payloads, digest_ignores_moving_numbers_but_not_phase_or_grant) {
  const nlohmann::json a = state_payload("t", running_status(), "t1");
  nlohmann::json moved = running_status();
  moved["device"]["angle_deg"] = 13.0;
  moved["session"]["remaining_seconds"] = 3.0;
  moved["remote_start"]["seconds_left"] = 100;
  EXPECT_EQ(state_digest(a), state_digest(state_payload("t", moved, "t2")));
  nlohmann::json phase = running_status();
  phase["session"]["phase_index"] = 2;
  EXPECT_NE(state_digest(a), state_digest(state_payload("t", phase, "t3")));
  nlohmann::json revoked = running_status();
  revoked["remote_start"]["granted"] = false;
  EXPECT_NE(state_digest(a), state_digest(state_payload("t", revoked, "t4")));
}

TEST(Payloads, session_summary_is_the_last_session_with_device_and_unit) {
  const nlohmann::json s = session_payload("table-1", running_status());
  EXPECT_EQ(s["id"], "s0");
  EXPECT_EQ(s["outcome"], "completed");
  EXPECT_EQ(s["device_id"], "table-1");
  EXPECT_EQ(s["unit"], "deg");
  nlohmann::json none = running_status();
  none["last_session"] = nullptr;
  EXPECT_TRUE(session_payload("t", none).is_null());
}

TEST(Payloads, remote_start_topic_says_granted_or_not) {
  EXPECT_EQ(remote_start_payload(running_status()), "granted");
  nlohmann::json status = running_status();
  status["remote_start"]["granted"] = false;
  EXPECT_EQ(remote_start_payload(status), "not_granted");
  status.erase("remote_start");  // an older daemon
  EXPECT_EQ(remote_start_payload(status), "not_granted");
}

}  // namespace
}  // namespace traction::mqtt
