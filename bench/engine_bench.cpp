// SPDX-License-Identifier: Apache-2.0
// How many times faster than real time a 20-minute program runs in process: the session
// controller (monitor, runner, governor) at 100 Hz against the simulator's physics with a
// simulated clock (tests/engine/controller_rig.hpp), for each device kind. Prints one JSON object.
//   engine_bench
#include <time.h>

#include <cstdio>

#include "tests/engine/controller_rig.hpp"

namespace traction::bench {
namespace {

using engine_test::ControllerRig;
using BenchClock = std::chrono::steady_clock;

// An intermittent program of `cycles` hold/rest cycles (30 s each).
nlohmann::json twenty_minutes(DeviceKind kind, int cycles) {
  const bool table = kind == DeviceKind::inversion;
  return {{"kinds", {to_string(kind)}},
          {"mode", "intermittent"},
          {"hold_target", table ? 20.0 : 170.0},
          {"hold_seconds", 30},
          {"rest_target", table ? 5.0 : 60.0},
          {"rest_seconds", 30},
          {"cycles", cycles}};
}

// CPU seconds this thread has used (on a shared machine, wall time also counts others' work).
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::string last_reason(const ControllerRig& rig) {
  for (auto it = rig.events().rbegin(); it != rig.events().rend(); ++it) {
    if (it->kind == EventKind::session_ended) return it->reason;
  }
  return "";
}

nlohmann::json run(DeviceKind kind) {
  const auto catalog = engine_test::sim_catalog(kind);
  if (!catalog) return {{"error", "catalog"}};
  auto limits = catalog->limits_for("");
  if (!limits) return {{"error", "no limits"}};
  // The plan's total leaves out settling, which the run adds (on a bench about half a second per
  // ramp): keep 5 % of the session limit free so that the program ends before the monitor's cap.
  std::shared_ptr<const Plan> plan;
  for (int cycles = 1; cycles <= 100; ++cycles) {
    std::shared_ptr<const Plan> longer;
    if (catalog->make_plan(plan_request({{"definition", twenty_minutes(kind, cycles)}}), longer))
      break;
    if (longer->total_seconds > 0.95 * limits->max_session_seconds) break;
    plan = longer;
  }
  if (!plan) return {{"error", "no plan"}};
  ControllerRig rig(kind, *limits);
  const double started = rig.time();
  const double until = started + plan->total_seconds + 300.0;
  const auto wall_start = BenchClock::now();
  const double cpu_start = thread_cpu_seconds();
  const CommandReply reply = rig.command(CommandKind::start, plan);
  if (reply.error) return {{"error", reply.error->message}};
  // rig.run_until(), counting the cycles instead of keeping their records: the trace is the
  // rig's, not the engine's, and a growing one would be measured with it.
  const auto done = [&] { return !rig.last_outcome().empty() && rig.state() == DaemonState::idle; };
  std::size_t cycles = rig.trace().size();  // the rig's first reading
  while (!done() && rig.time() < until) {
    rig.step();
    ++cycles;
    rig.clear_trace();
  }
  const double wall = std::chrono::duration<double>(BenchClock::now() - wall_start).count();
  const double cpu = thread_cpu_seconds() - cpu_start;
  const double simulated = rig.time() - started;
  return {{"kind", to_string(kind)},
          {"planned_seconds", plan->total_seconds},
          {"simulated_seconds", std::round(simulated * 10) / 10},
          {"wall_seconds", std::round(wall * 1000) / 1000},
          {"cycles", cycles},
          {"outcome", rig.last_outcome()},
          {"reason", last_reason(rig)},
          {"times_real_time", std::round(simulated / wall)},
          {"cpu_seconds", std::round(cpu * 1000) / 1000},
          {"times_real_time_per_cpu_second", std::round(simulated / cpu)}};
}

}  // namespace
}  // namespace traction::bench

int main() {
  using namespace traction;
  nlohmann::json out = nlohmann::json::array();
  for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction})
    out.push_back(bench::run(kind));
  std::printf("%s\n", nlohmann::json{{"engine", out}}.dump(2).c_str());
  return 0;
}
