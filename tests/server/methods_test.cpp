// SPDX-License-Identifier: Apache-2.0
// Every method of the table through a real socket: its success and its errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

class Methods : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    start();
    rpc_ = connect();
    ASSERT_NE(rpc_, nullptr);
  }
  client::Response call(const std::string& method,
                        const nlohmann::json& params = nlohmann::json::object()) {
    return ServerFixture::call(*rpc_, method, params);
  }
  std::string reason_of(const client::Response& r) {
    return r.error ? r.error->reason : "(no error)";
  }

  std::unique_ptr<client::RpcClient> rpc_;
};

TEST_F(Methods, daemon_info_when_called_expect_port_info_protocol_and_caller) {
  const auto r = call("daemon.info");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.result["version"], "test");
  EXPECT_EQ(r.result["protocol"]["version"], "1.0");
  EXPECT_EQ(r.result["protocol"]["max_line_bytes"], 65536);
  EXPECT_EQ(r.result["caller"]["pid"], getpid());
  EXPECT_EQ(r.result["caller"]["role"], "admin");  // the daemon's own uid
}

TEST_F(Methods, rpc_describe_when_called_expect_every_method_with_role_and_params) {
  const auto r = call("rpc.describe");
  ASSERT_FALSE(r.error);
  std::map<std::string, nlohmann::json> methods;
  for (const auto& m : r.result["methods"]) methods[m["name"]] = m;
  for (const char* name :
       {"daemon.info", "rpc.describe", "status.get", "status.subscribe", "status.unsubscribe",
        "program.list", "program.get", "program.validate", "session.start", "session.pause",
        "session.resume", "session.stop", "device.estop", "device.reset", "profile.list",
        "profile.get", "limits.get"}) {
    EXPECT_TRUE(methods.count(name)) << name;
  }
  EXPECT_EQ(methods["device.estop"]["role"], "none");
  EXPECT_EQ(methods["device.reset"]["role"], "admin");
  EXPECT_EQ(methods["session.start"]["role"], "operator");
  EXPECT_EQ(methods["status.subscribe"]["params"][0]["max"], 50.0);
  EXPECT_EQ(r.result["notifications"].size(), 2u);
}

TEST_F(Methods, status_get_when_idle_expect_every_documented_field) {
  StatusSnapshot snapshot;
  snapshot.state = DaemonState::idle;
  snapshot.device.actual = 1.5;
  snapshot.device.available = true;
  snapshot.device.stop_connected = true;
  snapshot.cycles = 42;
  port_.publish(snapshot);
  const auto r = call("status.get");
  ASSERT_FALSE(r.error);
  const auto& s = r.result;
  EXPECT_EQ(s["state"], "idle");
  for (const char* key : {"kind", "unit", "angle_deg", "velocity", "stop_pressed", "stop_connected",
                          "drive", "fault_code", "available", "fresh"}) {
    EXPECT_TRUE(s["device"].contains(key)) << key;
  }
  EXPECT_EQ(s["device"]["angle_deg"], 1.5);
  EXPECT_TRUE(s["session"].is_null());
  EXPECT_TRUE(s["last_session"].is_null());
  EXPECT_TRUE(s["fault"].is_null());
  EXPECT_EQ(s["loop"]["cycles"], 42);
  EXPECT_TRUE(s.contains("setpoint"));
}

TEST_F(Methods, program_list_when_called_expect_catalog_under_programs) {
  const auto r = call("program.list");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.result["programs"][0]["name"], "quick-check");
}

