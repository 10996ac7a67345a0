// SPDX-License-Identifier: Apache-2.0
#include "mqtt/command_relay.hpp"

#include <boost/asio/steady_timer.hpp>

#include "web/daemon_link.hpp"

namespace traction::mqtt {
namespace {

constexpr std::size_t kMaxLine = 1 << 20;
constexpr auto kReplyTimeout = std::chrono::seconds(10);

nlohmann::json unreachable(const std::string& why) {
  return {{"error",
           {{"code", -32055},
            {"message", "tractiond-mqtt could not reach tractiond: " + why},
            {"data", {{"reason", "daemon_unreachable"}}}}}};
}

// One answer per command: the first of the reply, the link's failure and the timeout.
struct Pending {
  CommandRelay::Done done;
  bool answered = false;
  std::shared_ptr<web::DaemonLink> link;
  std::unique_ptr<boost::asio::steady_timer> timer;

  void finish(const nlohmann::json& reply) {
    if (answered) return;
    answered = true;
    timer->cancel();
    done(reply);
    if (link) link->close();
    link.reset();  // breaks the cycle link → handler → Pending
  }

  // The command goes out only once the connection is marked remote: a daemon that cannot mark
  // it would not hold session.start to the grant.
  void on_reply(const nlohmann::json& reply, const std::string& command_line) {
    const nlohmann::json id = reply.value("id", nlohmann::json());
    if (id == "remote") {
      if (reply.contains("error")) {
        finish({{"error",
                 {{"code", -32056},
                  {"message", "tractiond refused connection.mark_remote; nothing was sent"},
                  {"data", {{"reason", "remote_mark_refused"}, {"daemon", reply["error"]}}}}}});
      } else if (link) {
        link->send(command_line);
      }
    } else if (id == "command") {
      finish(reply);
    }
  }
};

}  // namespace

CommandRelay::CommandRelay(boost::asio::io_context& io, std::string socket_path)
    : io_(io), socket_path_(std::move(socket_path)) {}

void CommandRelay::start() {
  estop_ = web::EstopService::create(io_, socket_path_);
  estop_->start();
}

void CommandRelay::stop() {
  if (estop_) estop_->stop();
}

void CommandRelay::run(const Command& command, Done done) {
  if (command.estop()) {
    estop_->estop("MQTT", std::move(done));
    return;
  }
  run_on_fresh_link(command, std::move(done));
}

void CommandRelay::run_on_fresh_link(const Command& command, Done done) {
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  pending->timer = std::make_unique<boost::asio::steady_timer>(io_, kReplyTimeout);
  std::weak_ptr<Pending> weak = pending;
  std::string line = nlohmann::json{
      {"jsonrpc", "2.0"},
      {"id", "command"},
      {"method", command.method},
      {"params",
       command.params}}.dump();
  pending->link = web::DaemonLink::create(io_, socket_path_, kMaxLine,
                                          {[weak, line](const std::string& text) {
                                             auto p = weak.lock();
                                             const nlohmann::json reply =
                                                 nlohmann::json::parse(text, nullptr, false);
                                             if (!p || !reply.is_object()) return;
                                             p->on_reply(reply, line);
                                           },
                                           [weak](const std::string& why) {
                                             if (auto p = weak.lock()) p->finish(unreachable(why));
                                           }});
  pending->link->send(R"({"jsonrpc":"2.0","id":"remote","method":"connection.mark_remote"})");
  // The timer's handler owns the Pending until the command is answered one way or another.
  pending->timer->async_wait([pending](boost::system::error_code ec) {
    if (!ec) pending->finish(unreachable("no reply within 10 s"));
  });
  pending->link->open([weak](const std::string& error) {
    if (auto p = weak.lock(); p && !error.empty()) p->finish(unreachable(error));
  });
}

}  // namespace traction::mqtt
