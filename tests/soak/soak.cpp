// SPDX-License-Identifier: Apache-2.0
// Soak: back-to-back sessions on both device kinds (one real traction-sim + tractiond pair each,
// side by side) with random programs, a random fault in most of them, hostile clients throughout,
// and daemon restarts (SIGTERM and SIGKILL). Counts and prints one JSON object:
//   sessions       started sessions
//   faults         injected faults, by name
//   limit_breaches the simulator's ground truth went past the plan's farthest target by more than
//                  the tolerance, faster than the device's rate limits while loaded, or did not end
//                  home and at rest (must be 0)
//   lost_sessions  a session the daemon accepted and, while it stayed alive, never ended (must be
//   0) crashes        the daemon or the simulator died without being told to, or a sanitizer spoke
//                  (must be 0)
// Exit status 0 only when all three are 0.
//   traction_soak --seconds N [--seed S]
#include <signal.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <random>

#include "tests/e2e/ground_truth.hpp"
#include "tests/e2e/process_harness.hpp"
#include "tests/soak/hostile_clients.hpp"

namespace traction::soak {
namespace {

using namespace std::chrono_literals;
using e2e::Rig;
using e2e::wait_until;
using nlohmann::json;

// A device kind and the span of the random programs on it.
struct Device {
  e2e::SimLimits limits;
  double min_step;  // the smallest level above home a program goes to
  double max_level;
};
const Device kDevices[] = {{e2e::kSimTable, 3.0, 20.0}, {e2e::kSimBench, 40.0, 200.0}};

struct Tally {
  std::mutex mutex;
  int sessions = 0;
  std::map<std::string, int> faults;
  int breaches = 0;
  int lost = 0;
  int crashes = 0;
  long long hostile = 0;
  std::vector<std::string> notes;  // what each breach, loss or crash was

