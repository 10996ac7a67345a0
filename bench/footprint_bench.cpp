// SPDX-License-Identifier: Apache-2.0
// The daemon's footprint and its control socket, against a real traction-sim, printed as one JSON
// object:
//   footprint  resident memory (VmRSS, VmHWM) and CPU share of one core during a running session at
//              100 Hz, next to bench/pymodbus_poll.py (python3-pymodbus doing the same
//              transactions at the same rate against its own simulator), as ratios
//   socket     status.get round trips per second and latency from one client, alone and with
//              subscribers at 20 Hz; the daemon's CPU and the latency each extra subscriber costs
//   footprint_bench [--seconds 20] [--subscribers 32]
#include <signal.h>

#include <cstdio>

#include "bench/socket_load.hpp"
#include "bench/tapped_rig.hpp"
#include "drivers/device_file.hpp"
#include "drivers/modbus/command_frame.hpp"

namespace traction::bench {
namespace {

struct Args {
  double seconds = 20.0;
  int subscribers = 32;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--seconds") a.seconds = std::stod(argv[i + 1]);
    if (key == "--subscribers") a.subscribers = std::stoi(argv[i + 1]);
  }
  return a;
}

// CPU share of one core (%) of each process over `seconds`.
std::vector<double> cpu_percent(const std::vector<pid_t>& pids, double seconds) {
  std::vector<double> before;
  for (pid_t p : pids) before.push_back(cpu_seconds(p));
  const auto start = BenchClock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double wall = std::chrono::duration<double>(BenchClock::now() - start).count();
  std::vector<double> out;
  for (std::size_t i = 0; i < pids.size(); ++i)
    out.push_back((cpu_seconds(pids[i]) - before[i]) / wall * 100.0);
  return out;
}

double round2(double x) {
  return std::round(x * 100) / 100;
}

// The poller's arguments: the driver's read blocks and command block for the sim table's map.
std::vector<std::string> poller_args(int port, double rate_hz, double seconds) {
  std::vector<std::string> argv{
      "/usr/bin/python3", std::string(TRACTION_SOURCE_DIR) + "/bench/pymodbus_poll.py",
      "--port",           std::to_string(port),
      "--rate",           std::to_string(rate_hz),
      "--seconds",        std::to_string(seconds)};
  auto device =
      load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-inversion.json");
  if (!device.ok()) return argv;
  for (const ReadBlock& b : device->registers.read_blocks()) {
    argv.push_back("--read");
    argv.push_back(std::string(to_string(b.table)) + ":" + std::to_string(b.address) + ":" +
                   std::to_string(b.count));
  }
  auto writes = plan_command_writes(device->registers);
  if (writes.ok() && !writes->empty()) {
    argv.push_back("--write");
    argv.push_back(std::to_string(writes->front().address) + ":" +
                   std::to_string(writes->front().count));
  }
  return argv;
}

nlohmann::json measure_footprint(const Args& args) {
  constexpr double kRate = 100.0;
  TappedRig bench("inversion", kRate);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  // The poller's own simulator, so its writes do not disturb the session.
  const std::string dir = bench.rig().dir();
  e2e::Process sim({e2e::build_path("simulator/traction-sim"), "--device", "inversion", "--listen",
                    "127.0.0.1:0", "--port-file", dir + "/poll-sim.port"},
                   dir + "/poll-sim.log");
  if (!wait_until([&] { return !e2e::read_file(dir + "/poll-sim.port").empty(); }, 10s)) {
    return {{"error", "poller simulator did not start"}};
  }
  const int port = std::stoi(e2e::read_file(dir + "/poll-sim.port"));
  e2e::Process poller(poller_args(port, kRate, args.seconds + 10.0), dir + "/poller.log");
  const std::string id = bench.start_session(20.0, 2.0, 60.0);
  if (id.empty() || !bench.wait_moving()) return {{"error", "session did not start"}};
  std::this_thread::sleep_for(2s);  // both loops in their steady state
  const pid_t daemon = bench.rig().daemon().pid();
  const std::vector<double> cpu = cpu_percent({daemon, poller.pid()}, args.seconds);
  const double daemon_rss = status_kib(daemon, "VmRSS") / 1024.0;
  const double daemon_hwm = status_kib(daemon, "VmHWM") / 1024.0;
  const double poller_rss = status_kib(poller.pid(), "VmRSS") / 1024.0;
  const bool running = bench.rig().status().value("state", "") == "running";
  bench.rig().call("session.stop");
  return {{"rate_hz", kRate},
          {"seconds", args.seconds},
          {"session_running", running},
          {"daemon",
           {{"rss_mib", round2(daemon_rss)},
            {"peak_rss_mib", round2(daemon_hwm)},
            {"cpu_percent", round2(cpu[0])}}},
          {"pymodbus_loop", {{"rss_mib", round2(poller_rss)}, {"cpu_percent", round2(cpu[1])}}},
          {"ratio", {{"rss", round2(daemon_rss / poller_rss)}, {"cpu", round2(cpu[0] / cpu[1])}}},
          {"target", {{"rss_mib", 12}, {"cpu_percent", 3}}},
          {"meets_target", daemon_hwm <= 12.0 && cpu[0] <= 3.0}};
}

// status.get from one client for `seconds`: round trips per second and latency.
nlohmann::json status_get_rate(const std::string& socket_path, double seconds) {
  StatusFlood flood(socket_path);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const std::vector<double> ms = flood.stop();
  return {{"per_s", std::round(ms.size() / seconds)},
          {"latency_ms", summary(ms)},
          {"failures", flood.failures()}};
}

nlohmann::json measure_socket(const Args& args) {
  TappedRig bench("inversion", 100.0);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  const pid_t daemon = bench.rig().daemon().pid();
  const double window = std::max(3.0, args.seconds / 4.0);
  const double idle_cpu = cpu_percent({daemon}, window)[0];
  const nlohmann::json alone = status_get_rate(bench.socket_path(), window);
  double loaded_cpu = 0.0;
  nlohmann::json loaded;
  long long notifications = 0;
  int dropped = 0;
  {
    Subscribers subscribers(bench.socket_path(), args.subscribers, 20.0);
    std::this_thread::sleep_for(1s);
    const long long lines = subscribers.lines();
    loaded_cpu = cpu_percent({daemon}, window)[0];
    notifications = subscribers.lines() - lines;
    loaded = status_get_rate(bench.socket_path(), window);
    dropped = subscribers.dropped();
  }
  const double n = std::max(1, args.subscribers);
  const double p99_alone = alone["latency_ms"].value("p99", 0.0);
  const double p99_loaded = loaded["latency_ms"].value("p99", 0.0);
  return {{"status_get", alone},
          {"status_get_with_subscribers", loaded},
          {"subscribers", args.subscribers},
          {"subscriber_hz", 20},
          {"subscribers_dropped", dropped},
          {"notifications_per_s", std::round(notifications / window)},
          {"daemon_cpu_percent",
           {{"no_subscribers", round2(idle_cpu)}, {"with_subscribers", round2(loaded_cpu)}}},
          {"per_subscriber",
           {{"cpu_percent", std::round((loaded_cpu - idle_cpu) / n * 1000) / 1000},
            {"status_get_p99_ms", std::round((p99_loaded - p99_alone) / n * 1000) / 1000}}}};
}

}  // namespace
}  // namespace traction::bench

int main(int argc, char** argv) {
  using namespace traction::bench;
  ::signal(SIGPIPE, SIG_IGN);
  const Args args = parse_args(argc, argv);
  nlohmann::json out;
  out["footprint"] = measure_footprint(args);
  out["socket"] = measure_socket(args);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
