// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/program_expand.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "daemon/engine/home.hpp"

namespace traction {
namespace {

// The slack take-up of a traction plan without its own pre-tension (docs/programs.md "Slack
// take-up"): up to this far above home (at most half the way to the first target), at this rate,
// then this long at that force before the first ramp.
constexpr double kSlackTakeUpN = 10.0;
constexpr double kSlackTakeUpRateNs = 5.0;
constexpr double kSlackTakeUpSeconds = 1.0;

std::string seconds_text(double seconds) {
  std::ostringstream out;
  out << seconds << " s";
  return out.str();
}

// Builds the phase list while tracking where the axis will be.
class PlanBuilder {
 public:
  PlanBuilder(const ProgramVariant& variant, DeviceKind kind, const EffectiveLimits& limits,
              const Profile* profile, const std::string& source)
      : v_(variant),
        kind_(kind),
        limits_(limits),
        profile_(profile),
        source_(source),
        position_(limits.home) {}

  double resolve(const TargetSpec& t) const {
    if (!t.fraction_bw) return t.value;
    if (profile_ == nullptr || !profile_->body_mass_kg) {
      throw ConfigError(source_ + ": at " + t.path +
                        ": a fraction_bw target needs a profile with body_mass_kg; choose a "
                        "profile or give newtons");
    }
    return t.value * *profile_->body_mass_kg * kStandardGravity;
  }

  // A ramp is "up" when it moves away from home, whatever the sign of the axis.
  bool moves_away(double target) const { return further_from_home(target, position_, limits_); }

  double default_rate(bool away) const {
    if (away) return v_.rate_up.value_or(0.5 * limits_.max_rate_up);
    return v_.rate_down.value_or(0.5 * limits_.max_rate_down);
  }

  void ramp(double target, int repetition, std::optional<double> rate = std::nullopt,
            std::string label = "", std::optional<bool> shaped = std::nullopt) {
    if (target == position_) return;  // nothing to move
    const bool away = moves_away(target);
    Phase p;
    p.kind = PhaseKind::ramp;
    p.target = target;
    p.rate = rate.value_or(default_rate(away));
    p.shaped = shaped.value_or(away && v_.shaped_rise);
    p.repetition = repetition;
    p.label = label.empty() ? "ramp to " + axis_text(target, kind_) : std::move(label);
    push(p);
  }

  void stay(PhaseKind kind, double seconds, int repetition, std::string label = "") {
    Phase p;
    p.kind = kind;
    p.target = position_;
    p.seconds = seconds;
    p.repetition = repetition;
    if (label.empty()) {
      label = (kind == PhaseKind::hold ? "hold " : "rest at ") + axis_text(position_, kind_) +
              " for " + seconds_text(seconds);
    }
    p.label = std::move(label);
    push(p);
  }

  void pretension(const PretensionSpec& spec) {
    const double target = resolve(spec.target);
    if (target <= limits_.home) {
      throw ConfigError(source_ + ": at " + spec.target.path + ": pre-tension " +
                        axis_text(target, kind_) + " must be above home " +
                        axis_text(limits_.home, kind_) + " (it takes up slack)");
    }
    pretension(target, spec.rate, spec.seconds, "pre-tension " + axis_text(target, kind_));
  }

  void pretension(double target, double rate, double seconds, std::string label) {
    Phase p;
    p.kind = PhaseKind::pretension;
    p.target = target;
    p.rate = rate;
    p.seconds = seconds;
    p.label = std::move(label);
    push(p);
  }

  void release() {
    Phase p;
    p.kind = PhaseKind::release;
    p.target = limits_.home;
    p.rate = v_.release_rate.value_or(limits_.release_rate_stop);
    p.label = "release to " + axis_text(limits_.home, kind_);
    push(p);
  }

  // A rest must relieve the load: its level is below the hold before it.
  void require_below(double rest, double hold, const std::string& path, const char* what) const {
    if (rest >= hold) {
      throw ConfigError(source_ + ": at " + path + ": " + what + " " + axis_text(rest, kind_) +
                        " must be below the hold level " + axis_text(hold, kind_));
    }
  }

  double position() const { return position_; }
  std::vector<Phase>& phases() { return phases_; }
  double total_seconds() const { return total_seconds_; }

 private:
  void push(Phase p) {
    total_seconds_ += move_seconds(std::abs(p.target - position_), p.rate, p.shaped) + p.seconds;
    position_ = p.target;
    phases_.push_back(std::move(p));
  }

