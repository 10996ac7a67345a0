// SPDX-License-Identifier: Apache-2.0
// RemoteStartGrant on a simulated clock: the grant lasts its minutes and no longer, and every
// event that says "stop" ends it; events from before the grant, and harmless ones, do not.
#include "daemon/server/remote_start_grant.hpp"

#include <gtest/gtest.h>

namespace traction {
namespace {

using namespace std::chrono_literals;

class Grant : public ::testing::Test {
 protected:
  // An arbitrary start on both clocks: 2026-01-01T00:00:00Z on the wall clock.
  const RemoteStartGrant::SteadyTime t0 = RemoteStartGrant::SteadyTime{} + 1000s;
  const RemoteStartGrant::WallTime wall0 = RemoteStartGrant::WallTime{} + 1767225600s;

  static Event event(std::uint64_t seq, EventKind kind) {
    Event e;
    e.seq = seq;
    e.kind = kind;
    return e;
  }

  RemoteStartGrant grant;
};

TEST_F(Grant, when_never_allowed_expect_not_granted) {
  EXPECT_FALSE(grant.granted(t0));
  const auto json = grant.to_json(t0);
  EXPECT_EQ(json["granted"], false);
  EXPECT_TRUE(json["until_utc"].is_null());
  EXPECT_TRUE(json["ended_reason"].is_null());
}

TEST_F(Grant, when_allowed_for_five_minutes_expect_granted_until_then_and_expired_after) {
  grant.allow(t0, wall0, 5min, 10);
  EXPECT_TRUE(grant.granted(t0 + 299s));
  const auto json = grant.to_json(t0 + 60s);
  EXPECT_EQ(json["granted"], true);
  EXPECT_EQ(json["seconds_left"], 240.0);
  EXPECT_EQ(json["until_utc"], "2026-01-01T00:05:00.000Z");
  EXPECT_FALSE(grant.granted(t0 + 300s));
  EXPECT_EQ(grant.to_json(t0 + 301s)["ended_reason"], "expired");
}

TEST_F(Grant, when_an_event_ends_it_expect_revoked_with_the_reason) {
  const std::vector<std::pair<EventKind, std::string>> enders{
      {EventKind::session_ended, "a session ended"},
      {EventKind::estop, "emergency stop"},
      {EventKind::fault, "fault"},
      {EventKind::stop_switch, "the stop switch"},
      {EventKind::device_lost, "the device was lost"}};
  for (const auto& [kind, why] : enders) {
    grant.allow(t0, wall0, 5min, 10);
    grant.observe({event(11, EventKind::phase_changed), event(12, kind)});
    EXPECT_FALSE(grant.granted(t0 + 1s)) << why;
    EXPECT_EQ(grant.to_json(t0 + 1s)["ended_reason"], why);
  }
}

TEST_F(Grant, when_harmless_or_older_events_arrive_expect_still_granted) {
  grant.allow(t0, wall0, 5min, 10);
  // An estop and a session end from before the grant (seq <= 10) do not count.
  grant.observe({event(9, EventKind::estop), event(10, EventKind::session_ended),
                 event(11, EventKind::session_started), event(12, EventKind::phase_changed),
                 event(13, EventKind::state_changed)});
  EXPECT_TRUE(grant.granted(t0 + 1s));
  EXPECT_EQ(grant.event_cursor(), 13U);
}

TEST_F(Grant, when_events_were_missed_expect_revoked) {
  grant.allow(t0, wall0, 5min, 10);
  grant.observe({event(15, EventKind::phase_changed)});  // 11 to 14 fell out of the backlog
  EXPECT_FALSE(grant.granted(t0 + 1s));
  EXPECT_EQ(grant.to_json(t0 + 1s)["ended_reason"], "daemon events were missed");
}

TEST_F(Grant, when_revoked_then_allowed_again_expect_a_fresh_grant) {
  grant.allow(t0, wall0, 5min, 10);
  grant.revoke("revoked by uid=1000");
  EXPECT_FALSE(grant.granted(t0));
  EXPECT_EQ(grant.to_json(t0)["ended_reason"], "revoked by uid=1000");
  grant.allow(t0 + 10s, wall0 + 10s, 1min, 20);
  EXPECT_TRUE(grant.granted(t0 + 69s));
  EXPECT_TRUE(grant.to_json(t0 + 11s)["ended_reason"].is_null());
  EXPECT_FALSE(grant.granted(t0 + 70s));
}

}  // namespace
}  // namespace traction
