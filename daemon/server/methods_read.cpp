// SPDX-License-Identifier: Apache-2.0
// Read-only methods: answered at once from the port's snapshot and catalog.
#include <chrono>

#include "daemon/engine/plan.hpp"
#include "daemon/server/method_handlers.hpp"
#include "daemon/server/status_json.hpp"

namespace traction::handlers {
namespace {

// Catalog lookups report an ApiError or fill `out`.
void answer(const std::optional<ApiError>& error, nlohmann::json out, const Responder& respond) {
  if (error) {
    respond(rpc::RpcReply::fail(rpc::from_api_error(*error)));
  } else {
    respond(rpc::RpcReply::ok(std::move(out)));
  }
}

}  // namespace

void daemon_info(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  nlohmann::json info = context.ports().info;
  if (!info.is_object()) info = nlohmann::json::object();
  info["protocol"] = context.server_info();
  info["last_selftest"] = last_selftest_to_json(context.ports().control.snapshot().last_selftest);
  info["caller"] = {{"uid", context.peer().uid},
                    {"gid", context.peer().gid},
                    {"pid", context.peer().pid},
                    {"role", to_string(context.role())}};
  respond(rpc::RpcReply::ok(std::move(info)));
}

void rpc_describe(MethodContext&, const nlohmann::json&, const Responder& respond) {
  respond(rpc::RpcReply::ok(describe_api()));
}

void status_get(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  nlohmann::json status = status_to_json(context.ports().control.snapshot(), Clock::now());
  status["remote_start"] = remote_start_status(context);
  respond(rpc::RpcReply::ok(std::move(status)));
}

void status_subscribe(MethodContext& context, const nlohmann::json& params,
                      const Responder& respond) {
  const double rate_hz = params.value("rate_hz", 5.0);
  const bool events = params.value("events", true);
  respond(rpc::RpcReply::ok(context.subscribe(rate_hz, events)));
}

void status_unsubscribe(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  if (!context.unsubscribe()) {
    respond(rpc::RpcReply::fail(
        rpc::RpcError{rpc::kInvalidRequest, "this connection has no subscription",
                      rpc::server_reason::kInvalidRequest, nlohmann::json::object()}));
    return;
  }
  respond(rpc::RpcReply::ok({{"subscribed", false}}));
}

void program_list(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  respond(rpc::RpcReply::ok({{"programs", context.ports().catalog.program_list()}}));
}

void program_get(MethodContext& context, const nlohmann::json& params, const Responder& respond) {
  nlohmann::json out;
  const auto error = context.ports().catalog.program_get(params.at("name").get<std::string>(), out);
  answer(error, std::move(out), respond);
}

void program_validate(MethodContext& context, const nlohmann::json& params,
                      const Responder& respond) {
  if (auto error = check_program_choice(params)) {
    respond(rpc::RpcReply::fail(std::move(*error)));
    return;
  }
  // The plan for the next session, made off this thread (with the history, for progression).
  context.ports().catalog.plan(
      plan_request(params), [post = context.poster(), respond](std::optional<ApiError> error,
                                                               std::shared_ptr<const Plan> plan) {
        post([error = std::move(error), plan = std::move(plan), respond](MethodContext&) {
          if (error) {
            respond(rpc::RpcReply::fail(rpc::from_api_error(*error)));
            return;
          }
          respond(rpc::RpcReply::ok({{"valid", true}, {"plan", plan ? plan->to_json() : nullptr}}));
        });
      });
}

void profile_list(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  respond(rpc::RpcReply::ok({{"profiles", context.ports().catalog.profile_list()}}));
}

void profile_get(MethodContext& context, const nlohmann::json& params, const Responder& respond) {
  nlohmann::json out;
  const auto error = context.ports().catalog.profile_get(params.at("name").get<std::string>(), out);
  answer(error, std::move(out), respond);
}

void limits_get(MethodContext& context, const nlohmann::json& params, const Responder& respond) {
  nlohmann::json out;
  const auto error =
      context.ports().catalog.limits_get(params.value("profile", std::string()), out);
  answer(error, std::move(out), respond);
}

}  // namespace traction::handlers
