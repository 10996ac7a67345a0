// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/validate.hpp"

#include <cmath>
#include <sstream>

#include "daemon/engine/home.hpp"
#include "daemon/engine/limits.hpp"
#include "daemon/engine/program_expand.hpp"

namespace traction {
namespace {

std::string number_text(double x) {
  std::ostringstream out;
  out << std::round(x * 100.0) / 100.0;
  return out.str();
}

class Checker {
 public:
  explicit Checker(const Plan& plan) : plan_(plan), limits_(plan.limits) {}

  std::vector<Violation> run() {
    double position = limits_.home;
    for (std::size_t i = 0; i < plan_.phases.size(); ++i) {
      const Phase& p = plan_.phases[i];
      const int index = static_cast<int>(i);
      if (p.kind == PhaseKind::ramp || p.kind == PhaseKind::pretension ||
          p.kind == PhaseKind::release) {
        check_target(index, p);
        check_rate(index, p, position);
      }
      track_hold(index, p, position);
      position = p.target;
    }
    end_hold_stretch();
    // The bound, not the estimate: a plan that validates must end before the session cap.
    const double bound = plan_.duration_bound();
    if (bound > limits_.max_session_seconds) {
      add(-1, "total_seconds", bound, "max_session_seconds",
          "the session may take up to " + number_text(bound) + " s (" +
              number_text(plan_.total_seconds) +
              " s planned, plus acceleration and settling of every move), longer than "
              "max_session_seconds");
    }
    return std::move(out_);
  }

 private:
  std::string phase_name(int index) const {
    return "phase " + std::to_string(index + 1) + " (" + plan_.phases[index].label + ")";
  }

  void add(int phase, const std::string& field, double value, const std::string& key,
           const std::string& what) {
    Violation v;
    v.phase = phase;
    v.field = field;
    v.value = value;
    v.limit = limit_value(key);
    v.level = limits_.source.count(key) ? limits_.source.at(key) : "default";
    const std::string why = limits_.reason.count(key) ? limits_.reason.at(key) : "built-in default";
    v.message = (phase >= 0 ? phase_name(phase) + ": " : std::string()) + what + " " +
                limit_text(field, v.limit) + " (" + key + ", set by " + why + ")";
    out_.push_back(std::move(v));
  }

  // The limit with its unit: "60°", "10 deg/s", "120 s".
  std::string limit_text(const std::string& field, double limit) const {
    if (field == "target") return axis_text(limit, plan_.kind);
    if (field == "rate" || field == "release_rate") {
      return number_text(limit) + " " + axis_unit(plan_.kind) + "/s";
    }
    return number_text(limit) + " s";
  }

  double limit_value(const std::string& key) const { return traction::limit_value(limits_, key); }

  void check_target(int index, const Phase& p) {
    const std::string target = axis_text(p.target, plan_.kind);
    if (p.target > limits_.max_target) {
      add(index, "target", p.target, "max_target", "target " + target + " is above the maximum");
    }
    if (p.target < limits_.min_target) {
      add(index, "target", p.target, "min_target", "target " + target + " is below the minimum");
    }
  }

  void check_rate(int index, const Phase& p, double from) {
    if (p.target == from) return;
    const std::string rate = number_text(p.rate) + " " + axis_unit(plan_.kind) + "/s";
    // A shaped rise starts at its rate and slows down, so its rate is its peak: the same check.
    if (p.kind == PhaseKind::release) {
      if (p.rate > limits_.release_rate_stop) {
        add(index, "release_rate", p.rate, "release_rate_stop",
            "release rate " + rate + " is faster than");
      }
      return;
    }
    const bool away = further_from_home(p.target, from, limits_);
    const char* key = away ? "max_rate_up" : "max_rate_down";
    if (p.rate > limit_value(key)) {
      add(index, "rate", p.rate, key, "rate " + rate + " is faster than");
    }
  }

  // The hold cap counts exposure: every second the reading may spend beyond hold_cap_above, in
  // holds, rests and the part of a move beyond it, with each move's acceleration, jerk and settle
  // allowance. Only a stationary phase at or below the level, long enough to relieve (the
  // monitor's relief time), ends a stretch. A rest must relieve: one whose settle band reaches
  // beyond the level is refused. The monitor counts the same way on the readings.
  void track_hold(int index, const Phase& p, double from) {
    const double level = limits_.hold_cap_above;
    const double band = settle_band(limits_);
    const bool stationary = p.target == from || p.rate == 0.0;
    if (p.kind == PhaseKind::rest) {
      if (last_was_hold_ && p.seconds < limits_.min_rest_seconds) {
        add(index, "rest_seconds", p.seconds, "min_rest_seconds",
            "rest of " + number_text(p.seconds) + " s after a hold is shorter than");
      }
      if (p.target + band > level && p.target > limits_.home + band) {
        add(index, "target", p.target, "hold_cap_above",
            "rest at " + axis_text(p.target, plan_.kind) +
                " does not relieve: its settle band reaches beyond");
      }
    }
    if (p.kind == PhaseKind::hold) last_was_hold_ = true;
    if (p.kind == PhaseKind::rest) last_was_hold_ = false;
    if (!stationary) {
      const double distance = std::abs(p.target - from);
      const double beyond =
          std::max(0.0, std::max(p.target, from) - std::max(level, std::min(p.target, from)));
      const double move_s = p.shaped ? shaped_move_seconds(distance, p.rate) : distance / p.rate;
      if (beyond > 0.0) {
        if (!in_stretch_) stretch_first_ = index;
        in_stretch_ = true;
        stretch_seconds_ += move_s * beyond / distance + p.rate / limits_.max_accel +
                            limits_.max_accel / limits_.max_jerk + kSettleTimeoutSeconds;
      }
    }
    if (p.target + band > level) {
      if (!in_stretch_) stretch_first_ = index;
      in_stretch_ = true;
      stretch_seconds_ += p.seconds;
    } else if (p.seconds >= kReliefSeconds) {
      end_hold_stretch();
    }
  }

  void end_hold_stretch() {
    if (stretch_seconds_ > limits_.max_hold_seconds) {
      add(stretch_first_, "hold_seconds", stretch_seconds_, "max_hold_seconds",
          "up to " + number_text(stretch_seconds_) + " s in a row beyond " +
              axis_text(limits_.hold_cap_above, plan_.kind) +
              " (holds, rests and moves) is longer than");
    }
    stretch_seconds_ = 0.0;
    in_stretch_ = false;
  }

  const Plan& plan_;
  const EffectiveLimits& limits_;
  std::vector<Violation> out_;
  bool last_was_hold_ = false;
  bool in_stretch_ = false;
  double stretch_seconds_ = 0.0;
  int stretch_first_ = -1;
};

}  // namespace

nlohmann::json Violation::to_json() const {
  return {{"phase", phase >= 0 ? nlohmann::json(phase) : nlohmann::json(nullptr)},
          {"field", field},
          {"value", value},
          {"limit", limit},
          {"level", level},
          {"message", message}};
}

std::vector<Violation> check_plan(const Plan& plan) {
  return Checker(plan).run();
}

}  // namespace traction
