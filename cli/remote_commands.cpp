// SPDX-License-Identifier: Apache-2.0
#include "cli/remote_commands.hpp"

#include <iostream>

#include "cli/command_support.hpp"

namespace traction::ctl {
namespace {

using nlohmann::json;

void print_grant(const json& grant) {
  if (grant.value("granted", false)) {
    std::cout << "remote start granted until " << grant.value("until_utc", "?") << " ("
              << grant.value("seconds_left", 0.0) << " s left)\n";
    return;
  }
  std::cout << "remote start not granted";
  if (grant.contains("ended_reason") && grant["ended_reason"].is_string()) {
    std::cout << " (last grant ended: " << grant["ended_reason"].get<std::string>() << ")";
  }
  std::cout << "\n";
}

}  // namespace

int remote_start_allow(const Options& options, double minutes) {
  return read_command(options, "remote_start.allow", {{"minutes", minutes}}, print_grant);
}

int remote_start_revoke(const Options& options) {
  return read_command(options, "remote_start.revoke", json::object(), print_grant);
}

int remote_start_status(const Options& options) {
  auto connected = open(options);
  if (!connected.client) return connected.exit_code;
  json status;
  if (int code = call(*connected.client, "status.get", json::object(), status); code != kOk) {
    return code;
  }
  const json grant = status.value("remote_start", json::object());
  if (options.json) {
    std::cout << grant.dump(2) << "\n";
  } else {
    print_grant(grant);
  }
  return kOk;
}

}  // namespace traction::ctl
