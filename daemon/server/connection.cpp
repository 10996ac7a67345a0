// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/connection.hpp"

#include <spdlog/spdlog.h>

#include "core/text_match.hpp"
#include "daemon/server/server_core.hpp"

namespace traction {
namespace {

using SteadyClock = std::chrono::steady_clock;

rpc::RpcError error_of(int code, const char* reason, std::string message) {
  return rpc::RpcError{code, std::move(message), reason, nlohmann::json::object()};
}

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const auto& spec : method_table()) names.emplace_back(spec.name);
  return names;
}

}  // namespace

Connection::Connection(ServerCore& core, UnixSocket socket, PeerCredentials peer, Role role,
                       std::uint64_t id, bool estop_only)
    : core_(core),
      socket_(std::move(socket)),
      idle_timer_(socket_.get_executor()),
      peer_(std::move(peer)),
      role_(role),
      id_(id),
      estop_only_(estop_only),
      last_request_(SteadyClock::now()) {}

void Connection::start() {
  read_next();
  arm_idle_timer();
}

DaemonPorts& Connection::ports() {
  return core_.ports();
}

nlohmann::json Connection::server_info() const {
  return core_.protocol_info();
}

void Connection::close(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  subscription_.active = false;
  spdlog::debug("control socket: closing connection {} ({}): {}", id_, peer_.describe(), why);
  boost::system::error_code ignored;
  idle_timer_.cancel();
  socket_.shutdown(UnixSocket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  queued_bytes_ = 0;
  core_.forget(id_);  // may release the last owner: touch nothing after this
}

void Connection::send(std::string line) {
  if (closed_) return;
  if (queued_bytes_ + line.size() > core_.config().max_queued_bytes) {
    // gpsd's rule: a client that stops reading is dropped, never buffered without bound.
    spdlog::warn("control socket: dropping {} ({}): {} bytes queued and not read", id_,
                 peer_.describe(), queued_bytes_);
    close("outgoing queue full");
    return;
  }
  queued_bytes_ += line.size();
  queue_.push_back(std::move(line));
  if (!writing_) write_next();
}

void Connection::write_next() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_) close("reply sent before closing");
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(queue_.front()),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      if (self->closed_) return;
                      if (ec) {
                        self->close("write failed: " + ec.message());
                        return;
                      }
                      self->queued_bytes_ -= self->queue_.front().size();
                      self->queue_.pop_front();
                      self->write_next();
                    });
}

void Connection::send_and_close(std::string line, const std::string& why) {
  spdlog::debug("control socket: connection {} ends: {}", id_, why);
  send(std::move(line));
  closing_ = true;
  if (!writing_) close(why);
}

void Connection::read_next() {
  socket_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  if (closed_) return;
  if (ec) {
    // EOF after a half-close still lets queued replies go out.
    if (ec == asio::error::eof) {
      closing_ = true;
      if (!writing_) close("peer closed");
    } else {
      close("read ended: " + ec.message());
    }
    return;
  }
  if (closing_) return;
  pending_.append(chunk_.data(), bytes);
  if (consume_lines() && !closing_) read_next();
}

bool Connection::consume_lines() {
  std::size_t start = 0;
  for (;;) {
    const std::size_t newline = pending_.find('\n', std::max(start, scanned_));
    if (newline == std::string::npos) break;
    const std::size_t length = newline - start;
    if (length > core_.config().max_line_bytes) break;  // reported below
    handle_line(std::string_view(pending_).substr(start, length));
    if (closing_) return false;
    start = newline + 1;
  }
  pending_.erase(0, start);
  scanned_ = pending_.size();
  const std::size_t newline = pending_.find('\n');
  const std::size_t line_bytes = newline == std::string::npos ? pending_.size() : newline;
  if (line_bytes > core_.config().max_line_bytes) {
    spdlog::warn("control socket: {} sent a line over {} bytes; closing", peer_.describe(),
                 core_.config().max_line_bytes);
    pending_.clear();
    send_and_close(
        rpc::encode_error(
            nullptr, error_of(rpc::kInvalidRequest, rpc::server_reason::kLineTooLong,
                              "line longer than " + std::to_string(core_.config().max_line_bytes) +
                                  " bytes; closing")),
        "line too long");
    return false;
  }
  return true;
}

