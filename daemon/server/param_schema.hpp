// SPDX-License-Identifier: Apache-2.0
// The parameters a method accepts, as data: checked before any handler runs and published by
// rpc.describe, so the documentation and the check cannot disagree.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "daemon/server/jsonrpc.hpp"

namespace traction {

enum class ParamType { string, integer, number, boolean, object };
const char* to_string(ParamType type);

struct ParamSpec {
  const char* name = "";
  ParamType type = ParamType::string;
  bool required = false;
  const char* description = "";
  // Inclusive numeric bounds, applied when min < max.
  double min = 0.0;
  double max = 0.0;
};

// Checks `params` (an object) against `specs`: unknown names (with a "did you mean" hint), missing
// required ones, wrong types and out-of-range numbers give -32602 with reason invalid_params.
std::optional<rpc::RpcError> check_params(const std::vector<ParamSpec>& specs,
                                          const nlohmann::json& params);

nlohmann::json describe_params(const std::vector<ParamSpec>& specs);

}  // namespace traction
