// SPDX-License-Identifier: Apache-2.0
// One client connection: reassembles lines, dispatches requests through the method table, and
// writes replies and notifications through a bounded queue. Lives on the server thread only.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "daemon/server/asio.hpp"
#include "daemon/server/method_table.hpp"

namespace traction {

class ServerCore;

// This connection's subscription, read and advanced by the publisher.
struct Subscription {
  bool active = false;
  bool events = true;
  std::chrono::steady_clock::duration period{};
  std::chrono::steady_clock::time_point next_due{};
  std::uint64_t update_seq = 0;        // status.update count of this subscription
  std::uint64_t events_after_seq = 0;  // events with a larger seq are sent
};

class Connection : public std::enable_shared_from_this<Connection>, public MethodContext {
 public:
  // An `estop_only` connection arrived over the connection cap: it may send one device.estop
  // within a second (an emergency stop is never refused); anything else, or silence, gets
  // too_many_connections and the connection is closed.
  Connection(ServerCore& core, UnixSocket socket, PeerCredentials peer, Role role, std::uint64_t id,
             bool estop_only = false);

  // Starts reading, the idle timer and the writer. Call once, right after construction.
  void start();
  // Closes the socket and leaves the server's registry; idempotent.
  void close(const std::string& why);
  // Queues one encoded line. A queue over the cap means the client stopped reading: it is dropped.
  void send(std::string line);

  std::uint64_t id() const { return id_; }
  bool estop_only() const { return estop_only_; }
  Subscription& subscription() { return subscription_; }

  // MethodContext
  DaemonPorts& ports() override;
  const PeerCredentials& peer() const override { return peer_; }
  Role role() const override { return role_; }
  bool lower_role(Role role) override;
  void mark_remote() override { remote_ = true; }
  bool remote() const override { return remote_; }
  RemoteStartGrant& remote_start() override;
  nlohmann::json server_info() const override;
  nlohmann::json subscribe(double rate_hz, bool events) override;
  bool unsubscribe() override;
  using MethodContext::submit;
  void submit(ControlCommand command, Responder respond) override;
  Poster poster() override;

 private:
  void read_next();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  // Splits complete lines out of `pending_`; false when the connection must end (line too long).
  bool consume_lines();
  void handle_line(std::string_view line);
  void dispatch(const rpc::Request& request);
  Responder make_responder(const rpc::Request& request);
  void write_next();
  void arm_idle_timer();
  void refuse_over_cap(const nlohmann::json& id);
  // Sends `line`, then closes once the queue has drained.
  void send_and_close(std::string line, const std::string& why);

  ServerCore& core_;
  UnixSocket socket_;
  asio::steady_timer idle_timer_;
  PeerCredentials peer_;
  Role role_;
  std::uint64_t id_;
  bool estop_only_;
  bool remote_ = false;  // one way: connection.mark_remote
  std::array<char, 4096> chunk_{};
  std::string pending_;      // bytes received, not yet a full line
  std::size_t scanned_ = 0;  // bytes of pending_ already searched for '\n'
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;  // no more reading; close when the queue drains
  bool closed_ = false;
  std::size_t pending_commands_ = 0;
  std::chrono::steady_clock::time_point last_request_;
  Subscription subscription_;
};

}  // namespace traction
