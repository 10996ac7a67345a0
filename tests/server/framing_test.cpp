// SPDX-License-Identifier: Apache-2.0
// Lines on the wire: reassembly, the size cap, garbage, batches and notifications.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

class Framing : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    start();
    rpc_ = connect();
    ASSERT_NE(rpc_, nullptr);
  }
  nlohmann::json next_line() {
    auto line = rpc_->read_line(5000);
    EXPECT_TRUE(line.ok()) << line.status().message();
    return line.ok() ? nlohmann::json::parse(*line, nullptr, false) : nlohmann::json();
  }
  // True when the server closed this connection within the deadline.
  bool closed_by_server() {
    for (;;) {
      auto line = rpc_->read_line(5000);
      if (!line.ok()) return line.status().code() == Errc::link;
    }
  }
  std::unique_ptr<client::RpcClient> rpc_;
};

TEST_F(Framing, request_when_split_across_writes_expect_one_reply) {
  ASSERT_TRUE(rpc_->send_raw(R"({"jsonrpc":"2.0","id":1,"met)").ok());
  // A partial line is not answered (and the wait makes the server read the halves separately).
  auto early = rpc_->read_line(50);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), Errc::timeout);
  ASSERT_TRUE(rpc_->send_raw(R"(hod":"status.get"})"
                             "\n")
                  .ok());
  const auto reply = next_line();
  EXPECT_EQ(reply["id"], 1);
  EXPECT_TRUE(reply.contains("result"));
}

TEST_F(Framing, two_requests_when_in_one_write_expect_two_replies_in_order) {
  ASSERT_TRUE(rpc_->send_raw(R"({"jsonrpc":"2.0","id":1,"method":"status.get"})"
                             "\n"
                             R"({"jsonrpc":"2.0","id":2,"method":"program.list"})"
                             "\n")
                  .ok());
  EXPECT_EQ(next_line()["id"], 1);
  EXPECT_EQ(next_line()["id"], 2);
}

TEST_F(Framing, garbage_when_sent_expect_parse_error_and_connection_kept) {
  ASSERT_TRUE(rpc_->send_raw("this is not json\n").ok());
  const auto error = next_line();
  EXPECT_EQ(error["error"]["code"], -32700);
  EXPECT_TRUE(error["id"].is_null());
  auto after = rpc_->call("status.get", nlohmann::json::object(), 5000);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->error);
}

TEST_F(Framing, invalid_utf8_when_sent_expect_parse_error) {
  ASSERT_TRUE(rpc_->send_raw("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"st\xC3\x28\"}\n").ok());
  EXPECT_EQ(next_line()["error"]["code"], -32700);
}

TEST_F(Framing, batch_when_sent_expect_invalid_request_batch_not_supported) {
  ASSERT_TRUE(rpc_->send_raw(R"([{"jsonrpc":"2.0","id":1,"method":"status.get"}])"
                             "\n")
                  .ok());
  const auto error = next_line();
  EXPECT_EQ(error["error"]["code"], -32600);
  EXPECT_EQ(error["error"]["data"]["reason"], "batch_not_supported");
}

TEST_F(Framing, notification_when_sent_expect_no_reply_but_the_action_done) {
  ASSERT_TRUE(rpc_->send_raw(R"({"jsonrpc":"2.0","method":"device.estop"})"
                             "\n"
                             R"({"jsonrpc":"2.0","id":"after","method":"status.get"})"
                             "\n")
                  .ok());
  EXPECT_EQ(next_line()["id"], "after");  // the first line back answers the second request
  EXPECT_TRUE(wait_until([&] { return port_.commands().size() == 1; }));
  EXPECT_EQ(port_.commands()[0].kind, CommandKind::estop);
}

TEST_F(Framing, line_when_exactly_at_the_cap_expect_it_served) {
  std::string request = R"({"jsonrpc":"2.0","id":1,"method":"status.get"})";
  request.insert(1, config_.max_line_bytes - request.size(), ' ');  // JSON allows the padding
  ASSERT_EQ(request.size(), config_.max_line_bytes);
  ASSERT_TRUE(rpc_->send_raw(request + "\n").ok());
  EXPECT_TRUE(next_line().contains("result"));
}

TEST_F(Framing, line_when_over_the_cap_expect_error_and_close) {
  ASSERT_TRUE(rpc_->send_raw(std::string(config_.max_line_bytes + 1, 'x')).ok());
  const auto error = next_line();
  EXPECT_EQ(error["error"]["code"], -32600);
  EXPECT_EQ(error["error"]["data"]["reason"], "line_too_long");
  EXPECT_TRUE(closed_by_server());
}