TEST_F(Methods, program_get_when_known_expect_definition) {
  const auto r = call("program.get", {{"name", "quick-check"}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.result["name"], "quick-check");
}

TEST_F(Methods, program_get_when_unknown_expect_unknown_program) {
  const auto r = call("program.get", {{"name", "nope"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32010);
  EXPECT_EQ(reason_of(r), "unknown_program");
}

TEST_F(Methods, program_get_when_name_missing_expect_invalid_params) {
  const auto r = call("program.get");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32602);
  EXPECT_EQ(r.error->data["param"], "name");
}

TEST_F(Methods, program_validate_when_valid_expect_plan) {
  const auto r = call("program.validate", {{"program", "quick-check"}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.result["valid"], true);
  EXPECT_EQ(r.result["plan"]["program"], "quick-check");
  EXPECT_TRUE(port_.commands().empty());  // nothing moves
}

TEST_F(Methods, program_validate_when_past_limits_expect_limit_exceeded_with_every_violation) {
  const auto r = call("program.validate", {{"program", "too-far"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32001);
  EXPECT_EQ(reason_of(r), "limit_exceeded");
  EXPECT_EQ(r.error->data["violations"].size(), 2u);
}

TEST_F(Methods, program_validate_when_definition_is_broken_expect_invalid_program) {
  const auto r = call("program.validate", {{"definition", {{"name", "x"}}}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(reason_of(r), "invalid_program");
}

TEST_F(Methods, program_validate_when_profile_unknown_expect_unknown_profile) {
  const auto r = call("program.validate", {{"program", "quick-check"}, {"profile", "ghost"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(reason_of(r), "unknown_profile");
}

TEST_F(Methods, program_validate_when_both_program_and_definition_expect_invalid_params) {
  const auto r = call("program.validate",
                      {{"program", "quick-check"}, {"definition", nlohmann::json::object()}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32602);
}

TEST_F(Methods, session_start_when_valid_expect_start_command_with_requester) {
  port_.set_reply(CommandKind::start, CommandReply{std::nullopt, {{"id", "s-1"}}});
  const auto r = call("session.start", {{"program", "quick-check"}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.result["id"], "s-1");
  const auto commands = port_.commands();
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].kind, CommandKind::start);
  EXPECT_EQ(commands[0].program, "quick-check");
  EXPECT_EQ(commands[0].requested_by,
            "uid=" + std::to_string(getuid()) + " pid=" + std::to_string(getpid()));
}

TEST_F(Methods, session_start_when_invalid_expect_error_and_no_command) {
  const auto r = call("session.start", {{"program", "too-far"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(reason_of(r), "limit_exceeded");
  EXPECT_TRUE(port_.commands().empty());
}

TEST_F(Methods, session_start_when_control_refuses_expect_its_reason) {
  port_.set_reply(CommandKind::start,
                  CommandReply{ApiError{reason::kSessionActive, "a session is running"}, {}});
  const auto r = call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32002);
  EXPECT_EQ(reason_of(r), "session_active");
}

TEST_F(Methods, session_commands_when_called_expect_one_command_each_in_order) {
  for (const char* method :
       {"session.pause", "session.resume", "session.stop", "device.estop", "device.reset"}) {
    const auto r = call(method);
    EXPECT_FALSE(r.error) << method;
  }
  const auto commands = port_.commands();
  ASSERT_EQ(commands.size(), 5u);
  EXPECT_EQ(commands[0].kind, CommandKind::pause);
  EXPECT_EQ(commands[1].kind, CommandKind::resume);
  EXPECT_EQ(commands[2].kind, CommandKind::stop);
  EXPECT_EQ(commands[3].kind, CommandKind::estop);
  EXPECT_EQ(commands[4].kind, CommandKind::reset);
}

TEST_F(Methods, session_stop_when_no_session_expect_no_session) {
  port_.set_reply(CommandKind::stop,
                  CommandReply{ApiError{reason::kNoSession, "nothing runs"}, {}});
  const auto r = call("session.stop");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32003);
}

TEST_F(Methods, device_reset_when_not_at_rest_expect_not_at_rest) {
  port_.set_reply(CommandKind::reset,
                  CommandReply{ApiError{reason::kNotAtRest, "still moving"}, {}});
  const auto r = call("device.reset");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(reason_of(r), "not_at_rest");
}

TEST_F(Methods, profile_list_and_get_when_known_expect_catalog) {
  EXPECT_EQ(call("profile.list").result["profiles"][0]["name"], "beginner");
  EXPECT_EQ(call("profile.get", {{"name", "beginner"}}).result["name"], "beginner");
}

TEST_F(Methods, profile_get_when_unknown_expect_unknown_profile) {
  const auto r = call("profile.get", {{"name", "ghost"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32011);
}

TEST_F(Methods, limits_get_when_profile_given_expect_its_limits) {
  const auto r = call("limits.get", {{"profile", "beginner"}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.result["profile"], "beginner");
}

TEST_F(Methods, limits_get_when_profile_unknown_expect_unknown_profile) {
  const auto r = call("limits.get", {{"profile", "ghost"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(reason_of(r), "unknown_profile");
}

TEST_F(Methods, unknown_method_when_close_to_a_real_one_expect_hint) {
  const auto r = call("status.gte");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32601);
  EXPECT_NE(r.error->message.find("status.get"), std::string::npos) << r.error->message;
}

TEST_F(Methods, params_when_unknown_name_expect_invalid_params_with_hint) {
  const auto r = call("limits.get", {{"profil", "beginner"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32602);
  EXPECT_NE(r.error->message.find("did you mean \"profile\""), std::string::npos)
      << r.error->message;
}

TEST_F(Methods, params_when_wrong_type_expect_invalid_params) {
  const auto r = call("program.get", {{"name", 3}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32602);
}

TEST_F(Methods, pending_commands_when_over_the_cap_expect_too_many_requests_but_estop_passes) {
  port_.hold(true);
  for (std::size_t i = 0; i < config_.max_pending_commands; ++i) {
    ASSERT_TRUE(rpc_->send_raw(R"({"jsonrpc":"2.0","id":)" + std::to_string(100 + i) +
                               R"(,"method":"session.stop"})"
                               "\n")
                    .ok());
  }
  const auto refused = call("session.pause");
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(reason_of(refused), "too_many_requests");
  ASSERT_TRUE(rpc_->send_raw(R"({"jsonrpc":"2.0","id":"e","method":"device.estop"})"
                             "\n")
                  .ok());
  EXPECT_TRUE(wait_until([&] {
    const auto commands = port_.commands();
    return !commands.empty() && commands.back().kind == CommandKind::estop;
  }));
  port_.hold(false);
}

TEST_F(Methods, transcript_when_recording_expect_request_and_response_pairs) {
  std::vector<client::TranscriptEntry> transcript;
  rpc_->record_to(&transcript);
  call("program.get", {{"name", "nope"}});
  ASSERT_EQ(transcript.size(), 1u);
  EXPECT_NE(transcript[0].request.find("\"program.get\""), std::string::npos);
  EXPECT_NE(transcript[0].response.find("unknown_program"), std::string::npos);
}

}  // namespace
}  // namespace traction::testing
