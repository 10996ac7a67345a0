// SPDX-License-Identifier: Apache-2.0
// A rig whose simulated drive reacts like a real one may (--drive-reaction home|hold), watched
// from its start, and the steps and judgements the unkind-drive end-to-end tests share: reach a
// hold, reset once the daemon allows it, wait for idle at home (giving up early when nothing
// moves any more), judge the trace, and place the axis away from home with a Modbus master of
// the test's own before the daemon starts.
#pragma once

#include <gtest/gtest.h>
#include <modbus/modbus.h>

#include <chrono>
#include <sstream>
#include <string>

#include "drivers/device_file.hpp"
#include "tests/e2e/daemon_watch.hpp"
#include "tests/e2e/ground_truth.hpp"
#include "tests/e2e/process_harness.hpp"

namespace traction::e2e {

// One device kind: the limits that judge it, the session's hold, and its fault release rate.
struct UnkindKind {
  SimLimits limits;
  double hold;        // the session's hold level
  double rate;        // of the ramp to it
  double fault_rate;  // release_rate_fault of config/devices/sim-<kind>.json
  double away;        // where a test places the axis before the daemon starts
};

inline const UnkindKind kUnkindTable{kSimTable, 15.0, 8.0, 12.0, 10.0};
inline const UnkindKind kUnkindBench{kSimBench, 150.0, 50.0, 90.0, 120.0};

// ramp → a long hold (the bench takes up its slack first, as docs/programs.md advises).
inline nlohmann::json unkind_program(const UnkindKind& k) {
  nlohmann::json program = {{"kinds", {k.limits.kind}},
                            {"mode", "steps"},
                            {"phases",
                             {{{"kind", "ramp"}, {"target", k.hold}, {"rate", k.rate}},
                              {{"kind", "hold"}, {"seconds", 60}}}}};
  if (k.limits.kind == "traction")
    program["pretension"] = {{"target", k.limits.home + 10.0}, {"rate", 5.0}, {"seconds", 0.5}};
  return program;
}

inline RigOptions unkind_options(const std::string& reaction, bool start_daemon) {
  RigOptions options;
  options.sim_args = {"--drive-reaction", reaction};
  options.start_daemon = start_daemon;
  return options;
}

struct UnkindRig {
  UnkindRig(const UnkindKind& k, const std::string& drive_reaction, bool start_daemon = true)
      : kind(k),
        reaction(drive_reaction),
        rig(k.limits.kind, unkind_options(drive_reaction, start_daemon)),
        watch(rig, k.limits) {}

  const UnkindKind& kind;
  std::string reaction;
  Rig rig;
  DaemonWatch watch;  // declared last: stops watching before the rig goes

  nlohmann::json truth() { return rig.sim({{"command", "state"}}); }
  double axis() { return truth().value(kind.limits.axis_field, 1e9); }
  double sim_t() { return truth().value("t", 0.0); }
  std::string state() { return rig.status().value("state", ""); }
  // Home by position (one sample of the bench's force rate is too noisy to judge rest by).
  bool home() { return !away_from_home(axis(), kind.limits); }

  // Sends a simulator command; the simulated time it took effect at (-1 when refused).
  double inject(const nlohmann::json& command) {
    const nlohmann::json reply = rig.sim(command);
    EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
    return reply.value("t", -1.0);
  }

  // session.start of the unkind program; a start refused as data_stale (a read failed in that
  // cycle) is retried, as a client would. The session id, or "" with the refusal in `refusal`.
  std::string start_session(nlohmann::json* refusal = nullptr) {
    nlohmann::json started;
    wait_until(
        [&] {
          started = rig.call("session.start", {{"definition", unkind_program(kind)}});
          return started.contains("result") ||
                 started["error"]["data"].value("reason", "") != "data_stale";
        },
        std::chrono::seconds(10));
    if (refusal != nullptr) *refusal = started.value("error", nlohmann::json());
    return started.contains("result") ? started["result"].value("session_id", "") : "";
  }

  // The session holds at its level (settled within half the tolerance).
  bool reach_hold() {
    return wait_until(
        [&] {
          const nlohmann::json s = rig.status().value("session", nlohmann::json());
          return s.is_object() && s.value("phase_kind", "") == "hold" &&
                 std::abs(axis() - kind.hold) < 0.5 * kind.limits.tolerance;
        },
        std::chrono::seconds(30));
  }

  // device.reset as soon as the daemon allows it (it refuses while the device moves), until the
  // latched state has cleared.
  bool reset_when_allowed(std::chrono::seconds timeout) {
    return wait_until(
        [&] {
          if (!rig.call("device.reset").contains("result")) return false;
          return wait_until(
              [&] {
                const std::string s = state();
                return s != "fault" && s != "estop";
              },
              std::chrono::seconds(2));
        },
        timeout);
  }

