// SPDX-License-Identifier: Apache-2.0
// What every tractionctl command shares: connecting, one call with its error printed, and the
// common shape of a read command (call, then JSON or text).
#pragma once

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "cli/rpc_client.hpp"

namespace traction::ctl {

// A connected client, or the exit code of the failure (already reported).
struct Connected {
  std::unique_ptr<client::RpcClient> client;
  int exit_code = kOk;
};

Connected open(const Options& options);

// Calls `method`; on success stores the result. Returns an exit code (errors are printed).
int call(client::RpcClient& rpc, const std::string& method, const nlohmann::json& params,
         nlohmann::json& result);

// Calls `method` and prints the result as JSON (--json) or with `print`.
template <class Print>
int read_command(const Options& options, const std::string& method, const nlohmann::json& params,
                 Print print) {
  auto connected = open(options);
  if (!connected.client) return connected.exit_code;
  nlohmann::json result;
  if (int code = call(*connected.client, method, params, result); code != kOk) return code;
  if (options.json) {
    std::cout << result.dump(2) << "\n";
  } else {
    print(result);
  }
  return kOk;
}

}  // namespace traction::ctl
