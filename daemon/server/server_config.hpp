// SPDX-License-Identifier: Apache-2.0
// The "server" section of the daemon config: where the socket lives, who may do what, and the
// limits that keep hostile or broken clients from costing the daemon more than a bounded share.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "core/config_reader.hpp"

namespace traction {

// Ordered: a role may call every method of the roles below it. `none` may only call device.estop.
enum class Role { none = 0, observer = 1, operator_ = 2, admin = 3 };

const char* to_string(Role role);
std::optional<Role> role_from_string(const std::string& name);

struct ServerConfig {
  std::string socket_path = "/run/tractiond/tractiond.sock";
  unsigned socket_mode = 0660;
  std::string socket_group;  // "" = leave as is
  int inherited_fd = -1;  // socket activation: an already-listening fd (not from the config file)
  std::size_t max_connections = 32;
  std::size_t max_line_bytes = 65536;
  std::size_t max_queued_bytes = 1 << 20;
  int idle_timeout_seconds = 300;
  // Requests of one connection waiting for the control thread; device.estop is never counted.
  std::size_t max_pending_commands = 8;
  // Role mapping: user names (or numeric uids) and group names (or numeric gids) to roles. The
  // highest matching role wins; root and the daemon's own uid are always admin.
  std::map<std::string, Role> user_roles;
  std::map<std::string, Role> group_roles;
  Role default_role = Role::observer;  // a connection that matches nothing
};

// Parses the "server" object of the daemon config. Throws ConfigError naming the path and the rule.
ServerConfig parse_server_config(ObjectReader& section);

}  // namespace traction
