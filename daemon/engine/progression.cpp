// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/progression.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "daemon/engine/profile.hpp"
#include "daemon/engine/program.hpp"

namespace traction {
namespace {

constexpr double kUnbounded = std::numeric_limits<double>::infinity();
constexpr auto kWeek = std::chrono::hours(24 * 7);
// The parse bounds of the parameters that no limit caps (program.cpp).
constexpr double kMaxRestSeconds = 3600.0;
constexpr double kMaxCycles = 100.0;

// The slot of a target parameter (const or not, as the variant is), or null.
template <class Variant>
auto target_slot(Variant& v, const std::string& parameter) -> decltype(&v.target) {
  if (parameter == "target") return &v.target;
  if (parameter == "hold_target") return &v.hold_target;
  if (parameter == "start_target") return &v.start_target;
  if (parameter == "end_target") return &v.end_target;
  if (parameter == "high_target") return &v.high_target;
  return nullptr;
}

bool is_fraction_bw(const ProgramVariant& v, const std::string& parameter) {
  const auto* slot = target_slot(v, parameter);
  return slot != nullptr && slot->has_value() && (*slot)->fraction_bw;
}

double value_of(const ProgramVariant& v, const std::string& parameter) {
  if (parameter == "hold_seconds") return v.hold_seconds;
  if (parameter == "rest_seconds") return v.rest_seconds;
  if (parameter == "cycles") return v.cycles;
  const auto* slot = target_slot(v, parameter);
  return slot != nullptr && slot->has_value() ? (*slot)->value : 0.0;
}

void set_value(ProgramVariant& v, const std::string& parameter, double value) {
  if (parameter == "hold_seconds") v.hold_seconds = value;
  if (parameter == "rest_seconds") v.rest_seconds = value;
  if (parameter == "cycles") v.cycles = static_cast<int>(std::floor(value + 1e-9));
  auto* slot = target_slot(v, parameter);
  if (slot != nullptr && slot->has_value()) (*slot)->value = value;
}

// The highest value the effective limits allow for a parameter, in its own unit.
double limit_cap(const ProgramVariant& variant, const std::string& parameter,
                 const EffectiveLimits& limits, const Profile* profile) {
  if (parameter == "hold_seconds") return limits.max_hold_seconds;
  if (parameter == "rest_seconds") return kMaxRestSeconds;
  if (parameter == "cycles") return kMaxCycles;
  if (!is_fraction_bw(variant, parameter)) return limits.max_target;
  if (profile == nullptr || !profile->body_mass_kg) return kUnbounded;  // validation refuses it
  return limits.max_target / (*profile->body_mass_kg * kStandardGravity);
}

double cap_of(const ProgramVariant& variant, const ProgressionRule& rule,
              const EffectiveLimits& limits, const Profile* profile) {
  return std::min(rule.max.value_or(kUnbounded),
                  limit_cap(variant, rule.parameter, limits, profile));
}

int max_level(const ProgramVariant& variant, const ProgressionRule& rule,
              const EffectiveLimits& limits, const Profile* profile) {
  const double base = value_of(variant, rule.parameter);
  const double cap = cap_of(variant, rule, limits, profile);
  if (!(cap > base)) return 0;
  if (std::isinf(cap)) return std::numeric_limits<int>::max();
  return static_cast<int>(std::ceil((cap - base) / rule.add - 1e-9));
}

double value_at(const ProgramVariant& variant, const ProgressionRule& rule, int level,
                const EffectiveLimits& limits, const Profile* profile) {
  const double base = value_of(variant, rule.parameter);
  if (level <= 0) return base;
  return std::min(base + level * rule.add, cap_of(variant, rule, limits, profile));
}

const char* to_string(ProgressionEvery every) {
  return every == ProgressionEvery::week ? "week" : "session";
}

}  // namespace

std::vector<std::string> progression_parameters(const ProgramVariant& variant) {
  switch (variant.mode) {
    case ProgramMode::static_hold:
      return {"target", "hold_seconds"};
    case ProgramMode::intermittent:
      return {"hold_target", "hold_seconds", "rest_seconds", "cycles"};
    case ProgramMode::progressive:
    case ProgramMode::regressive:
      return {"start_target", "end_target", "hold_seconds", "rest_seconds"};
    case ProgramMode::cyclic:
      return {"high_target", "hold_seconds", "rest_seconds", "cycles"};
    case ProgramMode::steps:
      return {};
  }
  return {};
}

ProgressionSpec parse_progression(ObjectReader& reader, const ProgramVariant& variant) {
  ProgressionSpec spec;
  spec.path = reader.path();
  const std::vector<std::string> parameters = progression_parameters(variant);
  if (parameters.empty()) {
    reader.fail("rules", std::string("a ") + to_string(variant.mode) +
                             " program has no parameter to progress; use another mode");
  }
  const nlohmann::json& rules = reader.raw("rules");
  if (!rules.is_array() || rules.empty()) {
    reader.fail("rules",
                "must be a non-empty array of {\"parameter\", \"add\", \"every\", \"max\"}");
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    ObjectReader r(rules[i], reader.source(), reader.path_of("rules") + "/" + std::to_string(i));
    ProgressionRule rule;
    rule.path = r.path();
    rule.parameter = r.choice("parameter", parameters);
    const bool fraction = is_fraction_bw(variant, rule.parameter);
    const double top = fraction ? 1.0 : 1e4;
    rule.add = r.number("add", 1e-6, top);
    if (rule.parameter == "cycles" && std::floor(rule.add) != rule.add) {
      r.fail("add", "cycles grow by a whole number of cycles");
    }
    rule.every = r.choice_or("every", "session", {"session", "week"}) == "week"
                     ? ProgressionEvery::week
                     : ProgressionEvery::session;
    rule.max = r.optional_number("max", 0.0, fraction ? 1.0 : 1e5);
    r.finish();
    spec.rules.push_back(std::move(rule));
  }
  const auto back = reader.string_list_or("step_back", {"stop_switch", "comfort_worse"});
  spec.back_on_stop_switch = false;
  spec.back_on_comfort_worse = false;
  for (const auto& condition : back) {
    if (condition == "stop_switch") {
      spec.back_on_stop_switch = true;
    } else if (condition == "comfort_worse") {
      spec.back_on_comfort_worse = true;
    } else {
      reader.fail("step_back",
                  "value \"" + condition + "\" is not one of: stop_switch, comfort_worse");
    }
  }
  reader.finish();
  return spec;
}

namespace {

// The levels earned over a person's past sessions, one session at a time.
class ProgressionWalk {
 public:
  ProgressionWalk(const ProgressionSpec& spec, std::vector<int> max_levels)
      : spec_(spec), week_start_(spec.rules.size()), practised_(spec.rules.size(), false) {
    out_.levels.assign(spec.rules.size(), 0);
    out_.max_levels = std::move(max_levels);
  }

