// SPDX-License-Identifier: Apache-2.0
// What the command topic may ask for: estop, pause, resume, stop and start; nothing else.
#include "mqtt/command_filter.hpp"

#include <gtest/gtest.h>

namespace traction::mqtt {
namespace {

Refusal refused(std::string_view payload) {
  auto filtered = filter_command(payload);
  EXPECT_TRUE(std::holds_alternative<Refusal>(filtered)) << payload;
  return std::holds_alternative<Refusal>(filtered) ? std::get<Refusal>(filtered) : Refusal{};
}

Command forwarded(std::string_view payload) {
  auto filtered = filter_command(payload);
  EXPECT_TRUE(std::holds_alternative<Command>(filtered))
      << payload << ": " << std::get_if<Refusal>(&filtered)->message;
  return std::holds_alternative<Command>(filtered) ? std::get<Command>(filtered) : Command{};
}

TEST(CommandFilter, when_an_allowed_method_expect_forwarded_with_its_id) {
  const Command estop = forwarded(R"({"id": 7, "method": "device.estop"})");
  EXPECT_EQ(estop.id, 7);
  EXPECT_TRUE(estop.estop());
  for (const char* m : {"session.pause", "session.resume", "session.stop"}) {
    EXPECT_EQ(forwarded(R"({"id": "a", "method": ")" + std::string(m) + R"("})").method, m);
  }
  const Command start =
      forwarded(R"({"id": "s", "method": "session.start", "params": {"program": "quick-check",
                    "profile": "alice"}})");
  EXPECT_EQ(start.params["program"], "quick-check");
  EXPECT_FALSE(start.estop());
}

TEST(CommandFilter, when_any_other_method_expect_method_not_allowed_with_the_list) {
  for (const char* m : {"device.reset", "remote_start.allow", "connection.lower_role", "status.get",
                        "history.list", "session.feedback"}) {
    const Refusal r = refused(R"({"id": 1, "method": ")" + std::string(m) + R"("})");
    EXPECT_EQ(r.reason, "method_not_allowed") << m;
    EXPECT_NE(r.message.find("device.estop"), std::string::npos);
    EXPECT_EQ(r.id, 1);
  }
}

TEST(CommandFilter, when_start_has_an_inline_definition_or_no_program_expect_refused) {
  EXPECT_EQ(refused(R"({"method": "session.start", "params": {"definition": {}}})").reason,
            "invalid_command");
  EXPECT_EQ(refused(R"({"method": "session.start"})").reason, "invalid_command");
  EXPECT_EQ(refused(R"({"method": "session.start", "params": {"program": 3}})").reason,
            "invalid_command");
  EXPECT_EQ(refused(R"({"method": "session.stop", "params": {"x": 1}})").reason, "invalid_command");
}

TEST(CommandFilter, when_not_a_command_object_expect_invalid_command) {
  EXPECT_EQ(refused("not json").reason, "invalid_command");
  EXPECT_EQ(refused("[1]").reason, "invalid_command");
  EXPECT_EQ(refused(R"({"id": 2, "method": 5})").id, 2);
}

TEST(CommandFilter, replies_mirror_json_rpc_with_the_commands_id) {
  const nlohmann::json r = refusal_reply(Refusal{"x", "method_not_allowed", "no"});
  EXPECT_EQ(r["id"], "x");
  EXPECT_EQ(r["error"]["code"], -32601);
  EXPECT_EQ(r["error"]["data"]["reason"], "method_not_allowed");
  const nlohmann::json ok =
      daemon_reply(4, {{"jsonrpc", "2.0"}, {"id", "command"}, {"result", {}}});
  EXPECT_EQ(ok["id"], 4);
  EXPECT_TRUE(ok.contains("result"));
  const nlohmann::json err = daemon_reply(4, {{"error", {{"code", -32017}}}});
  EXPECT_EQ(err["error"]["code"], -32017);
}

}  // namespace
}  // namespace traction::mqtt
