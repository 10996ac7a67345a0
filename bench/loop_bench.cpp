// SPDX-License-Identifier: Apache-2.0
// The control loop against a real traction-sim over TCP, seen from the wire (a ModbusTap between
// daemon and simulator), printed as one JSON object:
//   period   achieved rate, jitter |interval - period| p50/p99/max and overruns at each rate,
//            during a session, while subscribers listen and one client floods status.get
//   stop     stop switch press (sent to the simulator) → the daemon's first command written
//            after a read that showed the press (the cycle that ended the session), N presses
//   watchdog SIGKILL of the daemon → the simulator's drive reports its watchdog trip (fault
//            reaction: the safe return), K kills
//   period_fifo  the same at 100 Hz with control.realtime_priority (SCHED_FIFO; the tap's thread
//            too, one step above), so the two can be compared under the same load
//   loop_bench [--rates 50,100,250] [--seconds 10] [--subscribers 32] [--presses 200] [--kills 10]
//              [--realtime-priority 50]
#include <signal.h>

#include <cstdio>
#include <random>
#include <sstream>

#include "bench/socket_load.hpp"
#include "bench/tapped_rig.hpp"
#include "drivers/device_file.hpp"

namespace traction::bench {
namespace {

struct Args {
  std::vector<double> rates = {50, 100, 250};
  double seconds = 10.0;
  int subscribers = 32;
  double subscriber_hz = 20.0;
  int presses = 200;
  int kills = 10;
  int realtime_priority = 50;  // the SCHED_FIFO run at 100 Hz; 0 leaves it out
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--rates") {
      a.rates.clear();
      std::istringstream in(value);
      for (std::string r; std::getline(in, r, ',');) a.rates.push_back(std::stod(r));
    }
    if (key == "--seconds") a.seconds = std::stod(value);
    if (key == "--subscribers") a.subscribers = std::stoi(value);
    if (key == "--presses") a.presses = std::stoi(value);
    if (key == "--kills") a.kills = std::stoi(value);
    if (key == "--realtime-priority") a.realtime_priority = std::stoi(value);
  }
  return a;
}

double since(BenchClock::time_point origin, BenchClock::time_point t) {
  return std::chrono::duration<double>(t - origin).count();
}

nlohmann::json measure_period(double rate_hz, const Args& args, int realtime_priority = 0) {
  TappedRig bench("inversion", rate_hz, realtime_priority);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  Subscribers subscribers(bench.socket_path(), args.subscribers, args.subscriber_hz);
  StatusFlood flood(bench.socket_path());
  const std::string id = bench.start_session(20.0, 2.0, 60.0);
  if (id.empty() || !bench.wait_moving()) return {{"error", "session did not start"}};
  const nlohmann::json before = bench.rig().status();
  const long long lines_before = subscribers.lines();
  bench.tap().clear();
  const auto origin = BenchClock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
  const std::vector<TapFrame> frames = bench.tap().take();
  const nlohmann::json after = bench.rig().status();
  const double window = since(origin, BenchClock::now());
  const long long notifications = subscribers.lines() - lines_before;
  const std::vector<double> floods = flood.stop();

  const std::vector<double> starts = cycle_starts(frames, origin);
  std::vector<double> jitter_ms;
  int late = 0;
  for (std::size_t i = 1; i < starts.size(); ++i) {
    const double interval = starts[i] - starts[i - 1];
    jitter_ms.push_back(std::abs(interval - bench.period_s()) * 1000.0);
    if (interval > 1.5 * bench.period_s()) ++late;
  }
  const double achieved =
      starts.size() > 1 ? (starts.size() - 1) / (starts.back() - starts.front()) : 0.0;
  bench.rig().call("session.stop");
  return {{"rate_hz", rate_hz},
          {"achieved_hz", std::round(achieved * 100) / 100},
          {"cycles", starts.size()},
          {"jitter_ms", summary(jitter_ms)},
          {"overruns", after["loop"].value("overruns", 0) - before["loop"].value("overruns", 0)},
          {"intervals_over_1_5_periods", late},
          {"max_cycle_ms", after["loop"].value("max_cycle_ms", 0.0)},
          {"realtime_priority",
           {{"requested", realtime_priority},
            {"obtained", after["loop"].value("realtime_priority", 0)}}},
          {"still_running", after.value("state", "") == "running"},
          {"subscribers", subscribers.connected()},
          {"subscribers_dropped", subscribers.dropped()},
          {"notifications_per_s", std::round(notifications / window)},
          {"flood_status_get_per_s", std::round(floods.size() / window)},
          {"flood_failures", flood.failures()}};
}

// Where the stop switch bit sits in the input image.
struct FlagBit {
  std::uint8_t function = 4;
  std::uint16_t address = 0;
  int bit = 0;
};

FlagBit stop_switch_bit() {
  auto device =
      load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-inversion.json");
  const SignalSpec* spec = device.ok() ? device->registers.find("stop_switch") : nullptr;
  if (spec == nullptr) return {};
  return {static_cast<std::uint8_t>(spec->table == Table::holding ? 3 : 4),
          static_cast<std::uint16_t>(spec->address), spec->bit.value_or(0)};
}

// Seconds from `pressed` to the first command write after a read reply that showed the press;
// negative when none was seen.
double release_latency(const std::vector<TapFrame>& frames, BenchClock::time_point pressed,
                       const FlagBit& flag) {
  bool seen = false;
  for (const TapFrame& f : frames) {
    if (f.at < pressed) continue;
    if (!f.request && f.function == flag.function && f.address <= flag.address &&
        flag.address < f.address + f.words.size()) {
      seen = seen || ((f.words[flag.address - f.address] >> flag.bit) & 1U) != 0;
    }
    if (seen && f.request && f.function == 16) return since(pressed, f.at);
  }
  return -1.0;
}

