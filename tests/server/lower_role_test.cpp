// SPDX-License-Identifier: Apache-2.0
// connection.lower_role through a real socket: a connection's role goes down, never up, and the
// dispatcher then holds the connection to the lower role.
#include <gtest/gtest.h>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

class LowerRole : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    start();
    rpc_ = connect();  // the daemon's own uid: admin
    ASSERT_NE(rpc_, nullptr);
  }
  client::Response call(const std::string& method,
                        const nlohmann::json& params = nlohmann::json::object()) {
    return ServerFixture::call(*rpc_, method, params);
  }
  std::string role_now() { return call("daemon.info").result["caller"].value("role", ""); }

  std::unique_ptr<client::RpcClient> rpc_;
};

TEST_F(LowerRole, when_lowered_to_operator_expect_reset_denied_and_start_allowed) {
  const auto lowered = call("connection.lower_role", {{"role", "operator"}});
  ASSERT_FALSE(lowered.error) << lowered.error->message;
  EXPECT_EQ(lowered.result["role"], "operator");
  EXPECT_EQ(lowered.result["previous_role"], "admin");
  EXPECT_EQ(role_now(), "operator");
  const auto reset = call("device.reset");
  ASSERT_TRUE(reset.error);
  EXPECT_EQ(reset.error->reason, "permission_denied");
  EXPECT_FALSE(call("session.stop").error);
}

TEST_F(LowerRole, when_asked_to_raise_expect_role_not_lower_and_role_kept) {
  ASSERT_FALSE(call("connection.lower_role", {{"role", "observer"}}).error);
  const auto raised = call("connection.lower_role", {{"role", "admin"}});
  ASSERT_TRUE(raised.error);
  EXPECT_EQ(raised.error->reason, "role_not_lower");
  EXPECT_EQ(raised.error->code, -32053);
  EXPECT_EQ(raised.error->data["role"], "observer");
  EXPECT_EQ(role_now(), "observer");
}

TEST_F(LowerRole, when_role_unknown_expect_invalid_params_with_hint) {
  const auto r = call("connection.lower_role", {{"role", "operater"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->reason, "invalid_params");
  EXPECT_EQ(r.error->data["param"], "role");
  EXPECT_NE(r.error->message.find("did you mean \"operator\""), std::string::npos);
  EXPECT_EQ(role_now(), "admin");
}

TEST_F(LowerRole, when_lowered_to_none_expect_estop_still_served) {
  ASSERT_FALSE(call("connection.lower_role", {{"role", "none"}}).error);
  EXPECT_EQ(call("status.get").error->reason, "permission_denied");
  EXPECT_FALSE(call("device.estop").error);
  EXPECT_TRUE(wait_until([&] {
    const auto commands = port_.commands();
    return !commands.empty() && commands.back().kind == CommandKind::estop;
  }));
}

TEST_F(LowerRole, when_lowered_expect_other_connections_keep_their_role) {
  ASSERT_FALSE(call("connection.lower_role", {{"role", "observer"}}).error);
  auto other = connect();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(ServerFixture::call(*other, "daemon.info").result["caller"]["role"], "admin");
}

}  // namespace
}  // namespace traction::testing
