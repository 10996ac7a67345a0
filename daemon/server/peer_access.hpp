// SPDX-License-Identifier: Apache-2.0
// Who is on the other end of a connection (SO_PEERCRED, SO_PEERGROUPS) and which role that gives.
// The kernel vouches for these values: no client can claim another identity.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.hpp"
#include "daemon/server/server_config.hpp"

namespace traction {

struct PeerCredentials {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  pid_t pid = 0;
  std::vector<gid_t> groups;  // supplementary groups at connect time

  // "uid=1000 pid=4242": how logs and ControlCommand::requested_by name a caller.
  std::string describe() const;
};

// Reads the credentials of a connected Unix socket. Errc::link when the kernel refuses.
Result<PeerCredentials> read_peer_credentials(int fd);

// Maps credentials to a role with the config's tables. Names are resolved to ids once, here,
// because NSS lookups may block and the server thread must not.
class RoleResolver {
 public:
  RoleResolver(const ServerConfig& config, uid_t daemon_uid);

  // The highest role any of the peer's uid, primary gid or supplementary groups maps to; root and
  // the daemon's own uid are admin; a peer that matches nothing gets the default role.
  Role role_of(const PeerCredentials& peer) const;
  // Names in the config that no user or group has (logged at start: likely typos).
  const std::vector<std::string>& unresolved() const { return unresolved_; }

 private:
  std::vector<std::pair<uid_t, Role>> users_;
  std::vector<std::pair<gid_t, Role>> groups_;
  Role default_role_;
  uid_t daemon_uid_;
  std::vector<std::string> unresolved_;
};

}  // namespace traction
