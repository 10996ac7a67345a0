// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/peer_access.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59  // Linux >= 4.13; older glibc headers lack the name
#endif

namespace traction {
namespace {

std::optional<unsigned long> as_number(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoul(text);
}

std::optional<uid_t> lookup_uid(const std::string& name) {
  if (auto n = as_number(name)) return static_cast<uid_t>(*n);
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return found->pw_uid;
}

std::optional<gid_t> lookup_gid(const std::string& name) {
  if (auto n = as_number(name)) return static_cast<gid_t>(*n);
  std::vector<char> buffer(65536);
  group entry{};
  group* found = nullptr;
  if (getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return found->gr_gid;
}

}  // namespace

std::string PeerCredentials::describe() const {
  return "uid=" + std::to_string(uid) + " pid=" + std::to_string(pid);
}

Result<PeerCredentials> read_peer_credentials(int fd) {
  PeerCredentials peer;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return Result<PeerCredentials>(
        Errc::link, std::string("SO_PEERCRED: ") + std::generic_category().message(errno));
  }
  peer.uid = cred.uid;
  peer.gid = cred.gid;
  peer.pid = cred.pid;
  // The kernel answers ERANGE with the size it needs when the buffer is too small.
  std::vector<gid_t> groups(64);
  for (int attempt = 0; attempt < 3; ++attempt) {
    socklen_t bytes = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &bytes) == 0) {
      groups.resize(bytes / sizeof(gid_t));
      peer.groups = std::move(groups);
      return peer;
    }
    if (errno != ERANGE) break;
    groups.resize(bytes / sizeof(gid_t) + 1);
  }
  // Without supplementary groups the primary gid still maps; a missing group only lowers a role.
  return peer;
}

RoleResolver::RoleResolver(const ServerConfig& config, uid_t daemon_uid)
    : default_role_(config.default_role), daemon_uid_(daemon_uid) {
  for (const auto& [name, role] : config.user_roles) {
    if (auto uid = lookup_uid(name)) {
      users_.emplace_back(*uid, role);
    } else {
      unresolved_.push_back("user " + name);
    }
  }
  for (const auto& [name, role] : config.group_roles) {
    if (auto gid = lookup_gid(name)) {
      groups_.emplace_back(*gid, role);
    } else {
      unresolved_.push_back("group " + name);
    }
  }
}

Role RoleResolver::role_of(const PeerCredentials& peer) const {
  if (peer.uid == 0 || peer.uid == daemon_uid_) return Role::admin;
  std::optional<Role> best;
  auto consider = [&best](Role role) {
    if (!best || role > *best) best = role;
  };
  for (const auto& [uid, role] : users_) {
    if (uid == peer.uid) consider(role);
  }
  for (const auto& [gid, role] : groups_) {
    const bool member = gid == peer.gid ||
                        std::find(peer.groups.begin(), peer.groups.end(), gid) != peer.groups.end();
    if (member) consider(role);
  }
  return best.value_or(default_role_);
}

}  // namespace traction
