// SPDX-License-Identifier: Apache-2.0
// The session history's methods (docs/history.md): the query runs on the history's own thread and
// the reply comes back to the server thread, so a long read never holds up an estop.
#include <cctype>

#include "daemon/server/method_handlers.hpp"

namespace traction::handlers {
namespace {

constexpr std::size_t kMaxNoteChars = 1000;

rpc::RpcError invalid(const char* param, std::string message) {
  rpc::RpcError error{rpc::kInvalidParams, std::move(message), rpc::server_reason::kInvalidParams,
                      nlohmann::json::object()};
  error.data["param"] = param;
  return error;
}

// "YYYY-MM-DD", optionally followed by a time: what started_utc values compare against as text.
bool looks_like_utc(const std::string& text) {
  if (text.size() < 10) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? text[i] != '-' : std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      return false;
    }
  }
  return text.size() == 10 || text[10] == 'T';
}

void relay(MethodContext& context, HistoryMethod method, const nlohmann::json& params,
           const Responder& respond) {
  HistoryPort* history = context.ports().history;
  if (history == nullptr) {
    respond(rpc::RpcReply::fail(rpc::from_api_error(
        ApiError{reason::kHistoryUnavailable, "this daemon keeps no history", {}})));
    return;
  }
  history->call(method, params, [post = context.poster(), respond](CommandReply reply) {
    post([reply = std::move(reply), respond](MethodContext&) {
      if (reply.error) {
        respond(rpc::RpcReply::fail(rpc::from_api_error(*reply.error)));
      } else {
        respond(rpc::RpcReply::ok(reply.result));
      }
    });
  });
}

}  // namespace

void history_list(MethodContext& context, const nlohmann::json& params, const Responder& respond) {
  if (params.contains("since") && !looks_like_utc(params["since"].get<std::string>())) {
    respond(rpc::RpcReply::fail(
        invalid("since",
                "parameter \"since\" must be a UTC date or time, e.g. 2026-01-31 or "
                "2026-01-31T08:00:00Z")));
    return;
  }
  relay(context, HistoryMethod::list, params, respond);
}

void history_get(MethodContext& context, const nlohmann::json& params, const Responder& respond) {
  relay(context, HistoryMethod::get, params, respond);
}

void session_feedback(MethodContext& context, const nlohmann::json& params,
                      const Responder& respond) {
  if (!params.contains("comfort_before") && !params.contains("comfort_after") &&
      !params.contains("note")) {
    respond(rpc::RpcReply::fail(
        invalid("comfort_before", "give at least one of comfort_before, comfort_after and note")));
    return;
  }
  if (params.contains("note") && params["note"].get<std::string>().size() > kMaxNoteChars) {
    respond(
        rpc::RpcReply::fail(invalid("note", "parameter \"note\" is longer than " +
                                                std::to_string(kMaxNoteChars) + " characters")));
    return;
  }
  relay(context, HistoryMethod::feedback, params, respond);
}

}  // namespace traction::handlers
