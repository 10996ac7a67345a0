// SPDX-License-Identifier: Apache-2.0
// The control socket: JSON-RPC 2.0 over a Unix stream socket, served by Boost.Asio on a thread of
// its own, apart from the control thread. It never blocks the control loop: it only calls the
// daemon's ports (control_api.hpp), whose calls return promptly, and hears back through posted
// replies and polled snapshots and events.
#pragma once

#include <memory>
#include <thread>

#include "core/result.hpp"
#include "daemon/control_api.hpp"
#include "daemon/server/server_config.hpp"

namespace boost::asio {
class io_context;
}

namespace traction {

class ServerCore;

class ControlServer {
 public:
  // The ports must outlive the server.
  ControlServer(ServerConfig config, DaemonPorts ports);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds the socket (or adopts config.inherited_fd), sets its mode and group, and starts the
  // server thread. A stale socket file is replaced; a live one (another daemon answers) is an
  // error. Errc::config for a path or group that cannot be used, Errc::refused when the path is
  // in use, Errc::state when already started.
  Status start();
  // Closes the socket and every connection, joins the thread and removes the socket file it
  // created. Idempotent; also run by the destructor.
  void stop();

 private:
  ServerConfig config_;
  DaemonPorts ports_;
  std::shared_ptr<boost::asio::io_context> io_;
  std::unique_ptr<ServerCore> core_;
  std::thread thread_;
  bool started_ = false;
  bool created_socket_file_ = false;
};

}  // namespace traction
