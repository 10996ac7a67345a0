// SPDX-License-Identifier: Apache-2.0
// The server thread's state: the acceptor, the live connections and the publisher that turns the
// port's snapshots and events into notifications. Every member is touched on the server thread
// only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "daemon/control_api.hpp"
#include "daemon/server/asio.hpp"
#include "daemon/server/connection.hpp"
#include "daemon/server/peer_access.hpp"
#include "daemon/server/server_config.hpp"

namespace traction {

class ServerCore {
 public:
  ServerCore(std::shared_ptr<asio::io_context> io, ServerConfig config, DaemonPorts ports,
             UnixAcceptor acceptor, RoleResolver roles);

  // Starts accepting. Server thread.
  void start();
  // Closes the acceptor and every connection and stops the publisher; run() then returns.
  void shutdown();

  DaemonPorts& ports() { return ports_; }
  const ServerConfig& config() const { return config_; }
  const std::shared_ptr<asio::io_context>& io_handle() const { return io_; }
  nlohmann::json protocol_info() const;
  // The remote start grant, up to date with the events (server_remote_start.cpp).
  RemoteStartGrant& remote_start();
  // A connection has ended: drop it from the registry.
  void forget(std::uint64_t id);
  // A connection subscribed; events after `seq` are wanted. Starts the publisher if idle.
  void publisher_wanted(std::uint64_t seq);

 private:
  void accept_next();
  void admit(UnixSocket socket);
  void reject(UnixSocket& socket, const char* reason, const std::string& message);
  void publish_tick();
  void publish_events(const std::vector<std::shared_ptr<Connection>>& subscribers);
  // `everyone`: every subscriber gets one now, due or not (the remote start grant changed).
  void publish_status(const std::vector<std::shared_ptr<Connection>>& subscribers, bool everyone);
  // Whether the grant changed (made, ended, expired) since the last tick.
  bool grant_changed();

  std::shared_ptr<asio::io_context> io_;
  ServerConfig config_;
  DaemonPorts ports_;
  UnixAcceptor acceptor_;
  RoleResolver roles_;
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
  std::uint64_t next_id_ = 1;
  bool stopped_ = false;
  // Publisher: one poll of the port per tick, shared by all subscribers.
  asio::steady_timer accept_backoff_;
  asio::steady_timer tick_timer_;
  bool ticking_ = false;
  std::chrono::steady_clock::time_point next_tick_{};
  std::uint64_t event_cursor_ = 0;
  RemoteStartGrant remote_start_;
  bool grant_seen_ = false;  // the grant as of the last tick: a change is pushed at once
};

}  // namespace traction
