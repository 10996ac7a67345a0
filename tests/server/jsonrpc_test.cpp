// SPDX-License-Identifier: Apache-2.0
// The codec alone: what each line decodes to, and how replies are encoded.
#include "daemon/server/jsonrpc.hpp"

#include <gtest/gtest.h>

namespace traction::rpc {
namespace {

TEST(Utf8, when_text_is_ascii_or_multibyte_expect_valid) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("20\xC2\xB0 head-down \xE2\x80\x94 ok \xF0\x9F\x98\x80"));
}

TEST(Utf8, when_bytes_are_malformed_expect_invalid) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));              // never valid
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong 3-byte
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("abc\xE2\x82"));       // truncated at the end
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation
}

TEST(DecodeRequest, when_request_is_well_formed_expect_method_params_and_id) {
  const Decoded d =
      decode_request(R"({"jsonrpc":"2.0","id":7,"method":"status.get","params":{"a":1}})");
  ASSERT_TRUE(d.request);
  EXPECT_EQ(d.request->method, "status.get");
  EXPECT_EQ(d.request->id, 7);
  EXPECT_EQ(d.request->params["a"], 1);
  EXPECT_FALSE(d.request->notification);
}

TEST(DecodeRequest, when_id_is_absent_expect_notification) {
  const Decoded d = decode_request(R"({"jsonrpc":"2.0","method":"device.estop"})");
  ASSERT_TRUE(d.request);
  EXPECT_TRUE(d.request->notification);
  EXPECT_TRUE(d.request->params.is_object());
}

TEST(DecodeRequest, when_line_is_garbage_expect_parse_error) {
  const Decoded d = decode_request("hello {");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, kParseError);
  EXPECT_EQ(d.error->reason, "parse_error");
}

TEST(DecodeRequest, when_line_is_invalid_utf8_expect_parse_error) {
  const Decoded d = decode_request("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\xFF\"}");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, kParseError);
}

TEST(DecodeRequest, when_line_is_a_batch_expect_invalid_request_batch_not_supported) {
  const Decoded d = decode_request(R"([{"jsonrpc":"2.0","id":1,"method":"status.get"}])");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, kInvalidRequest);
  EXPECT_EQ(d.error->reason, "batch_not_supported");
  EXPECT_TRUE(d.error_id.is_null());
}

TEST(DecodeRequest, when_version_is_wrong_expect_invalid_request_with_the_id) {
  const Decoded d = decode_request(R"({"jsonrpc":"1.0","id":"x","method":"status.get"})");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, kInvalidRequest);
  EXPECT_EQ(d.error_id, "x");
}

TEST(DecodeRequest, when_id_is_an_object_expect_invalid_request_with_null_id) {
  const Decoded d = decode_request(R"({"jsonrpc":"2.0","id":{},"method":"status.get"})");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, kInvalidRequest);
  EXPECT_TRUE(d.error_id.is_null());
}

TEST(DecodeRequest, when_params_are_positional_expect_invalid_params) {
  const Decoded d =
      decode_request(R"({"jsonrpc":"2.0","id":1,"method":"program.get","params":["x"]})");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, kInvalidParams);
  EXPECT_EQ(d.error_id, 1);
}

TEST(DecodeRequest, when_request_has_an_unknown_member_expect_invalid_request) {
  const Decoded d = decode_request(R"({"jsonrpc":"2.0","id":1,"method":"status.get","extra":1})");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, kInvalidRequest);
}

TEST(EncodeError, when_encoded_expect_one_line_with_code_message_and_reason) {
  RpcError error{-32003, "no session", "no_session", {{"hint", "start one"}}};
  const std::string line = encode_error(5, error);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const auto message = nlohmann::json::parse(line);
  EXPECT_EQ(message["id"], 5);
  EXPECT_EQ(message["error"]["code"], -32003);
  EXPECT_EQ(message["error"]["data"]["reason"], "no_session");
  EXPECT_EQ(message["error"]["data"]["hint"], "start one");
}

TEST(EncodeReply, when_result_holds_invalid_utf8_expect_replacement_not_a_throw) {
  const std::string line = encode_reply(1, RpcReply::ok({{"name", "bad\xFF"}}));
  const auto message = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(message.is_discarded());
  EXPECT_EQ(message["result"]["name"].get<std::string>().substr(0, 3), "bad");
}

TEST(AppErrorCode, when_reason_is_known_expect_its_stable_code) {
  EXPECT_EQ(app_error_code("limit_exceeded"), -32001);
  EXPECT_EQ(app_error_code("permission_denied"), -32008);
  EXPECT_EQ(app_error_code("unknown_profile"), -32011);
  EXPECT_EQ(app_error_code("too_many_connections"), -32050);
}

TEST(AppErrorCode, when_reason_is_unknown_expect_generic_server_error) {
  EXPECT_EQ(app_error_code("something_new"), kServerError);
}

}  // namespace
}  // namespace traction::rpc

#include <filesystem>
#include <fstream>
#include <sstream>

namespace traction::rpc {
namespace {

// The fuzzer's seed corpus, replayed in every build with the fuzzer's invariants.
TEST(FuzzCorpus, when_replayed_expect_a_request_or_an_error_and_one_line_replies) {
  const std::filesystem::path corpus =
      std::filesystem::path(TRACTION_SOURCE_DIR) / "daemon/server/fuzz/corpus";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const Decoded decoded = decode_request(bytes.str());
    EXPECT_NE(decoded.request.has_value(), decoded.error.has_value()) << entry.path();
    const std::string line =
        decoded.error ? encode_error(decoded.error_id, *decoded.error)
                      : encode_reply(decoded.request->id, RpcReply::ok(decoded.request->params));
    EXPECT_EQ(line.find('\n'), line.size() - 1) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 6);
}

}  // namespace
}  // namespace traction::rpc