  const ProgramVariant& v_;
  DeviceKind kind_;
  const EffectiveLimits& limits_;
  const Profile* profile_;
  std::string source_;
  double position_;
  double total_seconds_ = 0.0;
  std::vector<Phase> phases_;
};

int expand_intermittent(const ProgramVariant& v, PlanBuilder& b) {
  const double hold = b.resolve(*v.hold_target);
  const double rest = b.resolve(*v.rest_target);
  b.require_below(rest, hold, v.rest_target->path, "rest_target");
  for (int i = 1; i <= v.cycles; ++i) {
    b.ramp(hold, i);
    b.stay(PhaseKind::hold, v.hold_seconds, i);
    if (i < v.cycles) {  // the last hold ends in the recovery or the release instead
      b.ramp(rest, i);
      b.stay(PhaseKind::rest, v.rest_seconds, i);
    }
  }
  return v.cycles;
}

int expand_stepped(const ProgramVariant& v, const std::string& source, DeviceKind kind, double home,
                   PlanBuilder& b) {
  const double start = b.resolve(*v.start_target);
  const double end = b.resolve(*v.end_target);
  const bool progressive = v.mode == ProgramMode::progressive;
  if (progressive ? !(end > start) : !(end < start)) {
    throw ConfigError(source + ": at " + v.end_target->path + ": a " + to_string(v.mode) +
                      " program's end_target " + axis_text(end, kind) + " must be " +
                      (progressive ? "above" : "below") + " its start_target " +
                      axis_text(start, kind));
  }
  for (int i = 1; i <= v.step_count; ++i) {
    const double step = start + (end - start) * (i - 1) / (v.step_count - 1);
    b.ramp(step, i);
    b.stay(PhaseKind::hold, v.hold_seconds, i);
    if (v.rest_seconds > 0 && i < v.step_count) {
      const double rest =
          v.rest_target ? b.resolve(*v.rest_target) : home + *v.rest_fraction * (step - home);
      b.require_below(rest, step, v.rest_target ? v.rest_target->path : v.path + "/rest_fraction",
                      "the rest level");
      b.ramp(rest, i);
      b.stay(PhaseKind::rest, v.rest_seconds, i);
    }
  }
  return v.step_count;
}

int expand_cyclic(const ProgramVariant& v, const std::string& source, DeviceKind kind, double home,
                  PlanBuilder& b) {
  const double low = v.low_target ? b.resolve(*v.low_target) : home;
  const double high = b.resolve(*v.high_target);
  if (!(high > low)) {
    throw ConfigError(source + ": at " + v.high_target->path + ": high_target " +
                      axis_text(high, kind) + " must be above low_target " + axis_text(low, kind));
  }
  b.ramp(low, 0);
  const double span = high - low;
  // Ramp times are given; the rate follows (a shaped rise covers the span at twice the mean rate).
  const double up_rate = (v.shaped_rise ? 2.0 : 1.0) * span / v.ramp_up_seconds;
  const double down_rate = span / v.ramp_down_seconds;
  for (int i = 1; i <= v.cycles; ++i) {
    b.ramp(high, i, up_rate);
    if (v.hold_seconds > 0) b.stay(PhaseKind::hold, v.hold_seconds, i);
    b.ramp(low, i, down_rate);
    if (v.rest_seconds > 0 && i < v.cycles) b.stay(PhaseKind::rest, v.rest_seconds, i);
  }
  return v.cycles;
}

int expand_steps(const ProgramVariant& v, const std::string& source, DeviceKind kind,
                 PlanBuilder& b) {
  for (int r = 1; r <= v.repeat; ++r) {
    std::optional<double> last_hold;  // the level of the last hold since the last rest
    for (const auto& step : v.steps) {
      switch (step.kind) {
        case PhaseKind::ramp:
          b.ramp(b.resolve(*step.target), r, step.rate, step.label,
                 step.shaped ? std::optional<bool>(true) : std::nullopt);
          break;
        case PhaseKind::hold:
          b.stay(PhaseKind::hold, step.seconds, r, step.label);
          last_hold = b.position();
          break;
        default:
          if (last_hold && b.position() >= *last_hold) {
            throw ConfigError(source + ": at " + step.path + ": a rest at " +
                              axis_text(b.position(), kind) +
                              " must be below the hold before it at " +
                              axis_text(*last_hold, kind) + "; add a ramp down first");
          }
          b.stay(PhaseKind::rest, step.seconds, r, step.label);
          last_hold.reset();
          break;
      }
    }
  }
  return v.repeat;
}

// The phases of the variant's mode (no pre-tension, recovery or release); the repetitions.
int expand_mode(const ProgramVariant& v, const std::string& source, DeviceKind kind, double home,
                PlanBuilder& b) {
  switch (v.mode) {
    case ProgramMode::static_hold:
      b.ramp(b.resolve(*v.target), 1);
      b.stay(PhaseKind::hold, v.hold_seconds, 1);
      return 1;
    case ProgramMode::intermittent:
      return expand_intermittent(v, b);
    case ProgramMode::progressive:
    case ProgramMode::regressive:
      return expand_stepped(v, source, kind, home, b);
    case ProgramMode::cyclic:
      return expand_cyclic(v, source, kind, home, b);
    case ProgramMode::steps:
      return expand_steps(v, source, kind, b);
  }
  return 1;
}

}  // namespace

std::string axis_text(double value, DeviceKind kind) {
  std::ostringstream out;
  const double rounded = std::round(value * 10.0) / 10.0;
  if (rounded == std::round(rounded)) {
    out << static_cast<long long>(std::round(rounded));
  } else {
    out << std::fixed << std::setprecision(1) << rounded;
  }
  out << (kind == DeviceKind::inversion ? "°" : " N");
  return out.str();
}

double move_seconds(double distance, double rate, bool shaped) {
  if (distance <= 0.0 || rate <= 0.0) return 0.0;
  return shaped ? shaped_move_seconds(distance, rate) : distance / rate;
}

namespace {

// Slack take-up before the first move that loads the person, for a bench program without its own
// pre-tension: a slow move to a small force, held briefly.
void add_slack_take_up(const ProgramVariant& v, const std::string& source, DeviceKind kind,
                       const EffectiveLimits& limits, const Profile* profile, PlanBuilder& b) {
  PlanBuilder probe(v, kind, limits, profile, source);
  expand_mode(v, source, kind, limits.home, probe);
  for (const Phase& p : probe.phases()) {
    if (p.target <= limits.home) continue;
    const double target = limits.home + std::min(kSlackTakeUpN, 0.5 * (p.target - limits.home));
    b.pretension(target, std::min(kSlackTakeUpRateNs, limits.max_rate_up), kSlackTakeUpSeconds,
                 "slack take-up to " + axis_text(target, kind));
    return;
  }
}

// Slack take-up is gentle by definition: it stays below the first working level.
void check_pretension_below_first_target(const ProgramVariant& v, const std::string& source,
                                         DeviceKind kind, const std::vector<Phase>& phases) {
  if (phases.size() > 1 && phases[1].target <= phases[0].target) {
    throw ConfigError(source + ": at " + v.pretension->target.path + ": pre-tension " +
                      axis_text(phases[0].target, kind) + " must be below the first target " +
                      axis_text(phases[1].target, kind));
  }
}

Plan finished_plan(const ProgramDefinition& program, DeviceKind kind, const EffectiveLimits& limits,
                   const Profile* profile, PlanBuilder& b, int repetitions) {
  Plan plan;
  plan.program = program.name;
  plan.description = program.description;
  const auto own = program.variant_guidance.find(kind);
  plan.guidance = own != program.variant_guidance.end() ? own->second : program.guidance;
  plan.profile = profile != nullptr ? profile->name : "";
  plan.kind = kind;
  plan.phases = std::move(b.phases());
  if (plan.phases.size() > kMaxPlanPhases) {
    throw ConfigError(program.source + ": program \"" + program.name + "\" expands to " +
                      std::to_string(plan.phases.size()) + " phases, more than " +
                      std::to_string(kMaxPlanPhases));
  }
  plan.repetitions = repetitions;
  plan.limits = limits;
  plan.total_seconds = b.total_seconds();
  return plan;
}

}  // namespace

Plan expand_program(const ProgramDefinition& program, DeviceKind kind,
                    const EffectiveLimits& limits, const Profile* profile) {
  const auto found = program.variants.find(kind);
  if (found == program.variants.end()) {
    throw ConfigError(program.source + ": program \"" + program.name + "\" has no " +
                      to_string(kind) +
                      " variant (it supports: " + nlohmann::json(program.kinds()).dump() + ")");
  }
  const ProgramVariant& v = found->second;
  PlanBuilder b(v, kind, limits, profile, program.source);
  if (v.pretension) {
    b.pretension(*v.pretension);
  } else if (kind == DeviceKind::traction) {
    add_slack_take_up(v, program.source, kind, limits, profile, b);
  }
  const int repetitions = expand_mode(v, program.source, kind, limits.home, b);
  if (v.pretension) check_pretension_below_first_target(v, program.source, kind, b.phases());
  if (v.recovery) {
    const double level = b.resolve(v.recovery->target);
    b.require_below(level, b.position(), v.recovery->target.path, "recovery target");
    b.ramp(level, repetitions);
    b.stay(PhaseKind::rest, v.recovery->seconds, repetitions,
           "recovery at " + axis_text(level, kind) + " for " + seconds_text(v.recovery->seconds));
  }
  b.release();
  return finished_plan(program, kind, limits, profile, b, repetitions);
}

}  // namespace traction
