// SPDX-License-Identifier: Apache-2.0
// Remote start granted at the device (remote_start_grant.hpp): connection.mark_remote,
// remote_start.allow and remote_start.revoke, and the check session.start makes on a remote
// connection. Everything here runs on the server thread.
#include <spdlog/spdlog.h>

#include "daemon/server/method_handlers.hpp"
#include "daemon/server/remote_start_grant.hpp"

namespace traction::handlers {
namespace {

rpc::RpcReply refusal(const char* why, std::string message) {
  return rpc::RpcReply::fail(
      rpc::RpcError{rpc::app_error_code(why), std::move(message), why, nlohmann::json::object()});
}

}  // namespace

nlohmann::json remote_start_status(MethodContext& context) {
  return context.remote_start().to_json(std::chrono::steady_clock::now());
}

std::optional<rpc::RpcReply> refuse_remote_start(MethodContext& context) {
  if (!context.remote()) return std::nullopt;
  RemoteStartGrant& grant = context.remote_start();
  if (grant.granted(std::chrono::steady_clock::now())) return std::nullopt;
  spdlog::warn("control socket: remote session.start by {} refused: remote start not granted",
               context.peer().describe());
  auto reply = refusal(reason::kRemoteStartNotGranted,
                       "remote start is not granted at the device: a person at the device must "
                       "allow it first (tractionctl remote-start allow --minutes N)");
  reply.error->data["remote_start"] = grant.to_json(std::chrono::steady_clock::now());
  return reply;
}

void connection_mark_remote(MethodContext& context, const nlohmann::json&,
                            const Responder& respond) {
  context.mark_remote();
  respond(rpc::RpcReply::ok({{"remote", true}}));
}

void remote_start_allow(MethodContext& context, const nlohmann::json& params,
                        const Responder& respond) {
  if (context.remote()) {
    respond(refusal(reason::kRemoteConnection,
                    "remote start is granted only at the device, never over a remote connection"));
    return;
  }
  const auto minutes = params.at("minutes").get<double>();
  const auto duration = std::chrono::seconds(static_cast<long long>(minutes * 60.0));
  RemoteStartGrant& grant = context.remote_start();
  grant.allow(std::chrono::steady_clock::now(), std::chrono::system_clock::now(), duration,
              context.ports().control.snapshot().last_event_seq);
  spdlog::warn("control socket: remote start granted for {} min by {}", minutes,
               context.peer().describe());
  respond(rpc::RpcReply::ok(grant.to_json(std::chrono::steady_clock::now())));
}

void remote_start_revoke(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  RemoteStartGrant& grant = context.remote_start();
  const bool was = grant.active();
  grant.revoke("revoked by " + context.peer().describe());
  nlohmann::json result = grant.to_json(std::chrono::steady_clock::now());
  result["was_granted"] = was;
  respond(rpc::RpcReply::ok(std::move(result)));
}

}  // namespace traction::handlers