TEST_F(Framing, blank_lines_when_sent_expect_ignored) {
  ASSERT_TRUE(rpc_->send_raw("\n\r\n"
                             R"({"jsonrpc":"2.0","id":3,"method":"status.get"})"
                             "\r\n")
                  .ok());
  EXPECT_EQ(next_line()["id"], 3);
}

TEST_F(Framing, eof_when_client_half_closes_expect_pending_reply_still_sent) {
  ASSERT_TRUE(rpc_->send_raw(R"({"jsonrpc":"2.0","id":9,"method":"status.get"})"
                             "\n")
                  .ok());
  ::shutdown(rpc_->native_handle(), SHUT_WR);
  EXPECT_EQ(next_line()["id"], 9);
  EXPECT_TRUE(closed_by_server());
}

class IdleFraming : public Framing {
 protected:
  void configure(ServerConfig& config) override { config.idle_timeout_seconds = 1; }
};

TEST_F(IdleFraming, idle_client_when_timeout_passes_expect_idle_timeout_and_close) {
  const auto started = std::chrono::steady_clock::now();
  const auto error = next_line();
  EXPECT_EQ(error["error"]["data"]["reason"], "idle_timeout");
  EXPECT_TRUE(closed_by_server());
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
}

TEST_F(IdleFraming, slow_writer_when_its_line_takes_longer_than_the_timeout_expect_dropped) {
  // One byte every 300 ms: bytes alone never keep a connection alive, complete requests do.
  const std::string request = R"({"jsonrpc":"2.0","id":1,"method":"status.get"})";
  bool dropped = false;
  for (char byte : request) {
    if (!rpc_->send_raw(std::string(1, byte)).ok()) {
      dropped = true;
      break;
    }
    auto line = rpc_->read_line(300);
    if (line.ok()) {
      EXPECT_EQ(nlohmann::json::parse(*line)["error"]["data"]["reason"], "idle_timeout");
      dropped = true;
      break;
    }
  }
  EXPECT_TRUE(dropped);
}

TEST_F(IdleFraming, subscriber_when_silent_past_the_timeout_expect_kept) {
  auto subscribed = rpc_->call("status.subscribe", {{"rate_hz", 10}, {"events", false}}, 5000);
  ASSERT_TRUE(subscribed.ok() && !subscribed->error);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1800);
  int updates = 0;
  while (std::chrono::steady_clock::now() < until) {
    auto next = rpc_->next_notification(500);
    ASSERT_TRUE(next.ok()) << next.status().message();
    if (*next) ++updates;
  }
  EXPECT_GT(updates, 10);
}

}  // namespace
}  // namespace traction::testing

namespace traction::testing {
namespace {

class Crowded : public ServerFixture {
 protected:
  void configure(ServerConfig& config) override { config.max_connections = 2; }
};

TEST_F(Crowded, connection_over_the_cap_when_it_sends_estop_expect_estop_executed) {
  start();
  auto first = connect();
  auto second = connect();
  ASSERT_TRUE(first && second);
  ASSERT_FALSE(call(*second, "status.get").error);  // both admitted before the third arrives
  auto third = connect();
  ASSERT_TRUE(third);
  const auto r = call(*third, "device.estop");
  EXPECT_FALSE(r.error);
  ASSERT_EQ(port_.commands().size(), 1u);
  EXPECT_EQ(port_.commands()[0].kind, CommandKind::estop);
}

TEST_F(Crowded, connection_over_the_cap_when_it_asks_anything_else_expect_too_many_connections) {
  start();
  auto first = connect();
  auto second = connect();
  ASSERT_TRUE(first && second);
  ASSERT_FALSE(call(*second, "status.get").error);
  auto third = connect();
  ASSERT_TRUE(third);
  const auto r = call(*third, "status.get");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->reason, "too_many_connections");
  EXPECT_EQ(r.error->code, -32050);
  auto after = third->read_line(5000);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), Errc::link);  // closed
}

TEST_F(Crowded, connection_over_the_cap_when_silent_expect_error_within_about_a_second) {
  start();
  auto first = connect();
  auto second = connect();
  ASSERT_TRUE(first && second);
  ASSERT_FALSE(call(*second, "status.get").error);
  auto third = connect();
  ASSERT_TRUE(third);
  auto line = third->read_line(5000);
  ASSERT_TRUE(line.ok()) << line.status().message();
  EXPECT_NE(line->find("too_many_connections"), std::string::npos) << *line;
}

}  // namespace
}  // namespace traction::testing
