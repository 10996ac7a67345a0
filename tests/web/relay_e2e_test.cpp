// SPDX-License-Identifier: Apache-2.0
// tractiond-web against a real daemon and simulator, as a page would use it but without a
// browser: Host and Origin checks, the role lowering that the daemon enforces, message size and
// rate bounds, STOP on its own socket, and the HTTP fallback of STOP.
#include <gtest/gtest.h>

#include "tests/web/web_rig.hpp"
#include "tests/web/ws_client.hpp"

namespace traction::web::testing {
namespace {

using namespace std::chrono_literals;

std::string reason_of(const std::optional<nlohmann::json>& reply) {
  if (!reply || !reply->contains("error")) return "(no error)";
  return (*reply)["error"]["data"].value("reason", "");
}

class Relay : public ::testing::Test {
 protected:
  void start(const std::vector<std::string>& web_args) {
    rig_ = std::make_unique<WebRig>("inversion", WebRigOptions{web_args, {}});
    ASSERT_TRUE(rig_->ready()) << rig_->rig().log() << rig_->web_log();
  }
  // A /ws page that has had its panel.hello.
  std::unique_ptr<WsClient> page() {
    auto client = std::make_unique<WsClient>(rig_->port(), "/ws");
    EXPECT_TRUE(client->open()) << "upgrade refused: " << rig_->web_log();
    hello_ = client->wait_for(nullptr, "panel.hello").value_or(nlohmann::json());
    EXPECT_TRUE(hello_.contains("params")) << rig_->web_log();
    return client;
  }

  std::unique_ptr<WebRig> rig_;
  nlohmann::json hello_;
};

TEST_F(Relay, when_loopback_without_users_expect_observer_that_the_daemon_holds_to_it) {
  start({});
  auto client = page();
  EXPECT_EQ(hello_["params"]["role"], "observer");
  EXPECT_EQ(client->call("daemon.info")->at("result")["caller"]["role"], "observer");
  const auto refused = client->call("session.start", {{"program", "quick-check"}});
  EXPECT_EQ(reason_of(refused), "permission_denied");  // the daemon's own refusal
  // A page cannot raise its connection back.
  EXPECT_EQ(reason_of(client->call("connection.lower_role", {{"role", "admin"}})),
            "role_not_lower");
  EXPECT_EQ(rig_->rig().status()["state"], "idle");
}

TEST_F(Relay, when_kiosk_operator_expect_sessions_but_no_reset) {
  start({"--kiosk", "operator"});
  auto client = page();
  EXPECT_EQ(hello_["params"]["role"], "operator");
  EXPECT_TRUE(hello_["params"]["kiosk"].get<bool>());
  const auto started = client->call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started && started->contains("result")) << started.value_or(nlohmann::json()).dump();
  EXPECT_EQ(reason_of(client->call("device.reset")), "permission_denied");
  EXPECT_TRUE(client->call("session.stop")->contains("result"));
}

TEST_F(Relay, when_origin_or_host_foreign_expect_upgrade_refused) {
  start({"--kiosk", "admin"});
  const std::string port = std::to_string(rig_->port());
  EXPECT_EQ(upgrade_status(rig_->port(), "/ws", "http://127.0.0.1:" + port), 101);
  WsClient foreign(rig_->port(), "/ws", "http://attacker.example");
  EXPECT_FALSE(foreign.open());
  EXPECT_EQ(upgrade_status(rig_->port(), "/ws", "http://attacker.example"), 403);
  EXPECT_EQ(upgrade_status(rig_->port(), "/ws/stop", ""), 403);
  // DNS rebinding: the attacker's name for 127.0.0.1, and its own origin to match.
  WsClient rebinding(rig_->port(), "/ws", "", "attacker.example:" + port);
  EXPECT_FALSE(rebinding.open());
  EXPECT_EQ(upgrade_status(rig_->port(), "/ws", "http://attacker.example:" + port,
                           "attacker.example:" + port),
            421);
  const auto post = http_request(rig_->port(), http::verb::post, "/api/estop", "{}",
                                 {{"Origin", "http://attacker.example"}});
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(rig_->rig().status()["state"], "idle");
}

TEST_F(Relay, when_message_over_the_bound_expect_refused_and_nothing_sent) {
  start({"--kiosk", "admin"});
  auto client = page();
  const std::string big =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"program.validate\",\"params\":{"
      "\"definition\":{\"x\":\"" +
      std::string(70000, 'a') + "\"}}}";
  client->send(big);
  // Beast refuses a message over read_message_max by closing with "too big".
  EXPECT_FALSE(client->wait_for(1, "", 3s).has_value());
  EXPECT_FALSE(client->open());
}

TEST_F(Relay, when_page_floods_expect_too_many_requests_but_estop_passes) {
  start({"--kiosk", "admin"});
  auto client = page();
  for (int i = 0; i < 100; ++i) {
    client->send(nlohmann::json{{"jsonrpc", "2.0"}, {"id", 1000 + i}, {"method", "daemon.info"}});
  }
  // The relay's refusals come at once, the daemon's answers when it has read them: in any order.
  int refused = 0;
  int answered = 0;
  while (refused + answered < 100) {
    const auto reply = client->read(10s);
    ASSERT_TRUE(reply) << refused << " refused and " << answered << " answered so far";
    if (!reply->contains("id")) continue;  // a notification
    if (reason_of(reply) == "too_many_requests") {
      ++refused;
    } else {
      ++answered;
    }
  }
  EXPECT_GE(answered, 40);
  EXPECT_GE(refused, 40);
  const auto stop = client->call("device.estop");
  ASSERT_TRUE(stop && stop->contains("result")) << stop.value_or(nlohmann::json()).dump();
  EXPECT_TRUE(e2e::wait_until([&] { return rig_->rig().status()["state"] == "estop"; }, 5s));
}

TEST_F(Relay, when_stop_socket_gets_estop_expect_daemon_in_estop_and_other_methods_refused) {
  start({});
  WsClient stop(rig_->port(), "/ws/stop");
  ASSERT_TRUE(stop.open());
  stop.send(nlohmann::json{{"jsonrpc", "2.0"}, {"id", "s1"}, {"method", "status.get"}});
  EXPECT_EQ(reason_of(stop.wait_for("s1")), "stop_only");
  stop.send(nlohmann::json{{"jsonrpc", "2.0"}, {"id", "s2"}, {"method", "device.estop"}});
  const auto reply = stop.wait_for("s2");
  ASSERT_TRUE(reply && reply->contains("result")) << reply.value_or(nlohmann::json()).dump();
  EXPECT_TRUE(e2e::wait_until([&] { return rig_->rig().status()["state"] == "estop"; }, 5s));
}

TEST_F(Relay, when_stop_socket_silent_past_the_idle_timeout_expect_pings_keep_it_open) {
  start({});
  WsClient stop(rig_->port(), "/ws/stop");
  ASSERT_TRUE(stop.open());
  // 35 s without a message from the page: the panel's pings (answered while reading) keep it.
  EXPECT_FALSE(stop.read(35s).has_value());
  ASSERT_TRUE(stop.open()) << "closed: " << stop.closed_reason();
  stop.send(nlohmann::json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "device.estop"}});
  const auto reply = stop.wait_for(1);
  ASSERT_TRUE(reply && reply->contains("result")) << reply.value_or(nlohmann::json()).dump();
}

