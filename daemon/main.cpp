// SPDX-License-Identifier: Apache-2.0
// tractiond: drives one inversion table or traction bench through Modbus and serves the control
// socket. Threads: main (signals), control (fixed period, owns the driver), server (Asio), and the
// service reporter (sd_notify status and watchdog) when systemd runs the daemon.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "daemon/catalog_service.hpp"
#include "daemon/control_loop.hpp"
#include "daemon/daemon_config.hpp"
#include "daemon/daemon_info.hpp"
#include "daemon/history/history_port.hpp"
#include "daemon/server/control_server.hpp"
#include "daemon/service/activated_socket.hpp"
#include "daemon/service/catalog_loader.hpp"
#include "daemon/service/config_reloader.hpp"
#include "daemon/service/cycle_heartbeat.hpp"
#include "daemon/service/log_target.hpp"
#include "daemon/service/service_notifier.hpp"
#include "daemon/service/service_reporter.hpp"
#include "daemon/service/session_log_tag.hpp"
#include "drivers/modbus/device_uri.hpp"
#include "drivers/modbus/modbus_driver.hpp"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 1;
// The first cycle includes the first attempt to reach the device, which the driver's timeouts
// bound.
constexpr auto kFirstCycleDeadline = std::chrono::seconds(10);
// SIGTERM: the longest a running session may take to release before the daemon gives up waiting.
constexpr auto kShutdownDeadline = std::chrono::seconds(60);

