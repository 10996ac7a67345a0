// SPDX-License-Identifier: Apache-2.0
#include "web/page_message.hpp"

namespace traction::web {

std::string relay_error(const nlohmann::json& id, int code, const char* reason,
                        const std::string& message) {
  const nlohmann::json reply = {
      {"jsonrpc", "2.0"},
      {"id", id},
      {"error", {{"code", code}, {"message", message}, {"data", {{"reason", reason}}}}}};
  return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string relay_notification(const std::string& method, const nlohmann::json& params) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

PageCheck check_page_message(std::string_view text, std::size_t max_bytes) {
  const auto refuse = [](const nlohmann::json& id, int code, const char* reason,
                         const std::string& message) {
    return PageCheck{std::nullopt, PageRefusal{id, relay_error(id, code, reason, message)}};
  };
  if (text.size() > max_bytes) {
    return refuse(nullptr, -32600, relay_reason::kTooLarge,
                  "message longer than " + std::to_string(max_bytes) + " bytes");
  }
  const nlohmann::json message = nlohmann::json::parse(text, nullptr, false);
  if (message.is_discarded()) return refuse(nullptr, -32700, relay_reason::kParseError, "not JSON");
  if (!message.is_object()) {
    return refuse(nullptr, -32600, relay_reason::kInvalidRequest,
                  "a message must be one JSON-RPC request object");
  }
  const auto id_member = message.find("id");
  const nlohmann::json id = id_member == message.end() ? nlohmann::json() : *id_member;
  if (!(id.is_null() || id.is_string() || id.is_number_integer())) {
    return refuse(nullptr, -32600, relay_reason::kInvalidRequest,
                  "\"id\" must be a string, an integer or null");
  }
  const auto method = message.find("method");
  if (method == message.end() || !method->is_string()) {
    return refuse(id, -32600, relay_reason::kInvalidRequest, "\"method\" must be a string");
  }
  PageCall call;
  call.method = method->get<std::string>();
  call.id = id;
  call.notification = id_member == message.end();
  // Re-encoded: a page's JSON may span lines; the daemon reads one object per line.
  call.line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return PageCheck{std::move(call), std::nullopt};
}

}  // namespace traction::web
