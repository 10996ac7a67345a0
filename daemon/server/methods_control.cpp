// SPDX-License-Identifier: Apache-2.0
// Methods that change the device's state: they become ControlCommands for the control thread and
// are answered once it has acted. The role check and the log line happen in the dispatcher.
#include "daemon/server/method_handlers.hpp"

namespace traction::handlers {

std::optional<rpc::RpcError> check_program_choice(const nlohmann::json& params) {
  if (params.contains("program") == params.contains("definition")) {
    rpc::RpcError error{rpc::kInvalidParams, "give exactly one of \"program\" and \"definition\"",
                        rpc::server_reason::kInvalidParams, nlohmann::json::object()};
    error.data["param"] = "program";
    return error;
  }
  return std::nullopt;
}

void session_start(MethodContext& context, const nlohmann::json& params, const Responder& respond) {
  if (auto error = check_program_choice(params)) {
    respond(rpc::RpcReply::fail(std::move(*error)));
    return;
  }
  if (auto refused = refuse_remote_start(context)) {
    respond(std::move(*refused));
    return;
  }
  // Validation runs off the control thread and off this one (with the history, for
  // progression): the control thread only receives a checked plan. A client that has gone by
  // then starts nothing.
  context.ports().catalog.plan(
      plan_request(params), [post = context.poster(), respond](std::optional<ApiError> error,
                                                               std::shared_ptr<const Plan> plan) {
        post([error = std::move(error), plan = std::move(plan), respond](MethodContext& context) {
          if (error) {
            respond(rpc::RpcReply::fail(rpc::from_api_error(*error)));
            return;
          }
          // Asked again: a grant ended while the plan was made starts nothing.
          if (auto refused = refuse_remote_start(context)) {
            respond(std::move(*refused));
            return;
          }
          context.submit(CommandKind::start, plan, respond);
        });
      });
}

void session_pause(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  context.submit(CommandKind::pause, nullptr, respond);
}

void session_resume(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  context.submit(CommandKind::resume, nullptr, respond);
}

void session_stop(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  context.submit(CommandKind::stop, nullptr, respond);
}

// The self-test moves the axis and provokes the drive's faults: the caller must confirm that
// nobody is on the device.
void device_selftest(MethodContext& context, const nlohmann::json& params,
                     const Responder& respond) {
  if (!params.value("nobody_on_device", false)) {
    rpc::RpcError error{rpc::kInvalidParams,
                        "the self-test moves the device and trips its watchdog: confirm that "
                        "nobody is on it with \"nobody_on_device\": true",
                        rpc::server_reason::kInvalidParams, nlohmann::json::object()};
    error.data["param"] = "nobody_on_device";
    respond(rpc::RpcReply::fail(std::move(error)));
    return;
  }
  ControlCommand command;
  command.kind = CommandKind::selftest;
  command.stop_switch_seconds = params.value("stop_switch_seconds", 30.0);
  context.submit(std::move(command), respond);
}

void device_estop(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  context.submit(CommandKind::estop, nullptr, respond);
}

void device_reset(MethodContext& context, const nlohmann::json&, const Responder& respond) {
  context.submit(CommandKind::reset, nullptr, respond);
}

}  // namespace traction::handlers
