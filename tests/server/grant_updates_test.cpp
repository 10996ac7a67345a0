// SPDX-License-Identifier: Apache-2.0
// A change of the remote start grant goes out to status subscribers at once, not a status.update
// period later: granted, ended by an event, expired.
#include <gtest/gtest.h>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Well under the subscription periods used here (1 s; 667 ms).
constexpr auto kPrompt = 200ms;

class GrantUpdates : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    start();
    subscriber_ = connect();
    local_ = connect();
    ASSERT_NE(subscriber_, nullptr);
    ASSERT_NE(local_, nullptr);
  }
  void subscribe(double rate_hz) {
    ASSERT_FALSE(
        call(*subscriber_, "status.subscribe", {{"rate_hz", rate_hz}, {"events", false}}).error);
  }
  // The next status.update whose grant is `granted` (others are skipped); null after 5 s.
  nlohmann::json update_with(bool granted) {
    const auto deadline = SteadyClock::now() + 5s;
    while (SteadyClock::now() < deadline) {
      auto n = subscriber_->next_notification(100);
      if (!n.ok()) break;
      if (!*n || (**n)["method"] != "status.update") continue;
      const nlohmann::json status = (**n)["params"]["status"];
      if (status["remote_start"]["granted"] == granted) return status;
    }
    return nullptr;
  }
  static double ms_since(SteadyClock::time_point t) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
  }

  std::unique_ptr<client::RpcClient> subscriber_;
  std::unique_ptr<client::RpcClient> local_;
};

TEST_F(GrantUpdates, when_granted_expect_a_status_update_at_once) {
  subscribe(1);
  ASSERT_FALSE(update_with(false).is_null());  // the first update, at once on subscribing
  const auto asked = SteadyClock::now();
  ASSERT_FALSE(call(*local_, "remote_start.allow", {{"minutes", 5}}).error);
  const auto status = update_with(true);
  ASSERT_FALSE(status.is_null());
  EXPECT_LT(ms_since(asked), kPrompt.count());
  EXPECT_EQ(status["remote_start"]["seconds_left"], 300.0);
}

TEST_F(GrantUpdates, when_an_estop_ends_the_grant_expect_a_status_update_at_once) {
  subscribe(1);
  ASSERT_FALSE(call(*local_, "remote_start.allow", {{"minutes", 5}}).error);
  ASSERT_FALSE(update_with(true).is_null());
  Event estop;
  estop.kind = EventKind::estop;
  const auto happened = SteadyClock::now();
  port_.publish_event(estop);
  const auto status = update_with(false);
  ASSERT_FALSE(status.is_null());
  EXPECT_LT(ms_since(happened), kPrompt.count());
  EXPECT_EQ(status["remote_start"]["ended_reason"], "emergency stop");
}

TEST_F(GrantUpdates, when_revoked_expect_a_status_update_at_once) {
  subscribe(1);
  ASSERT_FALSE(call(*local_, "remote_start.allow", {{"minutes", 5}}).error);
  ASSERT_FALSE(update_with(true).is_null());
  const auto asked = SteadyClock::now();
  ASSERT_FALSE(call(*local_, "remote_start.revoke").error);
  ASSERT_FALSE(update_with(false).is_null());
  EXPECT_LT(ms_since(asked), kPrompt.count());
}

TEST_F(GrantUpdates, when_the_grant_expires_expect_a_status_update_at_once) {
  // At 1.5 Hz the periodic updates after the grant fall 2.67 s and 3.33 s after it, and the
  // grant expires at 3 s: only an update pushed at the expiry comes within kPrompt of it.
  subscribe(1.5);
  const auto asked = SteadyClock::now();
  ASSERT_FALSE(call(*local_, "remote_start.allow", {{"minutes", 0.05}}).error);  // 3 s
  ASSERT_FALSE(update_with(true).is_null());
  const auto status = update_with(false);
  ASSERT_FALSE(status.is_null());
  const double late_ms = ms_since(asked) - 3000.0;
  EXPECT_GE(late_ms, 0.0);
  EXPECT_LT(late_ms, kPrompt.count());
  EXPECT_EQ(status["remote_start"]["ended_reason"], "expired");
}

}  // namespace
}  // namespace traction::testing
