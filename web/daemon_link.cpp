// SPDX-License-Identifier: Apache-2.0
#include "web/daemon_link.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace traction::web {
namespace {

constexpr std::size_t kMaxOutgoingBytes = 4 << 20;

}  // namespace

std::shared_ptr<DaemonLink> DaemonLink::create(asio::io_context& io, std::string socket_path,
                                               std::size_t max_line_bytes, Handlers handlers) {
  return std::shared_ptr<DaemonLink>(
      new DaemonLink(io, std::move(socket_path), max_line_bytes, std::move(handlers)));
}

DaemonLink::DaemonLink(asio::io_context& io, std::string socket_path, std::size_t max_line_bytes,
                       Handlers handlers)
    : socket_(io),
      socket_path_(std::move(socket_path)),
      max_line_bytes_(max_line_bytes),
      handlers_(std::move(handlers)) {}

void DaemonLink::open(std::function<void(const std::string& error)> connected) {
  socket_.async_connect(
      asio::local::stream_protocol::endpoint(socket_path_),
      [self = shared_from_this(), connected = std::move(connected)](boost::system::error_code ec) {
        if (self->closed_) return connected("closed");
        if (ec) {
          self->closed_ = true;
          return connected("cannot connect to " + self->socket_path_ + ": " + ec.message());
        }
        self->open_ = true;
        self->read_next();
        if (!self->outgoing_.empty()) self->write_next();
        connected("");
      });
}

void DaemonLink::send(std::string line) {
  if (closed_) return;
  line.push_back('\n');
  outgoing_bytes_ += line.size();
  if (outgoing_bytes_ > kMaxOutgoingBytes) return fail("the daemon stopped reading");
  outgoing_.push_back(std::move(line));
  if (open_ && !writing_) write_next();
}

void DaemonLink::write_next() {
  if (outgoing_.empty() || closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(outgoing_.front()),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      if (self->closed_) return;
                      if (ec) return self->fail("write to the daemon failed: " + ec.message());
                      self->outgoing_bytes_ -= self->outgoing_.front().size();
                      self->outgoing_.pop_front();
                      self->write_next();
                    });
}

void DaemonLink::read_next() {
  asio::async_read_until(
      socket_, asio::dynamic_buffer(incoming_, max_line_bytes_ + 1), '\n',
      [self = shared_from_this()](boost::system::error_code ec, std::size_t length) {
        if (self->closed_) return;
        if (ec == asio::error::not_found) return self->fail("a daemon line over the size cap");
        if (ec) {
          return self->fail(ec == asio::error::eof
                                ? "the daemon closed the connection"
                                : "read from the daemon failed: " + ec.message());
        }
        std::string line = self->incoming_.substr(0, length - 1);
        self->incoming_.erase(0, length);
        if (self->handlers_.on_line) self->handlers_.on_line(line);
        if (!self->closed_) self->read_next();
      });
}

void DaemonLink::fail(const std::string& why) {
  if (closed_) return;
  const bool was_open = open_;
  close();
  if (was_open && handlers_.on_closed) handlers_.on_closed(why);
}

void DaemonLink::close() {
  if (closed_) return;
  closed_ = true;
  open_ = false;
  outgoing_.clear();
  outgoing_bytes_ = 0;
  boost::system::error_code ignored;
  socket_.shutdown(asio::local::stream_protocol::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace traction::web
