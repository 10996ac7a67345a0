// SPDX-License-Identifier: Apache-2.0
// traction-sim: a simulated inversion table or traction bench that speaks Modbus TCP and RTU.
// See docs/simulator.md.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "simulator/simulator.hpp"

namespace {

using traction::DeviceKind;
using traction::sim::SimOptions;

// "HOST:PORT" -> options; false when malformed.
bool parse_listen(const std::string& text, SimOptions& options) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    std::size_t used = 0;
    const int port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port < 0 || port > 65535) return false;
    options.listen_host = text.substr(0, colon);
    options.listen_port = port;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// Written then renamed, so a test polling for the file never reads half a number.
bool write_port_file(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "traction-sim: a simulated inversion table or traction bench speaking Modbus TCP/RTU"};
  SimOptions options;
  std::string device = "inversion";
  std::string listen = "127.0.0.1:1502";
  std::string parity = "N";
  std::string port_file;
  std::string drive_reaction;
  app.add_option("--device", device, "Device model")
      ->check(CLI::IsMember({"inversion", "traction"}));
  app.add_option("--model", options.model_file, "Model file (default config/sim/<device>.json)");
  app.add_option("--map", options.map_file,
                 "Register map (default config/devices/sim-<device>.json)");
  app.add_option("--listen", listen, "Modbus TCP HOST:PORT (port 0 = ephemeral)")
      ->capture_default_str();
  app.add_option("--rtu", options.rtu_device, "Also serve Modbus RTU on this serial device");
  app.add_option("--baud", options.baud, "RTU baud rate")
      ->capture_default_str()
      ->check(CLI::Range(300, 4000000));
  app.add_option("--parity", parity, "RTU parity")
      ->capture_default_str()
      ->check(CLI::IsMember({"N", "E", "O"}));
  app.add_option("--unit", options.unit, "RTU unit id")
      ->capture_default_str()
      ->check(CLI::Range(1, 247));
  app.add_option("--control", options.control_socket, "Control socket path (JSON lines)");
  app.add_option("--scenario", options.scenario_file, "Scenario file (timed fault events)");
  app.add_option("--trace", options.trace_file, "Ground-truth trace CSV (100 Hz)");
  app.add_option("--seed", options.seed, "Seed for noise")->capture_default_str();
  app.add_option("--port-file", port_file, "Write the bound TCP port here once listening");
  app.add_option("--drive-reaction", drive_reaction,
                 "The drive's own reaction to faults, watchdog, quick stop, stop switch and power "
                 "loss: home (return to safe) or hold (stop and brake in place); default: the "
                 "model's, home")
      ->check(CLI::IsMember({"home", "hold"}));
  CLI11_PARSE(app, argc, argv);
  if (!drive_reaction.empty())
    options.drive_reaction = traction::sim::parse_drive_reaction(drive_reaction);

  options.kind = device == "inversion" ? DeviceKind::inversion : DeviceKind::traction;
  options.parity = parity[0];
  if (!parse_listen(listen, options)) {
    std::cerr << "traction-sim: --listen \"" << listen << "\" is not HOST:PORT\n";
    return 2;
  }

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto sim = traction::sim::Simulator::create(options);
  if (!sim) {
    std::cerr << "traction-sim: " << sim.status().message() << "\n";
    return 1;
  }
  if (traction::Status started = (*sim)->start(); !started) {
    std::cerr << "traction-sim: " << started.message() << "\n";
    return 1;
  }
  const int port = (*sim)->tcp_port();
  if (!port_file.empty() && !write_port_file(port_file, port)) {
    std::cerr << "traction-sim: cannot write --port-file " << port_file << "\n";
    return 1;
  }
  std::cout << "traction-sim: listening on " << options.listen_host << ":" << port << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*sim)->stop();
  return 0;
}
