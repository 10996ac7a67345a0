// SPDX-License-Identifier: Apache-2.0
// The emergency stop path of every page: one daemon connection kept open for device.estop alone,
// lowered to the role none (it can do nothing else), so that an estop never waits behind another
// request, a subscription's updates or a large reply. When that connection is down (the daemon
// restarting), an estop opens a fresh connection at once instead of waiting for it.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "web/daemon_link.hpp"

namespace traction::web {

class EstopService : public std::enable_shared_from_this<EstopService> {
 public:
  // The daemon's reply object ({"result": ...} or {"error": ...}); an error with reason
  // daemon_unreachable when no reply could be had.
  using Done = std::function<void(const nlohmann::json& reply)>;

  static std::shared_ptr<EstopService> create(asio::io_context& io, std::string socket_path);

  // Opens the standing connection (and keeps reopening it while the service runs).
  void start();
  void stop();
  // Sends device.estop now. `who` names the page for the log.
  void estop(const std::string& who, Done done);
  bool connected() const { return ready_; }

 private:
  EstopService(asio::io_context& io, std::string socket_path);
  void connect();
  void on_line(const std::string& line);
  void on_closed(const std::string& why);
  void keep_alive();
  void send_estop(const std::shared_ptr<DaemonLink>& link, Done done);
  void estop_on_fresh_link(Done done);

  asio::io_context& io_;
  std::string socket_path_;
  std::shared_ptr<DaemonLink> link_;
  bool ready_ = false;
  bool stopped_ = false;
  long long next_id_ = 1;
  // Estops waiting for the reply to the one in flight on the standing connection: a page that
  // sends many at once (or many pages) share one estop on the wire, and none is ever refused.
  std::map<long long, std::vector<Done>> pending_;
  long long in_flight_ = 0;  // id of the estop on the wire, 0 when none
  std::chrono::steady_clock::time_point in_flight_since_{};
  asio::steady_timer timer_;  // keep-alive while up, reconnect while down
};

}  // namespace traction::web
