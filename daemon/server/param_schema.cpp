// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/param_schema.hpp"

#include <sstream>
#include <string>

#include "core/text_match.hpp"

namespace traction {
namespace {

bool has_type(const nlohmann::json& value, ParamType type) {
  switch (type) {
    case ParamType::string:
      return value.is_string();
    case ParamType::integer:
      return value.is_number_integer();
    case ParamType::number:
      return value.is_number();
    case ParamType::boolean:
      return value.is_boolean();
    case ParamType::object:
      return value.is_object();
  }
  return false;
}

rpc::RpcError invalid(const std::string& name, std::string message) {
  rpc::RpcError error{rpc::kInvalidParams, std::move(message), rpc::server_reason::kInvalidParams,
                      nlohmann::json::object()};
  error.data["param"] = name;
  return error;
}

}  // namespace

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::string:
      return "string";
    case ParamType::integer:
      return "integer";
    case ParamType::number:
      return "number";
    case ParamType::boolean:
      return "boolean";
    case ParamType::object:
      return "object";
  }
  return "?";
}

std::optional<rpc::RpcError> check_params(const std::vector<ParamSpec>& specs,
                                          const nlohmann::json& params) {
  if (!params.is_object()) return invalid("", "params must be an object");
  std::vector<std::string> known;
  known.reserve(specs.size());
  for (const auto& spec : specs) known.emplace_back(spec.name);
  for (const auto& item : params.items()) {
    bool found = false;
    for (const auto& name : known) found = found || name == item.key();
    if (found) continue;
    const std::string hint = closest_match(item.key(), known);
    return invalid(item.key(), "unknown parameter \"" + item.key() + "\"" +
                                   (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
  }
  for (const auto& spec : specs) {
    const auto value = params.find(spec.name);
    if (value == params.end()) {
      if (spec.required)
        return invalid(spec.name, std::string("parameter \"") + spec.name + "\" is required");
      continue;
    }
    if (!has_type(*value, spec.type)) {
      return invalid(spec.name, std::string("parameter \"") + spec.name + "\" must be a " +
                                    to_string(spec.type));
    }
    if (spec.min < spec.max && value->is_number()) {
      const double x = value->get<double>();
      if (!(x >= spec.min && x <= spec.max)) {
        std::ostringstream message;
        message << "parameter \"" << spec.name << "\" is " << x << ", outside [" << spec.min << ", "
                << spec.max << "]";
        return invalid(spec.name, message.str());
      }
    }
  }
  return std::nullopt;
}

nlohmann::json describe_params(const std::vector<ParamSpec>& specs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& spec : specs) {
    nlohmann::json param = {{"name", spec.name},
                            {"type", to_string(spec.type)},
                            {"required", spec.required},
                            {"description", spec.description}};
    if (spec.min < spec.max) {
      param["min"] = spec.min;
      param["max"] = spec.max;
    }
    out.push_back(std::move(param));
  }
  return out;
}

}  // namespace traction
