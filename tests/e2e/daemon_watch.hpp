// SPDX-License-Identifier: Apache-2.0
// Watches what the daemon says beside what the device really does: a thread samples the daemon's
// state (status.get) and the simulator's ground truth one after the other, and collects the
// daemon's state_changed events (status.subscribe) so that no state is missed however short, on
// its own connections, until it is stopped. A test then asks whether the daemon ever said `idle`
// while the person was still loaded, and which states it went through — across daemon restarts
// too.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/ground_truth.hpp"
#include "tests/e2e/process_harness.hpp"

namespace traction::e2e {

class DaemonWatch {
 public:
  struct Sample {
    std::string state;  // "" while the daemon does not answer
    double axis = 0.0;  // ground truth right after the daemon answered
    double velocity = 0.0;
    double sim_t = 0.0;
  };

  DaemonWatch(Rig& rig, SimLimits limits,
              std::chrono::milliseconds period = std::chrono::milliseconds(50))
      : rig_(rig), limits_(std::move(limits)), period_(period) {
    thread_ = std::thread([this] { run(); });
  }
  ~DaemonWatch() { stop(); }
  DaemonWatch(const DaemonWatch&) = delete;
  DaemonWatch& operator=(const DaemonWatch&) = delete;

  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // The daemon's states in the order sampled, each repeat folded into one.
  std::vector<std::string> states() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const Sample& s : samples_) {
      if (!s.state.empty() && (out.empty() || out.back() != s.state)) out.push_back(s.state);
    }
    return out;
  }
  // The states the daemon's state_changed events went to, in order.
  std::vector<std::string> transitions() const {
    std::lock_guard lock(mutex_);
    return transitions_;
  }
  // Sampled, or entered according to an event.
  bool saw(const std::string& state) const {
    for (const std::vector<std::string>& seen : {states(), transitions()}) {
      for (const std::string& s : seen) {
        if (s == state) return true;
      }
    }
    return false;
  }
  std::string last_state() const {
    const std::vector<std::string> seen = states();
    return seen.empty() ? "" : seen.back();
  }

  // Samples in which the daemon said `idle` while the person was loaded: the axis away from home
  // and at rest there, or more than a whole tolerance away (a release still under way — the
  // bench's force lags its setpoint by up to half a tolerance as the release settles).
  std::vector<Sample> idle_while_loaded() const {
    std::lock_guard lock(mutex_);
    std::vector<Sample> out;
    for (const Sample& s : samples_) {
      const double off = loaded_offset(s.axis, limits_);
      const bool loaded = (away_from_home(s.axis, limits_) && at_rest(s.velocity, limits_)) ||
                          off > limits_.tolerance;
      if (s.state == "idle" && loaded) out.push_back(s);
    }
    return out;
  }

  // "states a → b → c; idle at 14.9 (t 12.3 s), ..." for a failure message.
  std::string describe(const std::vector<Sample>& bad) const {
    std::ostringstream out;
    out << "states";
    for (const std::string& s : states()) out << " " << s;
    out << " (events to";
    for (const std::string& s : transitions()) out << " " << s;
    out << ")";
    for (std::size_t i = 0; i < bad.size() && i < 3; ++i)
      out << "; " << bad[i].state << " at " << bad[i].axis << " (sim t " << bad[i].sim_t << " s)";
    if (bad.size() > 3) out << "; " << bad.size() << " samples in all";
    return out.str();
  }

 private:
  // Subscribes once per daemon (again after a restart) and takes the events that arrived.
  void take_events(std::unique_ptr<RpcClient>& events) {
    if (!events) {
      auto c = RpcClient::connect(rig_.dir() + "/d.sock");
      if (!c) return;
      auto r = (*c)->call("status.subscribe", {{"rate_hz", 1}, {"events", true}}, 2000);
      if (!r || r->error) return;
      events = std::move(*c);
    }
    for (;;) {
      auto n = events->next_notification(0);
      if (!n) {
        events.reset();
        return;
      }
      if (!n->has_value()) return;
      const nlohmann::json& note = **n;
      const nlohmann::json params = note.value("params", nlohmann::json::object());
      if (note.value("method", "") == "event" && params.value("kind", "") == "state_changed") {
        std::lock_guard lock(mutex_);
        transitions_.push_back(params["detail"].value("to", ""));
      }
    }
  }

  void run() {
    std::unique_ptr<RpcClient> daemon;
    std::unique_ptr<RpcClient> events;
    while (!stopping_) {
      take_events(events);
      Sample sample;
      if (!daemon) {
        auto c = RpcClient::connect(rig_.dir() + "/d.sock");
        if (c) daemon = std::move(*c);
      }
      if (daemon) {
        auto r = daemon->call("status.get", nlohmann::json::object(), 2000);
        if (r && !r->error && r->result.is_object()) {
          sample.state = r->result.value("state", "");
        } else {
          daemon.reset();  // restarted or gone: connect afresh next time
        }
      }
      const nlohmann::json truth = rig_.sim({{"command", "state"}});
      if (truth.value("ok", false)) {
        sample.axis = truth.value(limits_.axis_field, 0.0);
        sample.velocity = truth.value("velocity", 0.0);
        sample.sim_t = truth.value("t", 0.0);
        std::lock_guard lock(mutex_);
        samples_.push_back(sample);
      }
      std::this_thread::sleep_for(period_);
    }
  }

  Rig& rig_;
  SimLimits limits_;
  std::chrono::milliseconds period_;
  mutable std::mutex mutex_;
  std::vector<Sample> samples_;
  std::vector<std::string> transitions_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace traction::e2e
