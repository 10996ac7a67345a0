// SPDX-License-Identifier: Apache-2.0
// The "server" config section and the mapping of credentials to roles.
#include "daemon/server/server_config.hpp"

#include <gtest/gtest.h>

#include "daemon/server/peer_access.hpp"

namespace traction {
namespace {

ServerConfig parse(const nlohmann::json& section) {
  ObjectReader reader(section, "test.json", "/server");
  return parse_server_config(reader);
}

std::string error_of(const nlohmann::json& section) {
  try {
    parse(section);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ServerConfig, when_section_is_empty_expect_documented_defaults) {
  const ServerConfig config = parse(nlohmann::json::object());
  EXPECT_EQ(config.socket_path, "/run/tractiond/tractiond.sock");
  EXPECT_EQ(config.socket_mode, 0660u);
  EXPECT_EQ(config.max_connections, 32u);
  EXPECT_EQ(config.max_line_bytes, 65536u);
  EXPECT_EQ(config.idle_timeout_seconds, 300);
  EXPECT_EQ(config.default_role, Role::observer);
}

TEST(ServerConfig, when_roles_are_given_expect_them_parsed) {
  const ServerConfig config = parse({{"socket_mode", "0600"},
                                     {"roles",
                                      {{"users", {{"alice", "operator"}, {"1001", "admin"}}},
                                       {"groups", {{"traction", "observer"}}},
                                       {"default", "none"}}}});
  EXPECT_EQ(config.socket_mode, 0600u);
  EXPECT_EQ(config.user_roles.at("alice"), Role::operator_);
  EXPECT_EQ(config.user_roles.at("1001"), Role::admin);
  EXPECT_EQ(config.group_roles.at("traction"), Role::observer);
  EXPECT_EQ(config.default_role, Role::none);
}

TEST(ServerConfig, when_key_is_misspelt_expect_path_and_hint) {
  const std::string error = error_of({{"max_conections", 4}});
  EXPECT_NE(error.find("/server/max_conections"), std::string::npos) << error;
  EXPECT_NE(error.find("did you mean \"max_connections\""), std::string::npos) << error;
}

TEST(ServerConfig, when_mode_is_not_octal_expect_rule_named) {
  const std::string error = error_of({{"socket_mode", "0999"}});
  EXPECT_NE(error.find("/server/socket_mode"), std::string::npos) << error;
  EXPECT_NE(error.find("octal"), std::string::npos) << error;
}

TEST(ServerConfig, when_role_name_is_unknown_expect_choice_error) {
  const std::string error = error_of({{"roles", {{"users", {{"bob", "admn"}}}}}});
  EXPECT_NE(error.find("/server/roles/users/bob"), std::string::npos) << error;
  EXPECT_NE(error.find("did you mean \"admin\""), std::string::npos) << error;
}

TEST(RoleResolver, when_peer_is_root_expect_admin_whatever_the_default) {
  ServerConfig config;
  config.default_role = Role::none;
  RoleResolver roles(config, 4242);
  PeerCredentials root;
  root.uid = 0;
  EXPECT_EQ(roles.role_of(root), Role::admin);
}

TEST(RoleResolver, when_user_and_group_both_match_expect_the_higher_role) {
  ServerConfig config;
  config.default_role = Role::none;
  config.user_roles["5001"] = Role::observer;
  config.group_roles["6001"] = Role::operator_;
  RoleResolver roles(config, 4242);
  PeerCredentials peer;
  peer.uid = 5001;
  peer.gid = 100;
  peer.groups = {6001};
  EXPECT_EQ(roles.role_of(peer), Role::operator_);
}

TEST(RoleResolver, when_peer_matches_nothing_expect_default_role) {
  ServerConfig config;
  config.default_role = Role::none;
  config.user_roles["5001"] = Role::admin;
  RoleResolver roles(config, 4242);
  PeerCredentials stranger;
  stranger.uid = 5002;
  stranger.gid = 5002;
  EXPECT_EQ(roles.role_of(stranger), Role::none);
}

TEST(RoleResolver, when_config_names_a_missing_user_expect_it_reported_unresolved) {
  ServerConfig config;
  config.user_roles["no-such-user-tractiond-test"] = Role::admin;
  RoleResolver roles(config, 4242);
  ASSERT_EQ(roles.unresolved().size(), 1u);
  EXPECT_NE(roles.unresolved()[0].find("no-such-user-tractiond-test"), std::string::npos);
}

}  // namespace
}  // namespace traction
