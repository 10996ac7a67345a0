// SPDX-License-Identifier: Apache-2.0
// The JSON-RPC 2.0 codec of the control socket: one line in, one request (or one error) out, and
// the encoding of replies and notifications. Pure functions, no I/O: fuzzed and unit-tested
// directly.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/control_api.hpp"

namespace traction::rpc {

// Standard JSON-RPC 2.0 codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// Application codes (-32000..-32099): one per reason, see app_error_code().
inline constexpr int kServerError = -32000;

// Reasons the server itself produces, in addition to the daemon's reason:: list (control_api.hpp).
// Every error reply carries one of the two lists in data.reason.
namespace server_reason {
inline constexpr const char* kParseError = "parse_error";
inline constexpr const char* kInvalidRequest = "invalid_request";
inline constexpr const char* kLineTooLong = "line_too_long";
inline constexpr const char* kBatchUnsupported = "batch_not_supported";
inline constexpr const char* kMethodNotFound = "method_not_found";
inline constexpr const char* kInvalidParams = "invalid_params";
inline constexpr const char* kInternal = "internal_error";
inline constexpr const char* kTooManyConnections = "too_many_connections";
inline constexpr const char* kTooManyRequests = "too_many_requests";
inline constexpr const char* kIdleTimeout = "idle_timeout";
// connection.lower_role asked for a role above the connection's own: roles are only ever lowered.
inline constexpr const char* kRoleNotLower = "role_not_lower";
}  // namespace server_reason

// The protocol's version, reported by daemon.info. Bumped on an incompatible change.
inline constexpr const char* kProtocolVersion = "1.0";

struct RpcError {
  int code = kInternalError;
  std::string message;
  std::string reason;
  nlohmann::json data = nlohmann::json::object();  // extra fields; "reason" is added on encoding
};

// What a handler produces: a result or an error.
struct RpcReply {
  std::optional<RpcError> error;
  nlohmann::json result = nlohmann::json::object();

  static RpcReply ok(nlohmann::json result) { return RpcReply{std::nullopt, std::move(result)}; }
  static RpcReply fail(RpcError error) { return RpcReply{std::move(error), nullptr}; }
};

struct Request {
  std::string method;
  nlohmann::json params = nlohmann::json::object();  // always an object
  nlohmann::json id;          // string, integer or null; meaningful only when !notification
  bool notification = false;  // no "id" member: the client wants no reply
};

// The outcome of decoding one line: a request, or an error to send back (id null unless known).
struct Decoded {
  std::optional<Request> request;
  std::optional<RpcError> error;
  nlohmann::json error_id;  // the id to answer the error with
};

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Decodes one line (without its '\n'). Never throws. Garbage and invalid UTF-8 give -32700; a valid
// JSON value that is not a request object gives -32600; a batch (array) is refused with -32600.
Decoded decode_request(std::string_view line);

// Encodes a reply to a request with `id` as one line (with '\n').
std::string encode_reply(const nlohmann::json& id, const RpcReply& reply);
std::string encode_error(const nlohmann::json& id, const RpcError& error);
// Encodes a notification (no id) as one line (with '\n').
std::string encode_notification(const std::string& method, const nlohmann::json& params);

// The application code of a reason from control_api.hpp's list or server_reason (kServerError when
// the reason is unknown), so clients may switch on either the code or the reason.
int app_error_code(const std::string& reason);
// An ApiError from the daemon as an RpcError with its application code.
RpcError from_api_error(const ApiError& error);

}  // namespace traction::rpc