  void note(int& counter, const std::string& what) {
    std::lock_guard lock(mutex);
    ++counter;
    if (notes.size() < 50) notes.push_back(what);
  }
};

// A random short program: ramp to a level, hold, optionally a lower level and a rest, then the
// release. The bench takes up its slack first (pre-tension), as docs/programs.md advises.
json random_program(const Device& d, std::mt19937& random, double& farthest) {
  const double home = d.limits.home;
  std::uniform_real_distribution<double> level(home + d.min_step, d.max_level);
  std::uniform_real_distribution<double> seconds(0.5, 2.0);
  const double first = level(random);
  const double second = level(random);
  farthest = std::max(first, second);
  json phases = {{{"kind", "ramp"}, {"target", first}},
                 {{"kind", "hold"}, {"seconds", seconds(random)}}};
  if (second < first) {
    phases.push_back({{"kind", "ramp"}, {"target", second}});
    phases.push_back({{"kind", "rest"}, {"seconds", seconds(random)}});
  }
  json program = {{"kinds", {d.limits.kind}}, {"mode", "steps"}, {"phases", phases}};
  if (d.limits.kind == "traction")
    program["pretension"] = {{"target", home + 10.0}, {"rate", 5.0}, {"seconds", 0.5}};
  return program;
}

// The faults, with random parameters; "sigterm" and "sigkill" restart the daemon.
const char* kFaults[] = {"none",         "none",         "press_stop",    "unplug_stop_switch",
                         "drive_fault",  "comm_loss",    "delay_replies", "exceptions",
                         "sensor_stuck", "sensor_noise", "force_spike",   "power_loss",
                         "estop",        "sigterm",      "sigkill"};

json fault_command(const std::string& fault, std::mt19937& random) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (fault == "drive_fault") return {{"command", fault}, {"code", 0x2310}, {"seconds", u(random)}};
  if (fault == "comm_loss") return {{"command", fault}, {"seconds", 0.2 + 1.5 * u(random)}};
  if (fault == "delay_replies")
    return {{"command", fault}, {"ms", 20 + int(200 * u(random))}, {"seconds", 1.0}};
  if (fault == "exceptions")
    return {{"command", fault}, {"code", 6}, {"count", 1 + int(20 * u(random))}};
  if (fault == "sensor_stuck") return {{"command", fault}, {"seconds", 0.2 + 2 * u(random)}};
  if (fault == "sensor_noise") return {{"command", fault}, {"sigma", 0.5 * u(random)}};
  if (fault == "force_spike")
    return {
        {"command", fault}, {"newtons", 50 + 400 * u(random)}, {"ms", 20 + int(200 * u(random))}};
  if (fault == "power_loss") return {{"command", fault}, {"seconds", 0.2 + 1.5 * u(random)}};
  return {{"command", fault}};
}

// Undoes every simulator fault that outlives its command.
void clear_faults(Rig& rig) {
  for (const json& c : {json{{"command", "release_stop"}}, json{{"command", "plug_stop_switch"}},
                        json{{"command", "sensor_stuck"}, {"seconds", 0}},
                        json{{"command", "sensor_noise"}, {"sigma", 0}}}) {
    rig.sim(c);
  }
}

// True while the process runs (not exited, not a zombie waiting to be reaped).
bool alive(pid_t pid) {
  const std::string stat = e2e::read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

bool sanitizer_spoke(const std::string& log) {
  return log.find("AddressSanitizer") != std::string::npos ||
         log.find("runtime error:") != std::string::npos ||
         log.find("ThreadSanitizer") != std::string::npos;
}

// Brings the daemon to idle with the device home: restarts it if it is gone, resets latched faults.
bool recover(Rig& rig, const Device& d) {
  clear_faults(rig);
  if (rig.status().empty()) rig.start_daemon();  // not answering: start it again
  return wait_until(
      [&] {
        const std::string state = rig.status().value("state", "");
        if (state == "running" || state == "paused") rig.call("session.stop");
        if (state == "fault" || state == "estop") rig.call("device.reset");
        return state == "idle" && safe_at_home(rig.sim({{"command", "state"}}), d.limits);
      },
      30s);
}

void soak_device(const Device& d, double seconds, std::uint32_t seed, Tally& tally) {
  std::mt19937 random(seed);
  Rig rig(d.limits.kind);
  if (!rig.ready()) {
    tally.note(tally.crashes, d.limits.kind + ": the rig did not start: " + rig.log());
    return;
  }
  HostileClients hostile(rig.dir() + "/d.sock", seed + 1);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int round = 0;
  while (std::chrono::steady_clock::now() < end) {
    ++round;
    const std::string where = d.limits.kind + " round " + std::to_string(round);
    if (!recover(rig, d)) {
      tally.note(tally.breaches,
                 where + ": could not get back to idle at home: " + rig.status().dump());
      break;
    }
    const double round_start_s = rig.sim({{"command", "reset_peaks"}}).value("t", 0.0);
    double farthest = 0.0;
    const json started =
        rig.call("session.start", {{"definition", random_program(d, random, farthest)}});
    if (!started.contains("result")) continue;  // refused (e.g. a hostile subscriber filled a slot)
    const std::string id = started["result"].value("session_id", "");
    {
      std::lock_guard lock(tally.mutex);
      ++tally.sessions;
    }
    const std::string fault =
        kFaults[std::uniform_int_distribution<std::size_t>(0, std::size(kFaults) - 1)(random)];
    std::this_thread::sleep_for(
        std::chrono::duration<double>(std::uniform_real_distribution<double>(0.0, 3.0)(random)));
    const pid_t pid = rig.daemon().pid();
    if (!alive(pid))
      tally.note(tally.crashes, where + ": the daemon died: " + rig.log().substr(0, 2000));
    bool restarted = false;
    if (fault == "sigkill") {
      rig.kill_daemon();
      restarted = true;
    } else if (fault == "sigterm") {
      if (rig.daemon().terminate() != 0)
        tally.note(tally.crashes, where + ": SIGTERM did not exit 0: " + rig.log());
      restarted = true;
    } else if (fault == "estop") {
      rig.call("device.estop");
    } else if (fault != "none") {
      rig.sim(fault_command(fault, random));
    }
    if (fault != "none") {
      std::lock_guard lock(tally.mutex);
      ++tally.faults[fault];
    }
    if (restarted) {
      // The session dies with the daemon (never resumed); the drive makes itself safe.
      if (!wait_until(
              [&] {
                return safe_at_home(rig.sim({{"command", "state"}}), d.limits);
              },
              20s)) {
        tally.note(tally.breaches,
                   where + ": " + fault + ": the device did not end safe without the daemon");
      }
      if (!rig.start_daemon())
        tally.note(tally.crashes, where + ": the daemon did not restart: " + rig.log());
    } else {
      const json last = rig.wait_session_end(id, 60s);
      if (!last.is_object()) {
        tally.note(tally.lost, where + ": session " + id + " (" + fault +
                                   ") never ended: " + rig.status().dump());
      }
      if (!wait_until(
              [&] {
                return safe_at_home(rig.sim({{"command", "state"}}), d.limits);
              },
              30s)) {
        tally.note(tally.breaches, where + ": " + fault +
                                       ": the device did not end home and at rest: " +
                                       rig.sim({{"command", "state"}}).dump());
      }
    }
    const json truth = rig.sim({{"command", "state"}});
    if (!truth.value("ok", false))
      tally.note(tally.crashes, where + ": the simulator stopped answering");
    if (truth.value(d.limits.peak_field, 1e9) > farthest + d.limits.tolerance ||
        e2e::fastest_loaded_rate(rig, truth, d.limits, round_start_s) > 1.05 * d.limits.max_rate) {
      tally.note(tally.breaches,
                 where + ": " + fault + ": ground truth past the limits: " + truth.dump());
    }
    if (sanitizer_spoke(rig.log()))
      tally.note(tally.crashes, where + ": sanitizer report: " + rig.log());
  }
  std::lock_guard lock(tally.mutex);
  tally.hostile += hostile.attacks();
}

}  // namespace
}  // namespace traction::soak

int main(int argc, char** argv) {
  using namespace traction::soak;
  ::signal(SIGPIPE, SIG_IGN);
  double seconds = 60.0;
  std::uint32_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--seconds") seconds = std::stod(argv[i + 1]);
    if (key == "--seed") seed = static_cast<std::uint32_t>(std::stoul(argv[i + 1]));
  }
  Tally tally;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < std::size(kDevices); ++i) {
    threads.emplace_back([&, i] {
      soak_device(kDevices[i], seconds, seed + 100 * static_cast<std::uint32_t>(i), tally);
    });
  }
  for (auto& t : threads) t.join();
  int injected = 0;
  for (const auto& [name, count] : tally.faults) injected += count;
  const nlohmann::json report = {{"seconds", seconds},
                                 {"seed", seed},
                                 {"sessions", tally.sessions},
                                 {"faults_injected", injected},
                                 {"faults", tally.faults},
                                 {"hostile_requests", tally.hostile},
                                 {"limit_breaches", tally.breaches},
                                 {"lost_sessions", tally.lost},
                                 {"crashes", tally.crashes},
                                 {"notes", tally.notes}};
  std::printf("%s\n", report.dump(2).c_str());
  return tally.breaches == 0 && tally.lost == 0 && tally.crashes == 0 && tally.sessions > 0 ? 0 : 1;
}
