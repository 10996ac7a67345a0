// SPDX-License-Identifier: Apache-2.0
// Which commands from the broker reach the daemon (docs/mqtt.md "Commands"): device.estop always;
// session.pause, session.resume and session.stop; session.start (the daemon refuses it unless
// remote start is granted at the device). Nothing else: everything else is refused here, with why.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace traction::mqtt {

// A command to forward to the daemon.
struct Command {
  nlohmann::json id;  // echoed in the reply (null when the message had none)
  std::string method;
  nlohmann::json params = nlohmann::json::object();
  bool estop() const { return method == "device.estop"; }
};

// A command refused by the bridge itself.
struct Refusal {
  nlohmann::json id;
  std::string reason;  // invalid_command or method_not_allowed
  std::string message;
};

// Reads one message of the command topic.
std::variant<Command, Refusal> filter_command(std::string_view payload);

// The payloads on the reply topic: {"id", "result"} or {"id", "error": {code, message, data}}.
nlohmann::json refusal_reply(const Refusal& refusal);
nlohmann::json daemon_reply(const nlohmann::json& id, const nlohmann::json& rpc_reply);

}  // namespace traction::mqtt
