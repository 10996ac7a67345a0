// SPDX-License-Identifier: Apache-2.0
// tractiond-mqtt: tractiond on an MQTT broker. Publishes the device's state, live value, events,
// session summaries and availability under <prefix>/<device id>/, takes the few commands allowed
// from there (docs/mqtt.md), and optionally announces the device to Home Assistant. One I/O
// thread for the daemon side, one thread for the broker connection.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <iostream>

#include "mqtt/bridge.hpp"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 1;

// The host name as a device id (characters a topic level cannot hold become '-').
std::string host_device_id() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  std::string id(name);
  id = id.substr(0, id.find('.'));
  for (char& c : id) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') c = '-';
  }
  return id;
}

struct Overrides {
  std::string config_file;
  std::string socket_path;
  std::string broker;
  std::string device_id;
};

traction::Result<traction::mqtt::BridgeConfig> load(const Overrides& o) {
  using traction::mqtt::BridgeConfig;
  traction::Result<BridgeConfig> config = o.config_file.empty()
                                              ? traction::Result<BridgeConfig>(BridgeConfig{})
                                              : traction::mqtt::load_bridge_config(o.config_file);
  if (!config) return config;
  if (!o.socket_path.empty()) config->socket_path = o.socket_path;
  if (!o.broker.empty()) config->broker = o.broker;
  if (!o.device_id.empty()) config->device_id = o.device_id;
  if (config->device_id.empty()) config->device_id = host_device_id();
  if (auto s = traction::mqtt::finish_bridge_config(*config); !s) return s;
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tractiond-mqtt: tractiond on an MQTT broker (tractiond-mqtt(8))"};
  Overrides o;
  bool check_only = false;
  bool version = false;
  app.add_option("--config", o.config_file, "configuration file (JSON; tractiond-mqtt(8))");
  app.add_option("--socket", o.socket_path,
                 "tractiond's control socket (default /run/tractiond/tractiond.sock)");
  app.add_option("--broker", o.broker, "mqtt://HOST:PORT or mqtts://HOST:PORT");
  app.add_option("--device-id", o.device_id, "this device's name in the topics");
  app.add_flag("--check-config", check_only, "validate the configuration, then exit");
  app.add_flag("--version", version, "print the version and exit");
  CLI11_PARSE(app, argc, argv);
  if (version) {
    std::cout << "tractiond-mqtt " << TRACTION_VERSION << "\n";
    return 0;
  }
  auto config = load(o);
  if (!config) {
    std::cerr << "tractiond-mqtt: " << config.status().message() << "\n";
    return kExitConfig;
  }
  if (check_only) {
    std::cout << "tractiond-mqtt: configuration OK\n";
    return 0;
  }
  boost::asio::io_context io;
  traction::mqtt::Bridge bridge(io, *config);
  if (auto started = bridge.start(); !started) {
    std::cerr << "tractiond-mqtt: " << started.message() << "\n";
    return kExitRuntime;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    spdlog::info("signal {}: publishing offline and leaving", signal);
    bridge.stop();
    io.stop();
  });
  io.run();
  return 0;
}