void Connection::handle_line(std::string_view line) {
  // A slow writer keeps its connection only by completing requests: bytes alone do not count.
  last_request_ = SteadyClock::now();
  if (line.empty() || line == "\r") return;  // blank lines are tolerated, not answered
  rpc::Decoded decoded = rpc::decode_request(line);
  if (decoded.error) {
    send(rpc::encode_error(decoded.error_id, *decoded.error));
    return;
  }
  dispatch(*decoded.request);
}

Responder Connection::make_responder(const rpc::Request& request) {
  if (request.notification) {
    return [](const rpc::RpcReply&) {};  // JSON-RPC: a notification is never answered
  }
  // Only a weak reference: a reply may arrive after the client has gone.
  return [weak = weak_from_this(), id = request.id](const rpc::RpcReply& reply) {
    if (auto self = weak.lock()) self->send(rpc::encode_reply(id, reply));
  };
}

void Connection::refuse_over_cap(const nlohmann::json& id) {
  send_and_close(
      rpc::encode_error(
          id, error_of(rpc::app_error_code(rpc::server_reason::kTooManyConnections),
                       rpc::server_reason::kTooManyConnections,
                       "too many connections (" + std::to_string(core_.config().max_connections) +
                           "); only device.estop is served; try again later")),
      "over the connection cap");
}