TEST_F(Relay, when_estop_over_http_expect_daemon_in_estop) {
  start({});
  const std::string origin = "http://127.0.0.1:" + std::to_string(rig_->port());
  const auto reply =
      http_request(rig_->port(), http::verb::post, "/api/estop", "{}", {{"Origin", origin}});
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(nlohmann::json::parse(reply.body).contains("result")) << reply.body;
  EXPECT_TRUE(e2e::wait_until([&] { return rig_->rig().status()["state"] == "estop"; }, 5s));
}

TEST_F(Relay, when_panel_files_requested_expect_page_chart_and_security_headers) {
  start({});
  const auto page_reply = http_request(rig_->port(), http::verb::get, "/");
  EXPECT_EQ(page_reply.status, 200);
  EXPECT_NE(page_reply.body.find("id=\"stop\""), std::string::npos);
  const auto chart = http_request(rig_->port(), http::verb::get, "/lib/chart.min.js");
  EXPECT_EQ(chart.status, 200);
  EXPECT_NE(chart.body.find("Chart.js v3"), std::string::npos);
  EXPECT_EQ(http_request(rig_->port(), http::verb::get, "/../etc/passwd").status, 404);
  EXPECT_EQ(http_request(rig_->port(), http::verb::get, "/js/").status, 404);
}

TEST_F(Relay, when_daemon_restarts_expect_page_told_and_stop_path_back) {
  start({"--kiosk", "operator"});
  auto client = page();
  rig_->rig().kill_daemon();
  EXPECT_FALSE(client->wait_for(99, "", 5s).has_value());
  EXPECT_FALSE(client->open());
  EXPECT_NE(client->closed_reason().find("tractiond"), std::string::npos)
      << client->closed_reason();
  ASSERT_TRUE(rig_->rig().start_daemon());
  auto again = page();
  EXPECT_EQ(hello_["params"]["role"], "operator");
  WsClient stop(rig_->port(), "/ws/stop");
  ASSERT_TRUE(stop.open());
  stop.send(nlohmann::json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "device.estop"}});
  const auto reply = stop.wait_for(1);
  ASSERT_TRUE(reply && reply->contains("result")) << reply.value_or(nlohmann::json()).dump();
}

}  // namespace
}  // namespace traction::web::testing
