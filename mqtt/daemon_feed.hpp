// SPDX-License-Identifier: Apache-2.0
// tractiond-mqtt's telemetry connection to the daemon: marked remote, subscribed to status.update
// and events; reconnects every second while the daemon is away. Lives on the bridge's I/O thread.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "web/daemon_link.hpp"

namespace traction::mqtt {

namespace asio = boost::asio;

class DaemonFeed : public std::enable_shared_from_this<DaemonFeed> {
 public:
  struct Handlers {
    std::function<void(const nlohmann::json& status)> on_status;  // each status.update
    std::function<void(const nlohmann::json& event)> on_event;    // each event's params
    std::function<void(bool up)> on_link;  // the daemon became reachable, or went away
  };

  static std::shared_ptr<DaemonFeed> create(asio::io_context& io, std::string socket_path,
                                            double rate_hz, Handlers handlers);
  void start();
  void stop();
  bool up() const { return up_; }

 private:
  DaemonFeed(asio::io_context& io, std::string socket_path, double rate_hz, Handlers handlers);
  void connect();
  void on_line(const std::string& line);
  void on_closed(const std::string& why);

  asio::io_context& io_;
  std::string socket_path_;
  double rate_hz_;
  Handlers handlers_;
  std::shared_ptr<web::DaemonLink> link_;
  asio::steady_timer retry_;
  bool up_ = false;
  bool stopped_ = false;
  bool warned_ = false;  // "daemon unreachable" is logged once per outage
};

}  // namespace traction::mqtt