nlohmann::json measure_stop_latency(const Args& args) {
  constexpr double kRate = 100.0;
  TappedRig bench("inversion", kRate);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  const FlagBit flag = stop_switch_bit();
  std::mt19937 random(9);
  std::uniform_real_distribution<double> phase(0.0, 1.0 / kRate);
  std::vector<double> latency_ms;
  int missed = 0;
  int wrong_outcome = 0;
  for (int i = 0; i < args.presses; ++i) {
    const std::string id = bench.start_session(3.0, 8.0, 30.0);
    if (id.empty() || !bench.wait_moving())
      return {{"error", "session did not start"}, {"press", i}};
    // Press at a random point of the control period.
    std::this_thread::sleep_for(std::chrono::duration<double>(phase(random)));
    bench.tap().clear();
    const auto pressed = BenchClock::now();
    bench.rig().sim({{"command", "press_stop"}});
    const nlohmann::json last = bench.rig().wait_session_end(id, 10s);
    if (last.value("outcome", "") != "stop_switch") ++wrong_outcome;
    const double latency = release_latency(bench.tap().take(), pressed, flag);
    if (latency < 0) {
      ++missed;
    } else {
      latency_ms.push_back(latency * 1000.0);
    }
    bench.back_to_idle();
    bench.rig().sim({{"command", "release_stop"}});
    wait_until([&] { return bench.rig().status()["device"].value("stop_pressed", true) == false; },
               5s);
  }
  const double p99 = percentile(latency_ms, 0.99);
  const double target_ms = 1000.0 / kRate + 1.0;  // the goal: one period + 1 ms
  return {{"rate_hz", kRate},
          {"presses", args.presses},
          {"latency_ms", summary(latency_ms)},
          {"missed", missed},
          {"wrong_outcome", wrong_outcome},
          {"target_p99_ms", target_ms},
          {"meets_target", p99 <= target_ms}};
}

nlohmann::json measure_watchdog(const Args& args) {
  constexpr double kRate = 100.0;
  constexpr double kTimeoutMs = 500.0;  // config/devices/sim-inversion.json watchdog.timeout_ms
  TappedRig bench("inversion", kRate);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  std::vector<double> from_kill_ms, from_last_request_ms;
  int not_tripped = 0;
  for (int i = 0; i < args.kills; ++i) {
    const std::string id = bench.start_session(3.0, 8.0, 30.0);
    if (id.empty() || !bench.wait_moving())
      return {{"error", "session did not start"}, {"kill", i}};
    bench.tap().clear();
    std::this_thread::sleep_for(
        std::chrono::duration<double>(3.0 / kRate));  // some cycles on record
    const auto killed = BenchClock::now();
    bench.rig().kill_daemon();
    // Polled every millisecond: each state command brings the simulator's clock up to now.
    BenchClock::time_point tripped{};
    bool ok = false;
    while (!ok && BenchClock::now() - killed < 5s) {
      ok = bench.rig().sim({{"command", "state"}}).value("watchdog_tripped", false);
      tripped = BenchClock::now();
      if (!ok) std::this_thread::sleep_for(1ms);
    }
    const std::vector<TapFrame> frames = bench.tap().take();
    if (!ok) {
      ++not_tripped;
    } else {
      from_kill_ms.push_back(since(killed, tripped) * 1000.0);
      for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        if (it->request && it->at <= killed) {
          from_last_request_ms.push_back(
              std::chrono::duration<double, std::milli>(tripped - it->at).count());
          break;
        }
      }
    }
    bench.rig().start_daemon();
    bench.back_to_idle();
  }
  const double target_ms = kTimeoutMs + 1000.0 / kRate;
  return {{"rate_hz", kRate},
          {"timeout_ms", kTimeoutMs},
          {"kills", args.kills},
          {"not_tripped", not_tripped},
          {"kill_to_trip_ms", summary(from_kill_ms)},
          {"last_request_to_trip_ms", summary(from_last_request_ms)},
          {"target_ms", target_ms},
          {"meets_target", not_tripped == 0 && percentile(from_kill_ms, 1.0) <= target_ms}};
}

}  // namespace
}  // namespace traction::bench

int main(int argc, char** argv) {
  using namespace traction::bench;
  ::signal(SIGPIPE, SIG_IGN);
  const Args args = parse_args(argc, argv);
  nlohmann::json out;
  out["period"] = nlohmann::json::array();
  for (double rate : args.rates) out["period"].push_back(measure_period(rate, args));
  // The same load at 100 Hz with the control thread under SCHED_FIFO (the bench runs as root).
  if (args.realtime_priority > 0) {
    nlohmann::json fifo = measure_period(100.0, args, args.realtime_priority);
    const double p99 = number_or(object_at(fifo, "jitter_ms"), "p99", 1e9);
    const double obtained = number_or(object_at(fifo, "realtime_priority"), "obtained", 0);
    fifo["target_jitter_p99_ms"] = 0.2;
    fifo["meets_target"] = p99 <= 0.2 && obtained > 0;
    out["period_fifo"] = fifo;
  }
  out["period_load"] = {{"subscribers", args.subscribers},
                        {"subscriber_hz", args.subscriber_hz},
                        {"status_get_flooders", 1},
                        {"seconds", args.seconds}};
  if (args.presses > 0) out["stop_latency"] = measure_stop_latency(args);
  if (args.kills > 0) out["watchdog"] = measure_watchdog(args);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
