// SPDX-License-Identifier: Apache-2.0
// The daemon's footprint and its control socket, against a real traction-sim, printed as one JSON
// object:
//   footprint  resident memory (VmRSS, VmHWM) and CPU share of one core during a running session at
//              100 Hz, next to bench/bare_modbus_loop (bare libmodbus: the physical limit) and
//              bench/pymodbus_poll.py (python3-pymodbus), both doing one cycle's transactions at
//              the same rate with absolute deadlines against simulators of their own, as ratios
//   socket     status.get round trips per second and latency from one client, alone and with
//              subscribers at 20 Hz; the daemon's CPU and the latency each extra subscriber costs
//   footprint_bench [--seconds 20] [--subscribers 32]
#include <signal.h>

#include <cstdio>

#include "bench/cycle_transactions.hpp"
#include "bench/socket_load.hpp"
#include "bench/tapped_rig.hpp"

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

// A reference loop as a process with a traction-sim of its own (so that its writes do not disturb
// the session): `command` followed by --port, --rate, --seconds and the cycle's transactions.
class ReferenceLoop {
 public:
  ReferenceLoop(const std::string& dir, const std::string& name, std::vector<std::string> command,
                double rate_hz, double seconds)
      : sim_({e2e::build_path("simulator/traction-sim"), "--device", "inversion", "--listen",
              "127.0.0.1:0", "--port-file", dir + "/" + name + "-sim.port"},
             dir + "/" + name + "-sim.log") {
    const std::string port_file = dir + "/" + name + "-sim.port";
    const auto transactions = sim_cycle_transactions("inversion");
    if (!transactions || !wait_until([&] { return !e2e::read_file(port_file).empty(); }, 10s)) {
      return;
    }
    for (const std::string& a :
         {std::string("--port"), e2e::read_file(port_file), std::string("--rate"),
          std::to_string(rate_hz), std::string("--seconds"), std::to_string(seconds)}) {
      command.push_back(a);
    }
    for (const std::string& a : transaction_args(*transactions)) command.push_back(a);
    loop_ = std::make_unique<e2e::Process>(command, dir + "/" + name + ".log");
  }
  // 0 when it did not start.
  pid_t pid() const { return loop_ ? loop_->pid() : 0; }

 private:
  e2e::Process sim_;
  std::unique_ptr<e2e::Process> loop_;
};

// A process's figures over the window: CPU share of one core (%) and resident memory (MiB).
nlohmann::json process_figures(pid_t pid, double cpu) {
  // RssFile: pages of the executable and shared libraries, shared with every process that maps
  // them; RssAnon: the process's own memory.
  return {{"rss_mib", round2(status_kib(pid, "VmRSS") / 1024.0)},
          {"peak_rss_mib", round2(status_kib(pid, "VmHWM") / 1024.0)},
          {"rss_anon_mib", round2(status_kib(pid, "RssAnon") / 1024.0)},
          {"rss_file_mib", round2(status_kib(pid, "RssFile") / 1024.0)},
          {"cpu_percent", round2(cpu)}};
}

// Each thread's CPU share of one core (%) over about `seconds`, largest first.
nlohmann::json thread_shares(const std::map<long, double>& before,
                             const std::map<long, double>& after, double seconds) {
  std::vector<double> shares;
  for (const auto& [tid, cpu] : after) {
    const auto it = before.find(tid);
    shares.push_back(round2((cpu - (it == before.end() ? 0.0 : it->second)) / seconds * 100.0));
  }
  std::sort(shares.rbegin(), shares.rend());
  return shares;
}

// Daemon / reference, for CPU and RSS.
nlohmann::json ratios(const nlohmann::json& daemon, const nlohmann::json& reference) {
  auto ratio = [&](const char* key) {
    const double d = daemon.value(key, 0.0), r = reference.value(key, 0.0);
    return r > 0 ? nlohmann::json(round2(d / r)) : nlohmann::json(nullptr);
  };
  return {{"cpu", ratio("cpu_percent")}, {"rss", ratio("rss_mib")}};
}

nlohmann::json footprint_result(const nlohmann::json& daemon, const nlohmann::json& bare,
                                const nlohmann::json& python) {
  constexpr double kCpuRatio = 1.5, kRssMib = 8.0;
  const nlohmann::json to_bare = ratios(daemon, bare);
  const bool cpu_ok = to_bare["cpu"].is_number() && to_bare["cpu"].get<double>() <= kCpuRatio;
  const bool rss_ok = daemon.value("peak_rss_mib", 1e9) <= kRssMib;
  return {{"daemon", daemon},
          {"bare_loop", bare},
          {"pymodbus_loop", python},
          {"ratio_to_bare", to_bare},
          {"ratio", ratios(daemon, python)},
          {"target", {{"cpu_ratio_to_bare", kCpuRatio}, {"rss_mib", kRssMib}}},
          {"meets_target", {{"cpu", cpu_ok}, {"rss", rss_ok}}}};
}

nlohmann::json measure_footprint(const Args& args) {
  constexpr double kRate = 100.0;
  TappedRig bench("inversion", kRate);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  const std::string dir = bench.rig().dir();
  const double lifetime = args.seconds + 15.0;
  ReferenceLoop bare(dir, "bare", {e2e::build_path("bench/bare_modbus_loop")}, kRate, lifetime);
  ReferenceLoop python(
      dir, "pymodbus",
      {"/usr/bin/python3", std::string(TRACTION_SOURCE_DIR) + "/bench/pymodbus_poll.py"}, kRate,
      lifetime);
  if (bare.pid() == 0 || python.pid() == 0) return {{"error", "a reference loop did not start"}};
  const std::string id = bench.start_session(20.0, 2.0, 60.0);
  if (id.empty() || !bench.wait_moving()) return {{"error", "session did not start"}};
  std::this_thread::sleep_for(2s);  // all three loops in their steady state
  const pid_t daemon = bench.rig().daemon().pid();
  const std::map<long, double> threads_before = thread_cpu_seconds(daemon);
  const std::vector<double> cpu = cpu_percent({daemon, bare.pid(), python.pid()}, args.seconds);
  const nlohmann::json threads =
      thread_shares(threads_before, thread_cpu_seconds(daemon), args.seconds);
  nlohmann::json out =
      footprint_result(process_figures(daemon, cpu[0]), process_figures(bare.pid(), cpu[1]),
                       process_figures(python.pid(), cpu[2]));
  out["daemon_threads_cpu_percent"] = threads;
  out["session_running"] = bench.rig().status().value("state", "") == "running";
  out["rate_hz"] = kRate;
  out["seconds"] = args.seconds;
  bench.rig().call("session.stop");
  return out;
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