void Connection::dispatch(const rpc::Request& request) {
  if (estop_only_) {
    if (request.method != "device.estop") {
      refuse_over_cap(request.id);
      return;
    }
    closing_ = true;  // read nothing more; close once the estop's reply has gone out
  }
  Responder respond = make_responder(request);
  const MethodSpec* spec = find_method(request.method);
  if (spec == nullptr) {
    const std::string hint = closest_match(request.method, method_names());
    auto error = error_of(rpc::kMethodNotFound, rpc::server_reason::kMethodNotFound,
                          "unknown method \"" + request.method + "\"" +
                              (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    respond(rpc::RpcReply::fail(std::move(error)));
    return;
  }
  if (role_ < spec->role) {
    spdlog::warn("control socket: {} denied to {} (role {}, needs {})", spec->name,
                 peer_.describe(), to_string(role_), to_string(spec->role));
    auto error = error_of(rpc::app_error_code(reason::kPermissionDenied), reason::kPermissionDenied,
                          std::string(spec->name) + " needs the " + to_string(spec->role) +
                              " role; this connection has " + to_string(role_));
    error.data["required_role"] = to_string(spec->role);
    error.data["role"] = to_string(role_);
    respond(rpc::RpcReply::fail(std::move(error)));
    return;
  }
  if (auto error = check_params(spec->params, request.params)) {
    respond(rpc::RpcReply::fail(std::move(*error)));
    return;
  }
  if (spec->changes_state) {
    // Params are logged for forensics, cut short: an inline program can be 64 KiB.
    std::string params = request.params.empty() ? "" : " params " + request.params.dump();
    if (params.size() > 240) params = params.substr(0, 237) + "...";
    spdlog::info("control socket: {} by {} (role {}){}", spec->name, peer_.describe(),
                 to_string(role_), params);
  }
  try {
    spec->handler(*this, request.params, respond);
  } catch (const std::exception& e) {
    // Inside this module an exception is a bug or a catalog surprise; the client gets an answer.
    spdlog::error("control socket: {} failed: {}", spec->name, e.what());
    respond(rpc::RpcReply::fail(error_of(rpc::kInternalError, rpc::server_reason::kInternal,
                                         std::string(spec->name) + " failed: " + e.what())));
  }
}

bool Connection::lower_role(Role role) {
  if (role > role_) return false;
  role_ = role;
  return true;
}

nlohmann::json Connection::subscribe(double rate_hz, bool events) {
  const auto now = SteadyClock::now();
  if (!subscription_.active) {
    subscription_ = Subscription{};
    subscription_.active = true;
    subscription_.events_after_seq = core_.ports().control.snapshot().last_event_seq;
    subscription_.next_due = now;  // the first update goes out at once
  }
  subscription_.events = events;
  subscription_.period = std::chrono::duration_cast<SteadyClock::duration>(
      std::chrono::duration<double>(1.0 / rate_hz));
  core_.publisher_wanted(subscription_.events_after_seq);
  return {{"subscribed", true},
          {"rate_hz", rate_hz},
          {"events", events},
          {"last_event_seq", subscription_.events_after_seq}};
}

bool Connection::unsubscribe() {
  const bool was = subscription_.active;
  subscription_.active = false;
  last_request_ = SteadyClock::now();  // the idle clock starts now
  return was;
}

void Connection::submit(ControlCommand command, Responder respond) {
  // An estop is never refused, whatever else this connection has in flight.
  const bool counted = command.kind != CommandKind::estop;
  if (counted && pending_commands_ >= core_.config().max_pending_commands) {
    respond(
        rpc::RpcReply::fail(error_of(rpc::app_error_code(rpc::server_reason::kTooManyRequests),
                                     rpc::server_reason::kTooManyRequests,
                                     "too many commands of this connection are still pending")));
    return;
  }
  if (counted) ++pending_commands_;
  command.requested_by = peer_.describe();
  // `done` runs on the control thread: it only posts; the reply is written on the server thread.
  command.done = [io = core_.io_handle(), weak = weak_from_this(), counted,
                  respond = std::move(respond)](CommandReply reply) {
    asio::post(*io, [weak, counted, respond, reply = std::move(reply)] {
      if (auto self = weak.lock(); self && counted && self->pending_commands_ > 0) {
        --self->pending_commands_;
      }
      if (reply.error) {
        respond(rpc::RpcReply::fail(rpc::from_api_error(*reply.error)));
      } else {
        respond(rpc::RpcReply::ok(reply.result));
      }
    });
  };
  core_.ports().control.submit(std::move(command));
}

MethodContext::Poster Connection::poster() {
  using Work = std::function<void(MethodContext&)>;
  return [io = core_.io_handle(), weak = weak_from_this()](Work work) {
    asio::post(*io, [weak, work = std::move(work)] {
      if (auto self = weak.lock(); self && !self->closed_) work(*self);
    });
  };
}

void Connection::arm_idle_timer() {
  if (estop_only_) {
    // One second to send an estop; then the slot over the cap is given back.
    idle_timer_.expires_after(std::chrono::seconds(1));
    idle_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_) return;
      if (self->closing_) {
        self->close("estop-only slot expired");
      } else {
        self->refuse_over_cap(nullptr);
      }
    });
    return;
  }
  const auto timeout = std::chrono::seconds(core_.config().idle_timeout_seconds);
  idle_timer_.expires_at(last_request_ + timeout);
  idle_timer_.async_wait([weak = weak_from_this(), timeout](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_ || self->closing_) return;
    // A subscriber is reading by definition; only silent non-subscribers are timed out.
    if (!self->subscription_.active && SteadyClock::now() - self->last_request_ >= timeout) {
      self->send_and_close(
          rpc::encode_error(nullptr, error_of(rpc::app_error_code(rpc::server_reason::kIdleTimeout),
                                              rpc::server_reason::kIdleTimeout,
                                              "no complete request for " +
                                                  std::to_string(timeout.count()) + " s; closing")),
          "idle");
      return;
    }
    if (self->subscription_.active) self->last_request_ = SteadyClock::now();
    self->arm_idle_timer();
  });
}

}  // namespace traction
