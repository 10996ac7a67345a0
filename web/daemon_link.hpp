// SPDX-License-Identifier: Apache-2.0
// One connection from tractiond-web to the daemon's control socket: JSON-RPC lines out through a
// queue (writes never interleave), lines in to a callback. Lives on the panel's I/O thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace traction::web {

namespace asio = boost::asio;

class DaemonLink : public std::enable_shared_from_this<DaemonLink> {
 public:
  struct Handlers {
    std::function<void(const std::string& line)> on_line;   // one line from the daemon, no '\n'
    std::function<void(const std::string& why)> on_closed;  // once, after open() succeeded
  };

  // `max_line_bytes` caps a line from the daemon (a history with samples is the largest reply).
  static std::shared_ptr<DaemonLink> create(asio::io_context& io, std::string socket_path,
                                            std::size_t max_line_bytes, Handlers handlers);

  // Connects; `connected` gets "" on success, else why not. Call once.
  void open(std::function<void(const std::string& error)> connected);
  // Queues `line` (without '\n'). Lines go out in order; more than 4 MiB waiting closes the link.
  void send(std::string line);
  // Closes without calling on_closed; idempotent.
  void close();
  bool is_open() const { return open_; }

 private:
  DaemonLink(asio::io_context& io, std::string socket_path, std::size_t max_line_bytes,
             Handlers handlers);
  void read_next();
  void write_next();
  void fail(const std::string& why);

  asio::local::stream_protocol::socket socket_;
  std::string socket_path_;
  std::size_t max_line_bytes_;
  Handlers handlers_;
  std::string incoming_;
  std::deque<std::string> outgoing_;
  std::size_t outgoing_bytes_ = 0;
  bool writing_ = false;
  bool open_ = false;
  bool closed_ = false;
};

}  // namespace traction::web
