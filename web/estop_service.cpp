// SPDX-License-Identifier: Apache-2.0
#include "web/estop_service.hpp"

#include <spdlog/spdlog.h>

#include "web/page_message.hpp"

namespace traction::web {
namespace {

// The daemon closes a connection that sends nothing for idle_timeout_seconds (300 s by default).
constexpr auto kKeepAlive = std::chrono::seconds(60);
constexpr auto kReconnect = std::chrono::milliseconds(500);
constexpr std::size_t kMaxLine = 65536;
constexpr auto kJoinWindow = std::chrono::milliseconds(250);

nlohmann::json unreachable(const std::string& why) {
  return {{"error",
           {{"code", -32055},
            {"message", "STOP could not reach tractiond: " + why},
            {"data", {{"reason", relay_reason::kDaemonUnreachable}}}}}};
}

std::string estop_line(long long id) {
  return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "device.estop"}}.dump();
}

}  // namespace

std::shared_ptr<EstopService> EstopService::create(asio::io_context& io, std::string socket_path) {
  return std::shared_ptr<EstopService>(new EstopService(io, std::move(socket_path)));
}

EstopService::EstopService(asio::io_context& io, std::string socket_path)
    : io_(io), socket_path_(std::move(socket_path)), timer_(io) {}

void EstopService::start() {
  connect();
}

void EstopService::stop() {
  stopped_ = true;
  timer_.cancel();
  if (link_) link_->close();
  ready_ = false;
}

void EstopService::connect() {
  if (stopped_) return;
  std::weak_ptr<EstopService> weak = weak_from_this();
  link_ = DaemonLink::create(io_, socket_path_, kMaxLine,
                             {[weak](const std::string& line) {
                                if (auto self = weak.lock()) self->on_line(line);
                              },
                              [weak](const std::string& why) {
                                if (auto self = weak.lock()) self->on_closed(why);
                              }});
  link_->open([weak, link = link_](const std::string& error) {
    auto self = weak.lock();
    if (!self || self->link_ != link) return;
    if (!error.empty()) return self->on_closed(error);
    // This connection only ever stops: it gives up every other right at once.
    link->send(
        R"({"jsonrpc":"2.0","id":"lower","method":"connection.lower_role","params":{"role":"none"}})");
    self->ready_ = true;
    spdlog::info("estop connection to {} is open", self->socket_path_);
    self->keep_alive();
  });
}

void EstopService::keep_alive() {
  timer_.expires_after(kKeepAlive);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->ready_) return;
    self->link_->send(R"({"jsonrpc":"2.0","id":"alive","method":"daemon.info"})");
    self->keep_alive();
  });
}

void EstopService::on_line(const std::string& line) {
  const nlohmann::json reply = nlohmann::json::parse(line, nullptr, false);
  if (!reply.is_object() || !reply.contains("id")) return;
  const nlohmann::json& id = reply["id"];
  if (id == "lower" && reply.contains("error")) {
    spdlog::error("estop connection: connection.lower_role refused: {}", line);
  }
  if (!id.is_number_integer()) return;
  const auto it = pending_.find(id.get<long long>());
  if (it == pending_.end()) return;
  std::vector<Done> waiting = std::move(it->second);
  pending_.erase(it);
  if (in_flight_ == id.get<long long>()) in_flight_ = 0;
  for (Done& done : waiting) done(reply);
}

void EstopService::on_closed(const std::string& why) {
  ready_ = false;
  auto pending = std::move(pending_);
  pending_.clear();
  in_flight_ = 0;
  for (auto& [id, waiting] : pending) {
    for (Done& done : waiting) done(unreachable(why));
  }
  if (stopped_) return;
  spdlog::warn("estop connection: {}; reconnecting", why);
  timer_.expires_after(kReconnect);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->connect();
  });
}

void EstopService::estop(const std::string& who, Done done) {
  spdlog::warn("STOP from {}", who);
  if (ready_ && link_->is_open()) {
    send_estop(link_, std::move(done));
  } else {
    estop_on_fresh_link(std::move(done));
  }
}

void EstopService::send_estop(const std::shared_ptr<DaemonLink>& link, Done done) {
  const auto now = std::chrono::steady_clock::now();
  // An estop unanswered for longer than this is not waited for: another goes out.
  if (in_flight_ != 0 && now - in_flight_since_ < kJoinWindow) {
    pending_[in_flight_].push_back(std::move(done));
    return;
  }
  in_flight_ = next_id_++;
  in_flight_since_ = now;
  pending_[in_flight_].push_back(std::move(done));
  link->send(estop_line(in_flight_));
}

void EstopService::estop_on_fresh_link(Done done) {
  // A one-shot connection: the reply (or its failure) ends it.
  auto shared_done = std::make_shared<Done>(std::move(done));
  auto answered = std::make_shared<bool>(false);
  auto finish = [shared_done, answered](const nlohmann::json& reply) {
    if (*answered) return;
    *answered = true;
    (*shared_done)(reply);
  };
  auto self_link = std::make_shared<std::weak_ptr<DaemonLink>>();
  auto link = DaemonLink::create(
      io_, socket_path_, kMaxLine,
      {[finish, self_link](const std::string& line) {
         const nlohmann::json reply = nlohmann::json::parse(line, nullptr, false);
         if (!reply.is_object() || reply.value("id", nlohmann::json()) != 0) return;
         finish(reply);
         if (auto used = self_link->lock()) used->close();
       },
       [finish](const std::string& why) { finish(unreachable(why)); }});
  *self_link = link;
  link->send(estop_line(0));
  // The link lives through its pending operations until the reply (or the failure) closes it.
  link->open([finish](const std::string& error) {
    if (!error.empty()) finish(unreachable(error));
  });
}

}  // namespace traction::web
