// SPDX-License-Identifier: Apache-2.0
#include "mqtt/daemon_feed.hpp"

#include <spdlog/spdlog.h>

namespace traction::mqtt {
namespace {

constexpr std::size_t kMaxLine = 1 << 20;
constexpr auto kRetry = std::chrono::seconds(1);

std::string request(const char* id, const char* method, nlohmann::json params) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}
      .dump();
}

}  // namespace

std::shared_ptr<DaemonFeed> DaemonFeed::create(asio::io_context& io, std::string socket_path,
                                               double rate_hz, Handlers handlers) {
  return std::shared_ptr<DaemonFeed>(
      new DaemonFeed(io, std::move(socket_path), rate_hz, std::move(handlers)));
}

DaemonFeed::DaemonFeed(asio::io_context& io, std::string socket_path, double rate_hz,
                       Handlers handlers)
    : io_(io),
      socket_path_(std::move(socket_path)),
      rate_hz_(rate_hz),
      handlers_(std::move(handlers)),
      retry_(io) {}

void DaemonFeed::start() {
  connect();
}

void DaemonFeed::stop() {
  stopped_ = true;
  retry_.cancel();
  if (link_) link_->close();
}

void DaemonFeed::connect() {
  if (stopped_) return;
  std::weak_ptr<DaemonFeed> weak = weak_from_this();
  link_ = web::DaemonLink::create(io_, socket_path_, kMaxLine,
                                  {[weak](const std::string& line) {
                                     if (auto self = weak.lock()) self->on_line(line);
                                   },
                                   [weak](const std::string& why) {
                                     if (auto self = weak.lock()) self->on_closed(why);
                                   }});
  // Pipelined: the daemon answers in order, and the subscription starts on a remote connection.
  link_->send(request("remote", "connection.mark_remote", nlohmann::json::object()));
  link_->send(request("subscribe", "status.subscribe", {{"rate_hz", rate_hz_}, {"events", true}}));
  link_->open([weak, link = link_](const std::string& error) {
    auto self = weak.lock();
    if (!self || self->link_ != link || error.empty()) return;
    self->on_closed(error);
  });
}

void DaemonFeed::on_line(const std::string& line) {
  const nlohmann::json message = nlohmann::json::parse(line, nullptr, false);
  if (!message.is_object()) return;
  const std::string method = message.value("method", "");
  const nlohmann::json params = message.value("params", nlohmann::json::object());
  if (method == "status.update") {
    if (handlers_.on_status) handlers_.on_status(params.value("status", nlohmann::json()));
  } else if (method == "event") {
    if (handlers_.on_event) handlers_.on_event(params);
  } else if (message.value("id", "") == "subscribe") {
    if (message.contains("error")) {
      spdlog::error("daemon refused status.subscribe: {}", line);
      return;
    }
    spdlog::info("subscribed to {} at {} Hz", socket_path_, rate_hz_);
    up_ = true;
    warned_ = false;
    if (handlers_.on_link) handlers_.on_link(true);
  } else if (message.value("id", "") == "remote" && message.contains("error")) {
    spdlog::error("daemon refused connection.mark_remote: {}", line);
  }
}

void DaemonFeed::on_closed(const std::string& why) {
  const bool was_up = up_;
  up_ = false;
  if (was_up && handlers_.on_link) handlers_.on_link(false);
  if (stopped_) return;
  if (!warned_) spdlog::warn("daemon connection: {}; retrying every second", why);
  warned_ = true;
  retry_.expires_after(kRetry);
  retry_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->connect();
  });
}

}  // namespace traction::mqtt
