// SPDX-License-Identifier: Apache-2.0
// The per-connection I/O of tractiond-web, for plain TCP and for TLS alike (Stream is
// beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>): an HTTP session that answers
// requests through PanelRoutes and upgrades to a WebSocket session. Only I/O lives here; what the
// messages mean is PanelRoutes', BrowserRelay's and StopRelay's. Included by web_server.cpp only.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "web/browser_relay.hpp"
#include "web/http_routes.hpp"

namespace traction::web {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Holds one of the server's connection slots while a session lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<std::size_t> count) : count_(std::move(count)) {
    ++*count_;
  }
  ~ConnectionSlot() { --*count_; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<std::size_t> count_;
};

// One WebSocket: reads page messages into the handler, writes its messages from a bounded queue
// (one write at a time, as Beast requires; reading goes on meanwhile).
template <class Stream>
class WsSession : public PageSink, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, std::shared_ptr<PageHandler> handler, std::size_t max_message,
            std::size_t max_queued, std::shared_ptr<ConnectionSlot> slot)
      : ws_(std::move(stream)),
        handler_(std::move(handler)),
        max_queued_(max_queued),
        slot_(std::move(slot)) {
    ws_.read_message_max(max_message);
  }

  void run(HttpRequest request) {
    beast::get_lowest_layer(ws_).expires_never();
    // A page that sends nothing (the STOP socket, until a STOP) is pinged every 15 s; one that
    // answers nothing for 30 s is gone and dropped.
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = std::chrono::seconds(30);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::server, "tractiond-web");
    }));
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->finish();
      self->handler_->on_open(self);
      self->read_next();
    });
  }

  void send_text(std::string text) override {
    if (closing_ || finished_) return;
    queued_bytes_ += text.size();
    if (queued_bytes_ > max_queued_) return close_page("the page stopped reading");
    queue_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void close_page(const std::string& why) override {
    if (closing_ || finished_) return;
    closing_ = true;
    close_reason_ = why.substr(0, 120);
    if (!writing_) do_close();
  }

 private:
  void read_next() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish();
      if (!self->ws_.got_text()) return self->close_page("text messages only");
      const std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (!self->closing_) self->handler_->on_message(text);
      self->read_next();
    });
  }

  void write_next() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return self->finish();
                      self->queued_bytes_ -= self->queue_.front().size();
                      self->queue_.pop_front();
                      if (self->closing_) return self->do_close();
                      if (!self->queue_.empty()) self->write_next();
                    });
  }

  void do_close() {
    queue_.clear();
    queued_bytes_ = 0;
    websocket::close_reason reason(websocket::close_code::try_again_later);
    reason.reason = close_reason_;
    ws_.async_close(reason,
                    [self = this->shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    handler_->on_close();
  }

  websocket::stream<Stream> ws_;
  std::shared_ptr<PageHandler> handler_;
  std::size_t max_queued_;
  std::shared_ptr<ConnectionSlot> slot_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::string close_reason_;
};

// One HTTP connection: requests one at a time (a login's answer may come later), bounded header
// and body sizes, a read timeout; a WebSocket upgrade hands the stream to a WsSession.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  HttpSession(Stream&& stream, PanelContext& context, PanelRoutes& routes, std::string remote,
              std::shared_ptr<ConnectionSlot> slot)
      : stream_(std::move(stream)),
        context_(context),
        routes_(routes),
        remote_(std::move(remote)),
        slot_(std::move(slot)) {}

  void run() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(15));
      stream_.async_handshake(boost::asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read_next();
                              });
    } else {
      read_next();
    }
  }

 private:
  void read_next() {
    parser_.emplace();
    parser_->header_limit(8192);
    parser_->body_limit(16384);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->shut_down();
                       self->on_request(self->parser_->release());
                     });
  }

  void on_request(HttpRequest request) {
    if (websocket::is_upgrade(request)) return upgrade(std::move(request));
    routes_.handle(request, remote_, [self = this->shared_from_this()](HttpResponse response) {
      self->write(std::move(response));
    });
  }

  void upgrade(HttpRequest request) {
    PanelRoutes::Upgrade checked = routes_.check_upgrade(request, remote_);
    if (checked.refusal) {
      checked.refusal->keep_alive(false);
      return write(std::move(*checked.refusal));
    }
    std::shared_ptr<PageHandler> handler;
    std::size_t max_message = 1024;
    if (checked.kind == SocketKind::relay) {
      handler = std::make_shared<BrowserRelay>(context_, std::move(checked.who));
      max_message = context_.config.limits.max_message_bytes;
    } else {
      handler = std::make_shared<StopRelay>(context_, std::move(checked.who));
    }
    std::make_shared<WsSession<Stream>>(std::move(stream_), std::move(handler), max_message,
                                        context_.config.limits.max_queued_bytes, slot_)
        ->run(std::move(request));
  }

  void write(HttpResponse response) {
    auto shared = std::make_shared<HttpResponse>(std::move(response));
    http::async_write(stream_, *shared,
                      [self = this->shared_from_this(), shared](beast::error_code ec, std::size_t) {
                        if (ec || !shared->keep_alive()) return self->shut_down();
                        self->read_next();
                      });
  }

  void shut_down() {
    beast::error_code ignored;
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  PanelContext& context_;
  PanelRoutes& routes_;
  std::string remote_;
  std::shared_ptr<ConnectionSlot> slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace traction::web
