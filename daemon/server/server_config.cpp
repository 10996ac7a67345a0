// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/server_config.hpp"

#include <vector>

namespace traction {
namespace {

const std::vector<std::string> kRoleNames{"none", "observer", "operator", "admin"};

// Unix permission bits are written in octal by everyone, so the config takes them as a string.
unsigned parse_mode(ObjectReader& section) {
  if (!section.has("socket_mode")) return 0660;
  const std::string text = section.string("socket_mode");
  if (text.size() < 3 || text.size() > 4 ||
      text.find_first_not_of("01234567") != std::string::npos) {
    section.fail("socket_mode",
                 "value \"" + text + "\" must be octal permission bits such as \"0660\"");
  }
  const unsigned mode = static_cast<unsigned>(std::stoul(text, nullptr, 8));
  if ((mode & ~0777u) != 0 || (mode & 0600u) != 0600u) {
    section.fail(
        "socket_mode",
        "value \"" + text + "\" must give the owner read and write and set no special bits");
  }
  // World bits are allowed (a single-user bench), but they hand estop and the default role to every
  // local user: docs/protocol.md says so.
  return mode;
}

std::map<std::string, Role> parse_role_map(ObjectReader& roles, const std::string& key) {
  std::map<std::string, Role> out;
  auto section = roles.optional_object(key);
  if (!section) return out;
  for (const std::string& name : section->keys()) {
    if (name.empty()) section->fail(name, "an empty name cannot match anybody");
    out[name] = *role_from_string(section->choice(name, kRoleNames));
  }
  section->finish();
  return out;
}

}  // namespace

const char* to_string(Role role) {
  switch (role) {
    case Role::none:
      return "none";
    case Role::observer:
      return "observer";
    case Role::operator_:
      return "operator";
    case Role::admin:
      return "admin";
  }
  return "?";
}

std::optional<Role> role_from_string(const std::string& name) {
  if (name == "none") return Role::none;
  if (name == "observer") return Role::observer;
  if (name == "operator") return Role::operator_;
  if (name == "admin") return Role::admin;
  return std::nullopt;
}

ServerConfig parse_server_config(ObjectReader& section) {
  ServerConfig config;
  config.socket_path = section.string_or("socket_path", config.socket_path);
  if (config.socket_path.empty() || config.socket_path.size() > 107) {
    section.fail("socket_path", "must be a path of 1 to 107 bytes (the sockaddr_un limit)");
  }
  config.socket_mode = parse_mode(section);
  config.socket_group = section.string_or("socket_group", "");
  config.max_connections =
      static_cast<std::size_t>(section.integer_or("max_connections", 32, 1, 1024));
  config.max_line_bytes =
      static_cast<std::size_t>(section.integer_or("max_line_bytes", 65536, 1024, 1 << 20));
  config.max_queued_bytes =
      static_cast<std::size_t>(section.integer_or("max_queued_bytes", 1 << 20, 4096, 64 << 20));
  config.idle_timeout_seconds =
      static_cast<int>(section.integer_or("idle_timeout_seconds", 300, 1, 86400));
  config.max_pending_commands =
      static_cast<std::size_t>(section.integer_or("max_pending_commands", 8, 1, 256));
  if (auto roles = section.optional_object("roles")) {
    config.user_roles = parse_role_map(*roles, "users");
    config.group_roles = parse_role_map(*roles, "groups");
    config.default_role = *role_from_string(roles->choice_or("default", "observer", kRoleNames));
    roles->finish();
  }
  section.finish();
  return config;
}

}  // namespace traction