// READY=1 means "config read, socket listening, device probed once": wait for the first cycle.
void wait_for_first_cycle(const traction::CycleHeartbeat& heartbeat) {
  const auto deadline = std::chrono::steady_clock::now() + kFirstCycleDeadline;
  while (heartbeat.cycles_seen() == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      spdlog::warn("the control loop has not completed a cycle within {} s",
                   kFirstCycleDeadline.count());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tractiond: controller for motorized inversion tables and traction benches"};
  std::string config_file = "/etc/tractiond/tractiond.json";
  traction::ConfigOverrides overrides;
  bool check_only = false;
  bool version = false;
  traction::LogTarget log_target = traction::LogTarget::automatic;
  app.add_option("--config", config_file, "configuration file")->capture_default_str();
  app.add_option("--socket", overrides.socket_path, "control socket path (overrides the config)");
  app.add_option("--state-dir", overrides.state_dir, "state directory (overrides the config)");
  app.add_option(
      "--device-uri", overrides.device_uri,
      "device endpoint: tcp://HOST:PORT?unit=N or rtu:///dev/ttyUSB0?baud=19200&parity=E&unit=1");
  app.add_option("--log-target", log_target,
                 "auto (the journal when stderr is connected to it), journal or stderr")
      ->transform(CLI::CheckedTransformer(std::map<std::string, traction::LogTarget>{
          {"auto", traction::LogTarget::automatic},
          {"journal", traction::LogTarget::journal},
          {"stderr", traction::LogTarget::stderr_stream}}));
  app.add_flag("--check-config", check_only,
               "validate the configuration, programs and profiles, then exit");
  app.add_flag("--version", version, "print the version and exit");
  CLI11_PARSE(app, argc, argv);
  if (version) {
    std::cout << "tractiond " << TRACTION_VERSION << "\n";
    return 0;
  }
  // Static: the logger's sink reads it until the logger registry itself is destroyed.
  static traction::SessionLogTag session_tag;
  traction::configure_logging(log_target, session_tag);

  auto config = traction::load_daemon_config(config_file, overrides);
  if (!config) {
    std::cerr << "tractiond: configuration error: " << config.status().message() << "\n";
    return kExitConfig;
  }
  auto catalog = traction::load_catalog(*config);
  if (!catalog) {
    std::cerr << "tractiond: configuration error: " << catalog.status().message() << "\n";
    return kExitConfig;
  }
  if (check_only) {
    std::cout << "tractiond: " << config_file << " is valid (device \"" << config->device.name
              << "\", " << (*catalog)->program_list().size() << " programs, "
              << (*catalog)->profile_list().size() << " profiles)\n";
    return 0;
  }
  auto activated = traction::take_activated_socket("control");
  if (!activated) {
    spdlog::error("{}", activated.status().message());
    return kExitConfig;
  }
  config->server.inherited_fd = *activated;

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

  const traction::ServiceNotifier notifier;
  // Before the loop: the recorder observes it and must outlive it.
  const traction::history::History history = traction::history::open_history(config->state_dir);
  auto uri = traction::parse_device_uri(config->device_uri);
  traction::ControlLoopOptions loop_options;
  loop_options.rate_hz = config->rate_hz;
  loop_options.realtime_priority = config->realtime_priority;
  loop_options.device_name = config->device.name;
  loop_options.release.comm_loss_fault_code = config->device.watchdog.fault_code;
  loop_options.release.quick_stop_goes_home = config->device.reactions.quick_stop_goes_home;
  loop_options.selftest.watchdog_timeout_ms = config->device.watchdog.timeout_ms;
  loop_options.selftest.watchdog_external = config->device.watchdog.external_hardware;
  loop_options.selftest.comm_loss_fault_code = config->device.watchdog.fault_code;
  loop_options.require_selftest_days = config->require_selftest_days;
  loop_options.last_selftest = history.last_selftest;
  loop_options.last_passed_selftest = history.last_passed_selftest;
  const auto base_limits = (*catalog)->limits_for("");
  traction::ControlLoop loop(traction::make_modbus_driver(config->device, *uri), (*catalog)->kind(),
                             *base_limits, loop_options);
  traction::CycleHeartbeat heartbeat(config->device.name);
  loop.add_observer(heartbeat);
  loop.add_observer(session_tag);
  if (history.recorder) loop.add_observer(*history.recorder);
  loop.start();
  // The server's ports: the loop with the history's record gate, the catalog (planning off the
  // server thread, with the history for progression), the history's methods.
  traction::history::RecordedControl control(loop, history.recorder.get());
  std::optional<traction::history::HistoryProgression> progression;
  if (history.queries) progression.emplace(*history.queries);
  traction::CatalogService catalog_service(*catalog, progression ? &*progression : nullptr);
  traction::history::HistoryMethods history_methods(history.queries.get());
  const traction::DaemonFacts facts{(*catalog)->kind(), config->device.name, config->rate_hz,
                                    history.recorder != nullptr};
  traction::ControlServer server(config->server,
                                 traction::DaemonPorts{control, catalog_service, &history_methods,
                                                       traction::daemon_info(facts)});
  if (auto st = server.start(); !st.ok()) {
    spdlog::error("control socket: {}", st.message());
    loop.stop();
    return kExitRuntime;
  }
  wait_for_first_cycle(heartbeat);
  std::uint64_t version_seen = 0;
  notifier.ready(heartbeat.summary(version_seen));
  traction::ServiceReporter reporter(notifier, heartbeat);
  reporter.start();
  spdlog::info("tractiond {} ready: device \"{}\" at {}, socket {}", TRACTION_VERSION,
               config->device.name, config->device_uri,
               *activated >= 0 ? "from socket activation" : config->server.socket_path);

  traction::ConfigReloader reloader(config_file, overrides, *config, catalog_service, notifier);
  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      reloader.reload();
      continue;
    }
    spdlog::info("signal {}: stopping any session safely before exit", sig);
    break;
  }
  notifier.stopping("stopping: releasing any session at the normal rate before exit");
  const bool safe = loop.shutdown_safely(kShutdownDeadline);
  if (!safe) spdlog::error("the device did not reach rest before the shutdown deadline");
  reporter.stop();
  server.stop();
  loop.stop();
  return safe ? 0 : kExitRuntime;
}
