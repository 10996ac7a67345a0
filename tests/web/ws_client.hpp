// SPDX-License-Identifier: Apache-2.0
// A small WebSocket and HTTP client (Boost.Beast) for tests and benchmarks of tractiond-web: what
// a page does, without a browser. Each call has a deadline.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace traction::web::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = 0;
  std::string body;
  std::string set_cookie;
};

inline tcp::endpoint loopback(int port) {
  return {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)};
}

// One HTTP/1.1 request to 127.0.0.1:port with `headers`; Host is 127.0.0.1:port unless given.
inline HttpReply http_request(int port, http::verb verb, const std::string& target,
                              const std::string& body = "", const Headers& headers = {},
                              const std::string& host = "") {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(loopback(port));
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, host.empty() ? "127.0.0.1:" + std::to_string(port) : host);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  HttpReply out{static_cast<int>(response.result_int()), response.body(), ""};
  if (auto it = response.find(http::field::set_cookie); it != response.end()) {
    out.set_cookie = std::string(it->value());
  }
  return out;
}

// The HTTP status a WebSocket upgrade of `path` gets with these Origin and Host headers (101 when
// it is accepted).
inline int upgrade_status(int port, const std::string& path, const std::string& origin,
                          const std::string& host = "") {
  return http_request(port, http::verb::get, path, "",
                      {{"Connection", "Upgrade"},
                       {"Upgrade", "websocket"},
                       {"Sec-WebSocket-Version", "13"},
                       {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                       {"Origin", origin}},
                      host)
      .status;
}

// A page's WebSocket. One thread runs its I/O: reads go on all the time (answering the panel's
// pings) into a queue that read() waits on; send() hands a message to that thread, which writes it
// at once. (A blocking read with a deadline would close the socket when the deadline passes.)
class WsClient {
 public:
  // Opens ws://127.0.0.1:port/path with `origin` (default: the page's own) and `host` (default
  // 127.0.0.1:port); open() is false when the upgrade was refused (upgrade_status() tells why).
  WsClient(int port, const std::string& path, std::string origin = "", std::string host = "",
           std::string cookie = "")
      : ws_(io_), guard_(io_.get_executor()) {
    const std::string host_header = host.empty() ? "127.0.0.1:" + std::to_string(port) : host;
    if (origin.empty()) origin = "http://" + host_header;
    auto& lowest = beast::get_lowest_layer(ws_);
    lowest.expires_after(std::chrono::seconds(10));
    beast::error_code ec;
    lowest.socket().connect(loopback(port), ec);
    if (ec) return;
    lowest.socket().set_option(tcp::no_delay(true));
    ws_.set_option(websocket::stream_base::decorator([origin, cookie](websocket::request_type& r) {
      r.set(http::field::origin, origin);
      if (!cookie.empty()) r.set(http::field::cookie, cookie);
    }));
    ws_.handshake(host_header, path, ec);
    lowest.expires_never();
    if (ec) return;
    open_ = true;
    read_next();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~WsClient() {
    boost::asio::post(io_, [this] {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
    });
    guard_.reset();
    if (thread_.joinable()) thread_.join();
  }
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  bool open() const {
    std::lock_guard lock(mutex_);
    return open_ || !received_.empty();
  }

  void send(const std::string& text) {
    boost::asio::post(io_, [this, text] {
      outgoing_.push_back(text);
      if (outgoing_.size() == 1) write_next();
    });
  }
  void send(const nlohmann::json& message) { send(message.dump()); }

  // The next message within `timeout`, or nullopt (timeout, or closed: see closed_reason()).
  std::optional<nlohmann::json> read(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, timeout, [&] { return !received_.empty() || !open_; });
    if (received_.empty()) return std::nullopt;
    std::string text = std::move(received_.front());
    received_.pop_front();
    return nlohmann::json::parse(text, nullptr, false);
  }

  // Reads until the reply with `id` (or, with `method`, that notification) arrives; other
  // messages are dropped.
  std::optional<nlohmann::json> wait_for(
      const nlohmann::json& id, const std::string& method = "",
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto message = read(std::max(left, std::chrono::milliseconds(1)));
      if (!message) {
        if (!open()) return std::nullopt;
        continue;
      }
      if (!method.empty() && message->value("method", "") == method) return message;
      if (method.empty() && message->contains("id") && (*message)["id"] == id) return message;
    }
    return std::nullopt;
  }

  // A call and its reply.
  std::optional<nlohmann::json> call(const std::string& method,
                                     const nlohmann::json& params = nlohmann::json::object()) {
    const int id = next_id_++;
    send(nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
    return wait_for(id);
  }

  std::string closed_reason() const {
    std::lock_guard lock(mutex_);
    return closed_reason_;
  }

 private:
  void read_next() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      std::lock_guard lock(mutex_);
      if (ec) {
        if (ec == websocket::error::closed) {
          closed_reason_ = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
        }
        open_ = false;
        arrived_.notify_all();
        return;
      }
      received_.push_back(beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      arrived_.notify_all();
      read_next();
    });
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(outgoing_.front()),
                    [this](beast::error_code ec, std::size_t) {
                      outgoing_.pop_front();
                      if (!ec && !outgoing_.empty()) write_next();
                      if (ec) outgoing_.clear();
                    });
  }

  boost::asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outgoing_;  // I/O thread only
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<std::string> received_;
  bool open_ = false;
  std::string closed_reason_;
  int next_id_ = 1;
};

}  // namespace traction::web::testing
