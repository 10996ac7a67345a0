// SPDX-License-Identifier: Apache-2.0
// A real traction-sim and tractiond (tests/e2e/process_harness.hpp) with a ModbusTap between them,
// at a chosen control rate, plus the session helpers the benchmarks share.
#pragma once

#include <memory>
#include <string>

#include "bench/bench_support.hpp"
#include "bench/modbus_tap.hpp"
#include "tests/e2e/process_harness.hpp"

namespace traction::bench {

using e2e::wait_until;
using namespace std::chrono_literals;

class TappedRig {
 public:
  TappedRig(const std::string& kind, double rate_hz, int realtime_priority = 0)
      : TappedRig(make_config(kind, rate_hz, realtime_priority)) {}
  // `config.realtime_priority` > 0: the daemon's control thread runs under SCHED_FIFO at it, and
  // the tap's thread one step above (so that it timestamps what the daemon sends without waiting).
  explicit TappedRig(const BenchConfig& config) : kind_(config.kind), rate_hz_(config.rate_hz) {
    char tmpl[] = "/tmp/tractiond-bench.XXXXXX";
    config_dir_ = mkdtemp(tmpl);
    e2e::RigOptions options;
    options.config = write_bench_config(config_dir_ + "/tractiond.json", config);
    const int priority = config.realtime_priority;
    options.tcp_uri = [this, priority](int sim_port) {
      tap_ = std::make_unique<ModbusTap>(sim_port);
      if (priority > 0) tap_->set_realtime(std::min(99, priority + 1));
      return "tcp://127.0.0.1:" + std::to_string(tap_->port()) + "?unit=1";
    };
    rig_ = std::make_unique<e2e::Rig>(kind_, options);
  }
  ~TappedRig() {
    rig_.reset();
    tap_.reset();
    std::error_code ec;
    std::filesystem::remove_all(config_dir_, ec);
  }

  e2e::Rig& rig() { return *rig_; }
  ModbusTap& tap() { return *tap_; }
  double period_s() const { return 1.0 / rate_hz_; }
  std::string socket_path() const { return rig_->dir() + "/d.sock"; }

  // Starts a session that ramps to `target` at `rate` and holds it `hold_s`; returns its id ("" on
  // failure, with the reason on stderr).
  std::string start_session(double target, double rate, double hold_s) {
    const nlohmann::json definition = {{"kinds", {kind_}},
                                       {"mode", "steps"},
                                       {"phases",
                                        {{{"kind", "ramp"}, {"target", target}, {"rate", rate}},
                                         {{"kind", "hold"}, {"seconds", hold_s}}}}};
    // A fault that a starved machine latched since the last trial (a reading late: data_stale) is
    // reset and the start tried again, at most twice.
    for (int attempt = 0; attempt < 3; ++attempt) {
      const nlohmann::json started = rig_->call("session.start", {{"definition", definition}});
      if (started.contains("result")) return started["result"].value("session_id", "");
      std::fprintf(stderr, "session.start: %s\n", started.dump().c_str());
      if (!back_to_idle()) break;
    }
    return "";
  }
  // Waits until the drive follows setpoints and the setpoint has left home.
  bool wait_moving() {
    return wait_until(
        [&] {
          const nlohmann::json s = rig_->status();
          return s.value("state", "") == "running" &&
                 s["device"].value("drive", "") == "operation_enabled" &&
                 std::abs(s.value("setpoint", 0.0) - s["device"].value("angle_deg", 0.0)) < 5.0 &&
                 s.value("setpoint", 0.0) > 0.2;
        },
        10s);
  }
  // Starts a ramp to `target` at `rate` and waits until the setpoint is past `past`; a start the
  // daemon refused on a loaded machine (a reading came late: data_stale) is tried again, as a
  // client would.
  bool ramp_under_way(double target, double rate, double past) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (!back_to_idle()) continue;
      if (start_session(target, rate, 30.0).empty()) continue;
      if (wait_moving() &&
          wait_until([&] { return rig_->status().value("setpoint", 0.0) > past; }, 10s)) {
        return true;
      }
    }
    return false;
  }
  // Brings the daemon back to idle: stops a session, resets a latched fault.
  bool back_to_idle() {
    return wait_until(
        [&] {
          const std::string state = rig_->status().value("state", "");
          if (state == "running" || state == "paused") rig_->call("session.stop");
          if (state == "fault" || state == "estop") rig_->call("device.reset");
          return state == "idle";
        },
        30s);
  }

 private:
  static BenchConfig make_config(const std::string& kind, double rate_hz, int realtime_priority) {
    BenchConfig c;
    c.kind = kind;
    c.rate_hz = rate_hz;
    c.realtime_priority = realtime_priority;
    return c;
  }

  std::string kind_;
  double rate_hz_;
  std::string config_dir_;
  std::unique_ptr<ModbusTap> tap_;
  std::unique_ptr<e2e::Rig> rig_;
};

// Start times (s since `origin`) of the daemon's cycles: each cycle reads the image, then writes
// the command block; a cycle starts with the first read after a write.
inline std::vector<double> cycle_starts(const std::vector<TapFrame>& frames,
                                        BenchClock::time_point origin) {
  std::vector<double> starts;
  bool after_write = true;
  for (const TapFrame& f : frames) {
    if (!f.request) continue;
    if (after_write && (f.function == 3 || f.function == 4)) {
      starts.push_back(std::chrono::duration<double>(f.at - origin).count());
      after_write = false;
    }
    if (f.function == 16 || f.function == 6) after_write = true;
  }
  return starts;
}

}  // namespace traction::bench
