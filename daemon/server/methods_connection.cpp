// SPDX-License-Identifier: Apache-2.0
// Methods about the calling connection itself.
#include <spdlog/spdlog.h>

#include "core/text_match.hpp"
#include "daemon/server/method_handlers.hpp"

namespace traction::handlers {
namespace {

rpc::RpcError role_error(int code, const char* reason, std::string message) {
  rpc::RpcError error{code, std::move(message), reason, nlohmann::json::object()};
  error.data["param"] = "role";
  return error;
}

}  // namespace

void connection_lower_role(MethodContext& context, const nlohmann::json& params,
                           const Responder& respond) {
  const std::string name = params.at("role").get<std::string>();
  const std::optional<Role> wanted = role_from_string(name);
  if (!wanted) {
    const std::vector<std::string> roles{"none", "observer", "operator", "admin"};
    const std::string hint = closest_match(name, roles);
    respond(rpc::RpcReply::fail(
        role_error(rpc::kInvalidParams, rpc::server_reason::kInvalidParams,
                   "unknown role \"" + name + "\"" +
                       (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") +
                       "; roles are none, observer, operator, admin")));
    return;
  }
  const Role previous = context.role();
  if (!context.lower_role(*wanted)) {
    spdlog::warn("control socket: {} asked to raise its role from {} to {}; refused",
                 context.peer().describe(), to_string(previous), name);
    auto error = role_error(rpc::app_error_code(rpc::server_reason::kRoleNotLower),
                            rpc::server_reason::kRoleNotLower,
                            "this connection has the " + std::string(to_string(previous)) +
                                " role; a role can only be lowered, never raised to " + name);
    error.data["role"] = to_string(previous);
    respond(rpc::RpcReply::fail(std::move(error)));
    return;
  }
  respond(
      rpc::RpcReply::ok({{"role", to_string(*wanted)}, {"previous_role", to_string(previous)}}));
}

}  // namespace traction::handlers
