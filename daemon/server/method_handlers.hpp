// SPDX-License-Identifier: Apache-2.0
// Handlers named by method_table.cpp. Parameters arrive already checked against the table.
#pragma once

#include "daemon/server/method_table.hpp"

namespace traction::handlers {

// program.validate and session.start: exactly one of "program" and "definition".
std::optional<rpc::RpcError> check_program_choice(const nlohmann::json& params);

// methods_read.cpp: answers from the port's snapshot and catalog, synchronously.
void daemon_info(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void rpc_describe(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void status_get(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void status_subscribe(MethodContext& context, const nlohmann::json& params,
                      const Responder& respond);
void status_unsubscribe(MethodContext& context, const nlohmann::json& params,
                        const Responder& respond);
void program_list(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void program_get(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void program_validate(MethodContext& context, const nlohmann::json& params,
                      const Responder& respond);
void profile_list(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void profile_get(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void limits_get(MethodContext& context, const nlohmann::json& params, const Responder& respond);

// methods_control.cpp: commands for the control thread, answered when it has acted.
void session_start(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void session_pause(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void session_resume(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void session_stop(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void device_selftest(MethodContext& context, const nlohmann::json& params,
                     const Responder& respond);
void device_estop(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void device_reset(MethodContext& context, const nlohmann::json& params, const Responder& respond);

// methods_connection.cpp: this connection's own settings.
void connection_lower_role(MethodContext& context, const nlohmann::json& params,
                           const Responder& respond);

// methods_history.cpp: answered from the session history on its query thread.
void history_list(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void history_get(MethodContext& context, const nlohmann::json& params, const Responder& respond);
void session_feedback(MethodContext& context, const nlohmann::json& params,
                      const Responder& respond);

// methods_remote_start.cpp: remote start granted at the device.
void connection_mark_remote(MethodContext& context, const nlohmann::json& params,
                            const Responder& respond);
void remote_start_allow(MethodContext& context, const nlohmann::json& params,
                        const Responder& respond);
void remote_start_revoke(MethodContext& context, const nlohmann::json& params,
                         const Responder& respond);
// status.get's (and status.update's) "remote_start" object.
nlohmann::json remote_start_status(MethodContext& context);
// session.start on a remote connection without a grant: the refusal; nothing otherwise.
std::optional<rpc::RpcReply> refuse_remote_start(MethodContext& context);

}  // namespace traction::handlers
