// SPDX-License-Identifier: Apache-2.0
// tractiond: drives one inversion table or traction bench through Modbus and serves the control
// socket. Threads: main (signals), control (fixed period, owns the driver), server (Asio).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "daemon/control_loop.hpp"
#include "daemon/daemon_config.hpp"
#include "daemon/engine/catalog.hpp"
#include "daemon/history/history_port.hpp"
#include "daemon/server/control_server.hpp"
#include "drivers/modbus/device_uri.hpp"
#include "drivers/modbus/modbus_driver.hpp"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 1;

traction::Result<std::shared_ptr<const traction::Catalog>> load_catalog(const traction::DaemonConfig& c) {
  traction::CatalogConfig cc;
  cc.kind = c.device.kind;
  cc.device_limits = c.device.limits;
  cc.device_source = c.device_file;
  cc.site_limits = c.site_limits;
  cc.site_source = c.source;
  cc.profiles = c.profiles;
  cc.profiles_source = c.source;
  cc.program_dirs = c.program_dirs;
  return traction::Catalog::load(cc);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tractiond: controller for motorized inversion tables and traction benches"};
  std::string config_file = "/etc/tractiond/tractiond.json";
  traction::ConfigOverrides overrides;
  bool check_only = false;
  bool version = false;
  app.add_option("--config", config_file, "configuration file")->capture_default_str();
  app.add_option("--socket", overrides.socket_path, "control socket path (overrides the config)");
  app.add_option("--state-dir", overrides.state_dir, "state directory (overrides the config)");
  app.add_option("--device-uri", overrides.device_uri,
                 "device endpoint: tcp://HOST:PORT?unit=N or rtu:///dev/ttyUSB0?baud=19200&parity=E&unit=1");
  app.add_flag("--check-config", check_only, "validate the configuration, programs and profiles, then exit");
  app.add_flag("--version", version, "print the version and exit");
  CLI11_PARSE(app, argc, argv);
  if (version) {
    std::cout << "tractiond " << TRACTION_VERSION << "\n";
    return 0;
  }

  auto config = traction::load_daemon_config(config_file, overrides);
  if (!config) {
    std::cerr << "tractiond: configuration error: " << config.status().message() << "\n";
    return kExitConfig;
  }
  auto catalog = load_catalog(*config);
  if (!catalog) {
    std::cerr << "tractiond: configuration error: " << catalog.status().message() << "\n";
    return kExitConfig;
  }
  if (check_only) {
    std::cout << "tractiond: " << config_file << " is valid (device \"" << config->device.name << "\", "
              << (*catalog)->program_list().size() << " programs, " << (*catalog)->profile_list().size()
              << " profiles)\n";
    return 0;
  }

  std::error_code ec;
  std::filesystem::create_directories(config->state_dir, ec);
  if (ec) spdlog::warn("cannot create state directory {}: {}", config->state_dir, ec.message());

  // Signals are taken synchronously by the main thread; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // Before the loop: the recorder observes it and must outlive it.
  const traction::history::History history = traction::history::open_history(config->state_dir);
  auto uri = traction::parse_device_uri(config->device_uri);
  traction::ControlLoopOptions loop_options;
  loop_options.rate_hz = config->rate_hz;
  loop_options.device_name = config->device.name;
  traction::ControlLoop loop(traction::make_modbus_driver(config->device, *uri), *catalog, loop_options);
  if (history.recorder) loop.add_observer(*history.recorder);
  loop.start();
  traction::history::HistoryPort port(loop, history.recorder.get(), history.queries.get());
  traction::ControlServer server(config->server, port);
  if (auto st = server.start(); !st.ok()) {
    spdlog::error("control socket: {}", st.message());
    loop.stop();
    return kExitRuntime;
  }
  spdlog::info("tractiond {} ready: device \"{}\" at {}, socket {}", TRACTION_VERSION, config->device.name,
               config->device_uri, config->server.socket_path);

  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      spdlog::warn("SIGHUP: reloading programs and profiles is not supported yet; nothing changed");
      continue;
    }
    spdlog::info("signal {}: stopping any session safely before exit", sig);
    break;
  }
  const bool safe = loop.shutdown_safely(std::chrono::seconds(60));
  if (!safe) spdlog::error("the device did not reach rest before the shutdown deadline");
  server.stop();
  loop.stop();
  return safe ? 0 : kExitRuntime;
}