  // Waits for the ground truth home and at rest with the daemon in `state` ("" = any). Gives up
  // early once the axis has stood still away from home for `patience` while the daemon's state
  // did not change either (a daemon that will never release), or once the daemon has said idle
  // while the person was loaded for a second.
  bool wait_home(const std::string& want_state, std::chrono::seconds timeout,
                 std::chrono::seconds patience = std::chrono::seconds(12)) {
    auto last_change = std::chrono::steady_clock::now();
    std::string last_state = "?";
    bool arrived = false;
    wait_until(
        [&] {
          const nlohmann::json t = truth();
          const std::string s = state();
          arrived = safe_at_home(t, kind.limits) && (want_state.empty() || s == want_state);
          if (arrived) return true;
          if (s != last_state || !at_rest(t.value("velocity", 0.0), kind.limits)) {
            last_state = s;
            last_change = std::chrono::steady_clock::now();
          }
          const bool stalled = std::chrono::steady_clock::now() - last_change > patience;
          return stalled || watch.idle_while_loaded().size() >= 20;  // gave up early
        },
        timeout);
    return arrived;
  }

  // The ground truth, the daemon's state and the states seen, for a failure message.
  std::string why() {
    const nlohmann::json t = truth();
    std::ostringstream out;
    out << "truth: axis " << t.value(kind.limits.axis_field, 0.0) << " velocity "
        << t.value("velocity", 0.0) << " drive " << t.value("drive", "") << " brake "
        << t.value("brake", false) << "; daemon " << state() << "; " << watch.describe({});
    return out.str();
  }

  void expect_never_idle_while_loaded() {
    const auto bad = watch.idle_while_loaded();
    EXPECT_TRUE(bad.empty()) << "the daemon said idle while the person was loaded: "
                             << watch.describe(bad);
  }

  // From simulated time `from_s` on: the release never faster than the fault release rate (5 %
  // margin), no move faster than it either way, the drive never disabled by the master while the
  // person was loaded, and every enable starting from where the axis was (no step).
  void expect_gentle_trace(double from_s) {
    TraceColumns trace = trace_through(rig, sim_t());
    const SimLimits& d = kind.limits;
    EXPECT_LE(max_speed_towards_home(trace, from_s), kind.fault_rate * 1.05);
    EXPECT_LE(fastest_rate(trace, from_s), kind.fault_rate * 1.05);
    const std::vector<double> disabled = disabled_while_away(trace, d, from_s);
    EXPECT_TRUE(disabled.empty())
        << "the master disabled the drive with the person loaded at sim t " << disabled.front()
        << " s (" << disabled.size() << " times)";
    EXPECT_LE(largest_enable_step(trace, from_s), 0.1 * d.tolerance)
        << "an enable did not start from the measured value";
  }
};

// A Modbus master of the test's own places the axis at `k.away` at the given rate and disables
// the drive there (the brake then holds it), before any daemon has started.
inline bool place_axis_away(UnkindRig& u) {
  const Result<DeviceFile> file =
      load_device_file(source_path("config/devices/sim-" + u.kind.limits.kind + ".json"));
  if (!file) return false;
  const RegisterMap& map = file->registers;
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", u.rig.sim_port());
  if (ctx == nullptr) return false;
  modbus_set_slave(ctx, 1);
  modbus_set_response_timeout(ctx, 0, 500'000);
  auto write = [&](const std::string& name, double value) {
    const SignalSpec& spec = map.at(name);
    std::uint16_t words[2] = {0, 0};
    return encode_value(spec, value, words).ok() &&
           modbus_write_registers(ctx, spec.address, spec.width(), words) == spec.width();
  };
  bool ok = modbus_connect(ctx) == 0 && write("velocity_limit", u.kind.rate) &&
            write("target", u.kind.away);
  for (std::uint16_t cw : {cia402::kShutdown, cia402::kSwitchOn, cia402::kEnableOperation})
    ok = ok && write("control_word", cw);
  ok = ok && wait_until(
                 [&] {
                   const nlohmann::json t = u.truth();
                   return std::abs(t.value(u.kind.limits.axis_field, 1e9) - u.kind.away) <
                              0.1 * u.kind.limits.tolerance &&
                          at_rest(t.value("velocity", 1e9), u.kind.limits);
                 },
                 std::chrono::seconds(30));
  ok = ok && write("control_word", cia402::kShutdown);
  modbus_close(ctx);
  modbus_free(ctx);
  return ok;
}

}  // namespace traction::e2e
