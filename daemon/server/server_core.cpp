// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/server_core.hpp"

#include <spdlog/spdlog.h>

#include "daemon/server/status_json.hpp"

namespace traction {
namespace {

using SteadyClock = std::chrono::steady_clock;
// Events are polled at 100 Hz so that each goes out as soon as it is seen; status.update rates
// (1..50 Hz) are multiples of this tick closely enough.
constexpr auto kTick = std::chrono::milliseconds(10);
// Connections over the cap that may still send one device.estop (each for at most a second).
constexpr std::size_t kEstopOnlySlots = 4;

}  // namespace

ServerCore::ServerCore(std::shared_ptr<asio::io_context> io, ServerConfig config, DaemonPorts ports,
                       UnixAcceptor acceptor, RoleResolver roles)
    : io_(std::move(io)),
      config_(std::move(config)),
      ports_(std::move(ports)),
      acceptor_(std::move(acceptor)),
      roles_(std::move(roles)),
      accept_backoff_(*io_),
      tick_timer_(*io_) {}

void ServerCore::start() {
  accept_next();
}

nlohmann::json ServerCore::protocol_info() const {
  return {{"version", rpc::kProtocolVersion},
          {"framing", "JSON-RPC 2.0, one object per line"},
          {"max_line_bytes", config_.max_line_bytes},
          {"max_connections", config_.max_connections},
          {"batches", false},
          {"idle_timeout_seconds", config_.idle_timeout_seconds}};
}

void ServerCore::shutdown() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_backoff_.cancel();
  tick_timer_.cancel();
  ticking_ = false;
  // close() removes the connection from the registry: iterate over a copy.
  auto connections = connections_;
  for (auto& [id, connection] : connections) connection->close("server stopping");
  connections_.clear();
}

void ServerCore::forget(std::uint64_t id) {
  connections_.erase(id);
}

void ServerCore::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, UnixSocket socket) {
    if (stopped_) return;
    if (ec) {
      // EMFILE and friends leave the peer in the backlog: wait instead of spinning on it.
      spdlog::warn("control socket: accept failed: {}", ec.message());
      accept_backoff_.expires_after(std::chrono::milliseconds(100));
      accept_backoff_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && !stopped_) accept_next();
      });
      return;
    }
    admit(std::move(socket));
    accept_next();
  });
}

void ServerCore::reject(UnixSocket& socket, const char* reason, const std::string& message) {
  // A fresh socket's send buffer is empty: this short line is written at once or not at all.
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  const std::string line = rpc::encode_error(
      nullptr,
      rpc::RpcError{rpc::app_error_code(reason), message, reason, nlohmann::json::object()});
  socket.write_some(asio::buffer(line), ignored);
  socket.shutdown(UnixSocket::shutdown_both, ignored);
  socket.close(ignored);
}

void ServerCore::admit(UnixSocket socket) {
  auto peer = read_peer_credentials(socket.native_handle());
  if (!peer) {
    spdlog::warn("control socket: refusing a connection: {}", peer.status().message());
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  std::size_t estop_only = 0;
  for (const auto& [id, connection] : connections_) estop_only += connection->estop_only() ? 1 : 0;
  const bool over_cap = connections_.size() - estop_only >= config_.max_connections;
  if (over_cap) {
    spdlog::warn("control socket: {} is over the cap of {} connections{}", peer->describe(),
                 config_.max_connections, estop_only < kEstopOnlySlots ? ": estop only" : "");
    if (estop_only >= kEstopOnlySlots) {
      reject(socket, rpc::server_reason::kTooManyConnections,
             "too many connections (" + std::to_string(config_.max_connections) +
                 "); try again later");
      return;
    }
  }
  const Role role = roles_.role_of(*peer);
  const std::uint64_t id = next_id_++;
  spdlog::debug("control socket: connection {} from {} as {}", id, peer->describe(),
                to_string(role));
  auto connection =
      std::make_shared<Connection>(*this, std::move(socket), std::move(*peer), role, id, over_cap);
  connections_.emplace(id, connection);
  connection->start();
}

void ServerCore::publisher_wanted(std::uint64_t seq) {
  if (ticking_) return;
  ticking_ = true;
  event_cursor_ = seq;
  next_tick_ = SteadyClock::now();
  // Posted, so that the subscribe reply goes out before the first status.update.
  asio::post(*io_, [this] { publish_tick(); });
}

void ServerCore::publish_tick() {
  if (stopped_) return;
  std::vector<std::shared_ptr<Connection>> subscribers;
  for (const auto& [id, connection] : connections_) {
    if (connection->subscription().active) subscribers.push_back(connection);
  }
  if (subscribers.empty()) {
    ticking_ = false;  // nobody listens: stop polling the port until the next subscribe
    return;
  }
  // Before the events go out: a subscriber then sees an ending event and the grant's end together.
  const bool grant = grant_changed();
  publish_events(subscribers);
  publish_status(subscribers, grant);
  // Absolute deadlines; after a stall, skip ahead instead of bursting.
  next_tick_ += kTick;
  const auto now = SteadyClock::now();
  if (next_tick_ < now) next_tick_ = now + kTick;
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) publish_tick();
  });
}

void ServerCore::publish_events(const std::vector<std::shared_ptr<Connection>>& subscribers) {
  bool wanted = false;
  for (const auto& connection : subscribers) wanted = wanted || connection->subscription().events;
  if (!wanted) return;
  const std::vector<Event> events = ports_.control.events_after(event_cursor_);
  for (const Event& event : events) {
    const std::string line = rpc::encode_notification("event", event_to_json(event));
    for (const auto& connection : subscribers) {
      auto& subscription = connection->subscription();
      if (!subscription.active || !subscription.events ||
          event.seq <= subscription.events_after_seq) {
        continue;
      }
      subscription.events_after_seq = event.seq;
      connection->send(line);
    }
    event_cursor_ = std::max(event_cursor_, event.seq);
  }
}

bool ServerCore::grant_changed() {
  const bool granted = remote_start().granted(SteadyClock::now());
  const bool changed = granted != grant_seen_;
  grant_seen_ = granted;
  return changed;
}

void ServerCore::publish_status(const std::vector<std::shared_ptr<Connection>>& subscribers,
                                bool everyone) {
  const auto now = SteadyClock::now();
  std::optional<nlohmann::json> status;  // one snapshot per tick, only when someone is due
  std::uint64_t last_event_seq = 0;
  for (const auto& connection : subscribers) {
    auto& subscription = connection->subscription();
    if (!subscription.active || (!everyone && subscription.next_due > now)) continue;
    if (!status) {
      const StatusSnapshot snapshot = ports_.control.snapshot();
      last_event_seq = snapshot.last_event_seq;
      status = status_to_json(snapshot, now);
      (*status)["remote_start"] = remote_start().to_json(now);
    }
    subscription.next_due += subscription.period;
    // An update out of turn starts the period anew.
    if (everyone || subscription.next_due <= now) subscription.next_due = now + subscription.period;
    connection->send(rpc::encode_notification("status.update", {{"seq", ++subscription.update_seq},
                                                                {"last_event_seq", last_event_seq},
                                                                {"status", *status}}));
  }
}

}  // namespace traction