  void add(const PastSession& past) {
    int change = pass_weeks(past.started);
    const bool comfort_worse =
        past.comfort_before && past.comfort_after && *past.comfort_after < *past.comfort_before;
    const bool stop_switch = past.outcome == Outcome::stop_switch;
    if ((stop_switch && spec_.back_on_stop_switch) ||
        (comfort_worse && spec_.back_on_comfort_worse)) {
      change -= 1;
      step_back(past.started);
    } else if (past.outcome == Outcome::completed) {
      change += completed(past.started);
    }
    out_.trail.push_back({{"id", past.id},
                          {"outcome", to_string(past.outcome)},
                          {"comfort_worse", comfort_worse},
                          {"change", change},
                          {"levels", out_.levels}});
  }

  ProgressionResult finish(std::chrono::system_clock::time_point now) {
    pass_weeks(now);
    return std::move(out_);
  }

 private:
  bool step_up(std::size_t i) {
    if (out_.levels[i] >= out_.max_levels[i]) return false;
    ++out_.levels[i];
    return true;
  }
  void step_back(std::chrono::system_clock::time_point at) {
    for (std::size_t i = 0; i < out_.levels.size(); ++i) {
      out_.levels[i] = std::max(0, out_.levels[i] - 1);
      week_start_[i] = at;
      practised_[i] = false;
    }
  }
  int completed(std::chrono::system_clock::time_point at) {
    int steps = 0;
    for (std::size_t i = 0; i < out_.levels.size(); ++i) {
      if (spec_.rules[i].every == ProgressionEvery::session) {
        steps += step_up(i) ? 1 : 0;
      } else {
        if (!week_start_[i]) week_start_[i] = at;
        practised_[i] = true;
      }
    }
    return steps;
  }
  // Weekly rules: each week that passed with practice steps up; a week without practice earns
  // nothing, and the count waits for the next session.
  int pass_weeks(std::chrono::system_clock::time_point until) {
    int steps = 0;
    for (std::size_t i = 0; i < out_.levels.size(); ++i) {
      if (spec_.rules[i].every != ProgressionEvery::week || !week_start_[i]) continue;
      while (until - *week_start_[i] >= kWeek) {
        if (!practised_[i]) {
          week_start_[i].reset();
          break;
        }
        steps += step_up(i) ? 1 : 0;
        *week_start_[i] += kWeek;
        practised_[i] = false;
      }
    }
    return steps;
  }

