// SPDX-License-Identifier: Apache-2.0
// Every socket method in one table (NUT's habit): name → handler → required role → parameters.
// The dispatcher checks the role and the parameters from the table before a handler runs, logs
// state-changing calls, and rpc.describe publishes the same table.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "daemon/control_api.hpp"
#include "daemon/server/jsonrpc.hpp"
#include "daemon/server/param_schema.hpp"
#include "daemon/server/peer_access.hpp"
#include "daemon/server/remote_start_grant.hpp"

namespace traction {

// Delivers a handler's reply; called exactly once, on the server thread.
using Responder = std::function<void(rpc::RpcReply)>;

// What a handler may use: the daemon and its own connection. Implemented by the connection.
class MethodContext {
 public:
  virtual ~MethodContext() = default;

  virtual DaemonPorts& ports() = 0;
  virtual const PeerCredentials& peer() const = 0;
  virtual Role role() const = 0;
  // Sets this connection's role to `role` when it is not above the current one (a relay such as
  // tractiond-web hands each of its users a connection with that user's role); false, and nothing
  // changes, when `role` would raise it. There is no way to raise a connection's role.
  virtual bool lower_role(Role role) = 0;
  // Marks this connection remote for the rest of its life (tractiond-mqtt marks its own): a remote
  // connection starts a session only while remote start is granted and can never grant it.
  virtual void mark_remote() = 0;
  virtual bool remote() const = 0;
  // The daemon's one remote start grant, brought up to date with the daemon's events.
  virtual RemoteStartGrant& remote_start() = 0;
  // Server-side facts for daemon.info (protocol limits).
  virtual nlohmann::json server_info() const = 0;
  // Starts or changes this connection's subscription; returns its description.
  virtual nlohmann::json subscribe(double rate_hz, bool events) = 0;
  // Ends the subscription; false when there was none.
  virtual bool unsubscribe() = 0;
  // Queues a command for the control thread; `respond` is called on the server thread with the
  // control thread's reply (or an error when too many commands of this connection are pending;
  // estop is never refused).
  // The connection fills in who asked (requested_by) and the reply (done).
  virtual void submit(ControlCommand command, Responder respond) = 0;
  void submit(CommandKind kind, std::shared_ptr<const Plan> plan, Responder respond) {
    ControlCommand command;
    command.kind = kind;
    command.plan = std::move(plan);
    submit(std::move(command), std::move(respond));
  }

  // Brings work computed on another thread (a history query, a plan made with the history) back
  // to the server thread: the Poster may be called from any thread and runs `work` there with
  // this context while the connection lives (and drops it when the client has gone). Get it on
  // the server thread.
  using Poster = std::function<void(std::function<void(MethodContext&)> work)>;
  virtual Poster poster() = 0;
};

using Handler = void (*)(MethodContext& context, const nlohmann::json& params,
                         const Responder& respond);

struct MethodSpec {
  const char* name;
  Handler handler;
  Role role;           // the lowest role allowed (Role::none: every connection)
  bool changes_state;  // logged with uid and pid
  std::vector<ParamSpec> params;
  const char* result;  // what the result holds (rpc.describe, docs)
  const char* description;
};

const std::vector<MethodSpec>& method_table();
const MethodSpec* find_method(std::string_view name);
// The rpc.describe result: every method and every notification.
nlohmann::json describe_api();

}  // namespace traction
