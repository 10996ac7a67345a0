// SPDX-License-Identifier: Apache-2.0
// What a page may send over its WebSocket, checked before anything reaches the daemon: one
// JSON-RPC request object of bounded size. The daemon checks everything else (methods, roles,
// parameters) itself. Pure functions: unit-tested directly.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace traction::web {

// Errors the relay itself answers, with the daemon's JSON-RPC codes and data.reason tokens.
namespace relay_reason {
inline constexpr const char* kParseError = "parse_error";             // -32700
inline constexpr const char* kInvalidRequest = "invalid_request";     // -32600
inline constexpr const char* kTooLarge = "line_too_long";             // -32600
inline constexpr const char* kTooManyRequests = "too_many_requests";  // -32051
inline constexpr const char* kNotReady =
    "not_ready";  // -32054: the daemon connection is not set up
inline constexpr const char* kDaemonUnreachable = "daemon_unreachable";  // -32055
inline constexpr const char* kStopOnly =
    "stop_only";  // -32600: the STOP socket carries estops only
}  // namespace relay_reason

struct PageCall {
  std::string method;
  nlohmann::json id;  // null when the page sent a notification (no reply expected)
  bool notification = false;
  std::string line;  // the request re-encoded as one line for the daemon (without '\n')
};

struct PageRefusal {
  nlohmann::json id;
  std::string reply;  // the JSON-RPC error to send back to the page
};

// Checks one page message: at most `max_bytes`, a JSON object with a string "method" and, when
// present, a string, integer or null "id". The daemon checks every other member.
struct PageCheck {
  std::optional<PageCall> call;
  std::optional<PageRefusal> refusal;
};
PageCheck check_page_message(std::string_view text, std::size_t max_bytes);

// A JSON-RPC error reply from the relay.
std::string relay_error(const nlohmann::json& id, int code, const char* reason,
                        const std::string& message);

// A JSON-RPC notification from the relay (panel.hello).
std::string relay_notification(const std::string& method, const nlohmann::json& params);

}  // namespace traction::web
