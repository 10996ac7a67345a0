// SPDX-License-Identifier: Apache-2.0
// The cost of one control cycle (read the state + write the command) through ModbusDriver, next
// to bare libmodbus doing the same transactions (bench/bare_cycle.hpp) on an in-process
// traction-sim of its own, as a ratio. The ratio is the driver's overhead (map walking, decoding,
// failure accounting); the absolute figures are mostly the simulator's and the kernel's.
//   driver_cycle_bench [--cycles N] [--rounds R] [--transport tcp|rtu] [--json 1]
#include <modbus/modbus.h>
#include <pty.h>
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bench/cycle_transactions.hpp"
#include "drivers/device_file.hpp"
#include "drivers/modbus/modbus_driver.hpp"
#include "simulator/simulator.hpp"

namespace {

using namespace traction;
using BenchClock = std::chrono::steady_clock;

struct Args {
  int cycles = 2000;
  int rounds = 5;
  bool rtu = false;
  bool json = false;  // one JSON object instead of text
};

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--cycles") args.cycles = std::max(1, std::atoi(argv[i + 1]));
    if (key == "--rounds") args.rounds = std::max(1, std::atoi(argv[i + 1]));
    if (key == "--transport") args.rtu = std::strcmp(argv[i + 1], "rtu") == 0;
    if (key == "--json") args.json = std::strcmp(argv[i + 1], "0") != 0;
  }
  return args;
}

void make_raw(int fd) {
  termios tio{};
  tcgetattr(fd, &tio);
  cfmakeraw(&tio);
  tcsetattr(fd, TCSANOW, &tio);
}

// Mean microseconds per cycle of `cycle` over `cycles` runs; nullopt when a cycle failed (a reply
// late past the response timeout on a loaded machine: the round would time the timeout).
template <class F>
std::optional<double> time_cycles(int cycles, F&& cycle) {
  const auto start = BenchClock::now();
  for (int i = 0; i < cycles; ++i) {
    if (!cycle()) {
      std::fprintf(stderr, "cycle %d of a round failed; the round is left out\n", i);
      return std::nullopt;
    }
  }
  return std::chrono::duration<double, std::micro>(BenchClock::now() - start).count() / cycles;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  auto device =
      load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-inversion.json");
  if (!device.ok()) {
    std::fprintf(stderr, "%s\n", device.status().message().c_str());
    return 1;
  }
  int sim_fd = -1, driver_fd = -1, bare_sim_fd = -1, bare_fd = -1;
  sim::SimOptions options;
  if (args.rtu) {
    // Two simulators on two pty pairs: RTU is one master per line.
    if (openpty(&sim_fd, &driver_fd, nullptr, nullptr, nullptr) != 0 ||
        openpty(&bare_sim_fd, &bare_fd, nullptr, nullptr, nullptr) != 0) {
      std::perror("openpty");
      return 1;
    }
    for (int fd : {sim_fd, driver_fd, bare_sim_fd, bare_fd}) make_raw(fd);
    options.rtu_fd = sim_fd;
  }
  auto simulator = sim::Simulator::create(options);
  sim::SimOptions bare_options = options;
  bare_options.rtu_fd = bare_sim_fd;
  auto bare_simulator = sim::Simulator::create(bare_options);
  if (!simulator.ok() || !bare_simulator.ok() || !(*simulator)->start() ||
      !(*bare_simulator)->start()) {
    std::fprintf(stderr, "cannot start the simulator\n");
    return 1;
  }
  const std::string tcp_uri = "tcp://127.0.0.1:" + std::to_string((*simulator)->tcp_port());
  auto uri = parse_device_uri(args.rtu ? "rtu:///dev/pty-bench" : tcp_uri);
  ModbusDriverOptions driver_options;
  driver_options.rtu_fd = driver_fd;
  ModbusDriver driver(*device, *uri, driver_options);
  if (!driver.configure()) {
    std::fprintf(stderr, "driver cannot configure\n");
    return 1;
  }
  modbus_t* bare = args.rtu ? modbus_new_rtu("/dev/pty-bench", 19200, 'N', 8, 1)
                            : modbus_new_tcp("127.0.0.1", (*bare_simulator)->tcp_port());
  modbus_set_slave(bare, 1);
  modbus_set_response_timeout(bare, 0, 100000);
  if (args.rtu) {
    modbus_set_socket(bare, bare_fd);
  } else if (modbus_connect(bare) != 0) {
    std::fprintf(stderr, "bare libmodbus cannot connect\n");
    return 1;
  }

  const auto transactions = bench::cycle_transactions(device->registers);
  if (!transactions) {
    std::fprintf(stderr, "the device file has no command block\n");
    return 1;
  }
  DeviceState state;
  std::uint16_t heartbeat = 0;
  auto driver_cycle = [&] {
    return driver.read(state).ok() && driver.write(AxisCommand{0.0}).ok();
  };
  auto bare_one = [&] { return bench::bare_cycle(bare, *transactions, heartbeat); };
  time_cycles(100, driver_cycle);  // warm-up
  time_cycles(100, bare_one);
  std::vector<double> driver_us, bare_us;
  int failed_rounds = 0;
  for (int round = 0; round < args.rounds; ++round) {  // alternate so drift hits both alike
    const auto d = time_cycles(args.cycles, driver_cycle);
    const auto b = time_cycles(args.cycles, bare_one);
    if (d && b) {
      driver_us.push_back(*d);
      bare_us.push_back(*b);
    } else {
      ++failed_rounds;
    }
  }
  if (driver_us.empty()) {
    std::printf("{\"driver_cycle\": {\"error\": \"every round had a failed cycle\"}}\n");
    return 1;
  }
  std::sort(driver_us.begin(), driver_us.end());
  std::sort(bare_us.begin(), bare_us.end());
  const double d = driver_us[driver_us.size() / 2];
  const double b = bare_us[bare_us.size() / 2];
  if (args.json) {
    std::printf(
        "{\"driver_cycle\": {\"transport\": \"%s\", \"rounds\": %d, \"failed_rounds\": %d, "
        "\"cycles\": %d, "
        "\"reads_per_cycle\": %zu, "
        "\"driver_us\": %.1f, \"bare_libmodbus_us\": %.1f, \"ratio\": %.3f, \"target_ratio\": 1.2, "
        "\"meets_target\": %s}}\n",
        args.rtu ? "rtu" : "tcp", args.rounds, failed_rounds, args.cycles,
        transactions->reads.size(), d, b, d / b, d / b <= 1.2 ? "true" : "false");
  } else {
    std::printf(
        "transport %s, %d rounds x %d cycles, %zu reads + 1 write per cycle (median of rounds)\n",
        args.rtu ? "rtu (pty)" : "tcp (loopback)", args.rounds, args.cycles,
        transactions->reads.size());
    std::printf("driver cycle: %.1f us   bare libmodbus: %.1f us   ratio: %.3f\n", d, b, d / b);
  }
  if (args.rtu) modbus_set_socket(bare, -1);
  modbus_close(bare);
  modbus_free(bare);
  (*simulator)->stop();
  (*bare_simulator)->stop();
  for (int fd : {sim_fd, driver_fd, bare_sim_fd, bare_fd}) {
    if (fd >= 0) close(fd);
  }
  return 0;
}
