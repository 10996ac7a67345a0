// SPDX-License-Identifier: Apache-2.0
#include "mqtt/command_filter.hpp"

#include <array>
#include <optional>

namespace traction::mqtt {
namespace {

struct Allowed {
  const char* method;
  bool takes_program;  // session.start: program (required) and profile
};
constexpr std::array kAllowed{Allowed{"device.estop", false}, Allowed{"session.pause", false},
                              Allowed{"session.resume", false}, Allowed{"session.stop", false},
                              Allowed{"session.start", true}};

Refusal invalid(nlohmann::json id, std::string message) {
  return Refusal{std::move(id), "invalid_command", std::move(message)};
}

const Allowed* find_allowed(const std::string& method) {
  for (const Allowed& entry : kAllowed) {
    if (method == entry.method) return &entry;
  }
  return nullptr;
}

// session.start over MQTT names a catalog program (no inline definitions from the network).
std::optional<std::string> check_params(const Allowed& allowed, const nlohmann::json& params) {
  if (!allowed.takes_program) {
    if (params.empty()) return std::nullopt;
    return std::string(allowed.method) + " takes no params";
  }
  if (!params.contains("program") || !params["program"].is_string()) {
    return "session.start needs params.program, the name of a catalog program";
  }
  for (const auto& [key, value] : params.items()) {
    if (key != "program" && key != "profile") {
      return "session.start takes program and profile only, not \"" + key + "\"";
    }
    if (!value.is_string()) return "params." + key + " must be a string";
  }
  return std::nullopt;
}

}  // namespace

std::variant<Command, Refusal> filter_command(std::string_view payload) {
  const nlohmann::json message = nlohmann::json::parse(payload, nullptr, false);
  if (!message.is_object()) return invalid(nullptr, "a command is a JSON object");
  const nlohmann::json id = message.value("id", nlohmann::json(nullptr));
  if (!message.contains("method") || !message["method"].is_string()) {
    return invalid(id, "\"method\" must be a string");
  }
  const std::string method = message["method"].get<std::string>();
  const Allowed* allowed = find_allowed(method);
  if (allowed == nullptr) {
    return Refusal{id, "method_not_allowed",
                   "\"" + method +
                       "\" is not allowed over MQTT; allowed: device.estop, session.pause, "
                       "session.resume, session.stop, session.start (while remote start is "
                       "granted at the device)"};
  }
  const nlohmann::json params = message.value("params", nlohmann::json::object());
  if (!params.is_object()) return invalid(id, "\"params\" must be an object");
  if (auto problem = check_params(*allowed, params)) return invalid(id, *problem);
  return Command{id, method, params};
}

nlohmann::json refusal_reply(const Refusal& refusal) {
  const int code = refusal.reason == "method_not_allowed" ? -32601 : -32600;
  return {{"id", refusal.id},
          {"error",
           {{"code", code}, {"message", refusal.message}, {"data", {{"reason", refusal.reason}}}}}};
}

nlohmann::json daemon_reply(const nlohmann::json& id, const nlohmann::json& rpc_reply) {
  nlohmann::json out = {{"id", id}};
  if (rpc_reply.contains("error")) {
    out["error"] = rpc_reply["error"];
  } else {
    out["result"] = rpc_reply.value("result", nlohmann::json::object());
  }
  return out;
}

}  // namespace traction::mqtt
