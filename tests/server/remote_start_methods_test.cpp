// SPDX-License-Identifier: Apache-2.0
// Remote start through a real socket: a connection marked remote stays remote, starts a session
// only while a grant made on a local connection lasts, can never grant one itself, and an estop
// event ends the grant for everyone.
#include <gtest/gtest.h>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

class RemoteStart : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    start();
    local_ = connect();
    remote_ = connect();
    ASSERT_NE(local_, nullptr);
    ASSERT_NE(remote_, nullptr);
    const auto marked = call(*remote_, "connection.mark_remote");
    ASSERT_FALSE(marked.error);
    EXPECT_EQ(marked.result["remote"], true);
  }
  client::Response start_remote() {
    return call(*remote_, "session.start", {{"program", "quick-check"}});
  }
  std::size_t starts() {
    std::size_t n = 0;
    for (const auto& c : port_.commands()) n += c.kind == CommandKind::start ? 1 : 0;
    return n;
  }

  std::unique_ptr<client::RpcClient> local_;
  std::unique_ptr<client::RpcClient> remote_;
};

TEST_F(RemoteStart, when_not_granted_expect_remote_start_refused_with_the_reason) {
  const auto refused = start_remote();
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->reason, "remote_start_not_granted");
  EXPECT_EQ(refused.error->code, -32017);
  EXPECT_EQ(refused.error->data["remote_start"]["granted"], false);
  EXPECT_EQ(starts(), 0U);
  // A local connection is not held to the grant.
  EXPECT_FALSE(call(*local_, "session.start", {{"program", "quick-check"}}).error);
}

TEST_F(RemoteStart, when_granted_locally_expect_remote_start_accepted_and_status_shows_it) {
  const auto allowed = call(*local_, "remote_start.allow", {{"minutes", 5}});
  ASSERT_FALSE(allowed.error) << allowed.error->message;
  EXPECT_EQ(allowed.result["granted"], true);
  EXPECT_EQ(allowed.result["seconds_left"], 300.0);
  const auto status = call(*remote_, "status.get");
  EXPECT_EQ(status.result["remote_start"]["granted"], true);
  EXPECT_FALSE(start_remote().error);
  EXPECT_TRUE(wait_until([&] { return starts() == 1; }));
}

TEST_F(RemoteStart, when_a_remote_connection_asks_to_grant_expect_refused) {
  const auto refused = call(*remote_, "remote_start.allow", {{"minutes", 5}});
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->reason, "remote_connection");
  EXPECT_EQ(call(*local_, "status.get").result["remote_start"]["granted"], false);
  // Marking again changes nothing; there is no way back.
  EXPECT_FALSE(call(*remote_, "connection.mark_remote").error);
  EXPECT_TRUE(call(*remote_, "remote_start.allow", {{"minutes", 5}}).error);
}

TEST_F(RemoteStart, when_an_estop_event_follows_the_grant_expect_remote_start_refused) {
  ASSERT_FALSE(call(*local_, "remote_start.allow", {{"minutes", 5}}).error);
  Event estop;
  estop.kind = EventKind::estop;
  port_.publish_event(estop);
  const auto refused = start_remote();
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->reason, "remote_start_not_granted");
  EXPECT_EQ(refused.error->data["remote_start"]["ended_reason"], "emergency stop");
}

TEST_F(RemoteStart, when_revoked_expect_remote_start_refused) {
  ASSERT_FALSE(call(*local_, "remote_start.allow", {{"minutes", 5}}).error);
  const auto revoked = call(*remote_, "remote_start.revoke");  // revoking is allowed anywhere
  ASSERT_FALSE(revoked.error);
  EXPECT_EQ(revoked.result["was_granted"], true);
  EXPECT_EQ(revoked.result["granted"], false);
  EXPECT_TRUE(start_remote().error);
}

}  // namespace
}  // namespace traction::testing
