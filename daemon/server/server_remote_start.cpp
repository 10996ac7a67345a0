// SPDX-License-Identifier: Apache-2.0
// Where the server keeps the remote start grant: one per daemon, on the server thread, brought up
// to date with the control thread's events each time it is asked for.
#include "daemon/server/connection.hpp"
#include "daemon/server/server_core.hpp"

namespace traction {

RemoteStartGrant& ServerCore::remote_start() {
  if (remote_start_.active()) {
    remote_start_.observe(ports_.control.events_after(remote_start_.event_cursor()));
  }
  return remote_start_;
}

RemoteStartGrant& Connection::remote_start() {
  return core_.remote_start();
}

}  // namespace traction
