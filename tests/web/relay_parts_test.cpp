// SPDX-License-Identifier: Apache-2.0
// The relay's pure parts: page message checks and size bounds, listen addresses and the rules
// they imply, logins and cookies.
#include <gtest/gtest.h>

#include "web/listen_address.hpp"
#include "web/login_sessions.hpp"
#include "web/page_message.hpp"
#include "web/web_config.hpp"

namespace traction::web {
namespace {

using namespace std::chrono_literals;

nlohmann::json reply_of(const PageCheck& check) {
  return nlohmann::json::parse(check.refusal->reply);
}

TEST(PageMessage, when_request_expect_one_line_for_the_daemon) {
  const auto check =
      check_page_message("{\"jsonrpc\":\"2.0\",\n \"id\": 7,\n \"method\":\"status.get\"}", 65536);
  ASSERT_TRUE(check.call);
  EXPECT_EQ(check.call->method, "status.get");
  EXPECT_EQ(check.call->id, 7);
  EXPECT_FALSE(check.call->notification);
  EXPECT_EQ(check.call->line.find('\n'), std::string::npos);
}

TEST(PageMessage, when_over_the_size_bound_expect_line_too_long_before_parsing) {
  const std::string big =
      "{\"method\":\"x\",\"params\":{\"p\":\"" + std::string(70000, 'a') + "\"}}";
  const auto check = check_page_message(big, 65536);
  ASSERT_TRUE(check.refusal);
  EXPECT_EQ(reply_of(check)["error"]["data"]["reason"], "line_too_long");
  EXPECT_TRUE(check_page_message(big, 80000).call);
}

TEST(PageMessage, when_not_a_request_expect_json_rpc_errors) {
  EXPECT_EQ(reply_of(check_page_message("not json", 100))["error"]["code"], -32700);
  EXPECT_EQ(reply_of(check_page_message("[1,2]", 100))["error"]["code"], -32600);
  EXPECT_EQ(reply_of(check_page_message("{\"id\":1}", 100))["id"], 1);
  EXPECT_EQ(reply_of(check_page_message("{\"id\":[1],\"method\":\"a\"}", 100))["error"]["code"],
            -32600);
}

TEST(PageMessage, when_no_id_expect_notification) {
  const auto check = check_page_message("{\"jsonrpc\":\"2.0\",\"method\":\"device.estop\"}", 100);
  ASSERT_TRUE(check.call);
  EXPECT_TRUE(check.call->notification);
}

TEST(ListenAddress, when_forms_expect_host_and_port) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:8480")->port, 8480);
  EXPECT_EQ(parse_listen_address("[::1]:0")->host, "::1");
  EXPECT_EQ(parse_listen_address("localhost:1")->host, "127.0.0.1");
  EXPECT_FALSE(parse_listen_address("bench.local:8480").ok());
  EXPECT_FALSE(parse_listen_address("127.0.0.1").ok());
  EXPECT_FALSE(parse_listen_address("127.0.0.1:70000").ok());
  EXPECT_FALSE(parse_listen_address("::1:8480").ok());
}

TEST(ListenAddress, when_loopback_expect_true_only_for_this_machine) {
  EXPECT_TRUE(is_loopback(*parse_listen_address("127.0.0.1:1")));
  EXPECT_TRUE(is_loopback(*parse_listen_address("127.4.5.6:1")));
  EXPECT_TRUE(is_loopback(*parse_listen_address("[::1]:1")));
  EXPECT_TRUE(is_loopback(*parse_listen_address("[::ffff:127.0.0.1]:1")));
  EXPECT_FALSE(is_loopback(*parse_listen_address("0.0.0.0:1")));
  EXPECT_FALSE(is_loopback(*parse_listen_address("[::]:1")));
  EXPECT_FALSE(is_loopback(*parse_listen_address("192.168.1.2:1")));
}

TEST(WebConfigRules, when_kiosk_off_loopback_expect_refused) {
  WebConfig config;
  config.listen = "0.0.0.0:8480";
  config.kiosk_role = "operator";
  config.users_file = "/etc/tractiond/web-users";
  const Status st = finish_web_config(config);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("loopback"), std::string::npos);
}

TEST(WebConfigRules, when_other_address_without_users_expect_refused) {
  WebConfig config;
  config.listen = "192.168.1.2:8480";
  EXPECT_FALSE(finish_web_config(config).ok());
  config.users_file = "/etc/tractiond/web-users";
  EXPECT_TRUE(finish_web_config(config).ok());
  EXPECT_FALSE(anonymous_role(config).has_value());
}

TEST(WebConfigRules, when_loopback_expect_observer_without_login_or_the_kiosk_role) {
  WebConfig config;
  ASSERT_TRUE(finish_web_config(config).ok());
  EXPECT_EQ(anonymous_role(config), "observer");
  config.kiosk_role = "admin";
  EXPECT_EQ(anonymous_role(config), "admin");
  config.kiosk_role = "";
  config.users_file = "users";
  EXPECT_FALSE(anonymous_role(config).has_value());
}

TEST(WebConfigRules, when_certificate_without_key_expect_refused) {
  WebConfig config;
  config.tls_certificate = "cert.pem";
  EXPECT_FALSE(finish_web_config(config).ok());
}

TEST(LoginSessions, when_idle_too_long_expect_logged_out) {
  LoginSessions logins(1h);
  const LoginSessions::Clock::time_point t0{};
  const std::string token = logins.create({"therapist", "operator"}, t0);
  EXPECT_EQ(token.size(), 64U);
  EXPECT_EQ(logins.find(token, t0 + 59min)->user, "therapist");
  EXPECT_TRUE(logins.find(token, t0 + 118min).has_value());  // each use refreshes it
  EXPECT_FALSE(logins.find(token, t0 + 179min).has_value());
  EXPECT_EQ(logins.size(), 0U);
}

TEST(LoginSessions, when_removed_or_unknown_expect_nothing) {
  LoginSessions logins(1h);
  const LoginSessions::Clock::time_point t0{};
  const std::string token = logins.create({"a", "admin"}, t0);
  EXPECT_FALSE(logins.find("", t0).has_value());
  EXPECT_FALSE(logins.find(std::string(64, '0'), t0).has_value());
  logins.remove(token);
  EXPECT_FALSE(logins.find(token, t0).has_value());
}

TEST(Cookies, when_header_has_several_expect_the_named_one) {
  EXPECT_EQ(cookie_value("a=1; tractiond_session=abc; b=2", "tractiond_session"), "abc");
  EXPECT_EQ(cookie_value("tractiond_session=x", "tractiond_session"), "x");
  EXPECT_EQ(cookie_value("xtractiond_session=x", "tractiond_session"), "");
  EXPECT_EQ(cookie_value("", "tractiond_session"), "");
}

}  // namespace
}  // namespace traction::web
