// SPDX-License-Identifier: Apache-2.0
// Carries filtered commands (command_filter.hpp) to the daemon and brings back its reply. An
// estop goes out on a standing connection of its own (tractiond-web's EstopService: never behind
// telemetry or another command, a fresh connection when that one is down); every other command
// on a fresh connection marked remote, so the daemon holds session.start to the grant.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "mqtt/command_filter.hpp"
#include "web/estop_service.hpp"

namespace traction::mqtt {

class CommandRelay {
 public:
  // The daemon's reply object ({"result": ...} or {"error": ...}).
  using Done = std::function<void(const nlohmann::json& rpc_reply)>;

  CommandRelay(boost::asio::io_context& io, std::string socket_path);
  void start();
  void stop();
  void run(const Command& command, Done done);

 private:
  void run_on_fresh_link(const Command& command, Done done);

  boost::asio::io_context& io_;
  std::string socket_path_;
  std::shared_ptr<web::EstopService> estop_;
};

}  // namespace traction::mqtt