  const ProgressionSpec& spec_;
  ProgressionResult out_;
  std::vector<std::optional<std::chrono::system_clock::time_point>> week_start_;
  std::vector<bool> practised_;
};

}  // namespace

ProgressionResult derive_progression(const ProgramVariant& variant, const ProgressionSpec& spec,
                                     const ProgressionHistory& history,
                                     const EffectiveLimits& limits, const Profile* profile) {
  std::vector<int> max_levels;
  for (const auto& rule : spec.rules)
    max_levels.push_back(max_level(variant, rule, limits, profile));
  ProgressionWalk walk(spec, std::move(max_levels));
  for (const PastSession& past : history.sessions) walk.add(past);
  return walk.finish(history.now);
}

ProgramVariant apply_progression(const ProgramVariant& variant, const ProgressionSpec& spec,
                                 const std::vector<int>& levels, const EffectiveLimits& limits,
                                 const Profile* profile) {
  ProgramVariant out = variant;
  for (std::size_t i = 0; i < spec.rules.size() && i < levels.size(); ++i) {
    const ProgressionRule& rule = spec.rules[i];
    set_value(out, rule.parameter, value_at(variant, rule, levels[i], limits, profile));
  }
  return out;
}

nlohmann::json describe_progression(const ProgramVariant& base, const ProgressionSpec& spec,
                                    const ProgressionResult& derived,
                                    const std::vector<int>& applied, const EffectiveLimits& limits,
                                    const Profile* profile) {
  nlohmann::json rules = nlohmann::json::array();
  for (std::size_t i = 0; i < spec.rules.size(); ++i) {
    const ProgressionRule& rule = spec.rules[i];
    const double cap = cap_of(base, rule, limits, profile);
    rules.push_back({{"parameter", rule.parameter},
                     {"add", rule.add},
                     {"every", to_string(rule.every)},
                     {"base", value_of(base, rule.parameter)},
                     {"level", applied[i]},
                     {"derived_level", derived.levels[i]},
                     {"max_level", derived.max_levels[i]},
                     {"value", value_at(base, rule, applied[i], limits, profile)},
                     {"cap", std::isinf(cap) ? nlohmann::json(nullptr) : nlohmann::json(cap)}});
  }
  return {{"rules", std::move(rules)},
          {"sessions_considered", derived.trail.size()},
          {"trail", derived.trail}};
}

}  // namespace traction
