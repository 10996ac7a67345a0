// SPDX-License-Identifier: Apache-2.0
// Progression (docs/programs.md "Progression"): a program variant may raise one or more of its
// parameters step by step, per completed session or per week of practice, up to a cap, and step
// back after a session ended by the patient stop switch or whose comfort got worse. The level of
// each rule is derived from the session history every time a plan is made, so there is no stored
// state that could drift from what happened. Pure: the history is an argument.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "daemon/control_api.hpp"
#include "daemon/engine/plan.hpp"

namespace traction {

struct ProgramVariant;
struct Profile;

enum class ProgressionEvery { session, week };

struct ProgressionRule {
  std::string parameter;  // a numeric parameter of the variant's mode (progression_parameters())
  double add = 0.0;       // per step, in the parameter's own unit (s, deg, N, fraction of BW)
  ProgressionEvery every = ProgressionEvery::session;
  std::optional<double> max;  // in the parameter's unit; the effective limits cap it as well
  std::string path;           // JSON path, for messages
};

struct ProgressionSpec {
  std::vector<ProgressionRule> rules;
  bool back_on_stop_switch = true;    // a session ended by the patient stop switch
  bool back_on_comfort_worse = true;  // comfort_after < comfort_before
  std::string path;
};

// One earlier session of the same program and profile, as the history recorded it.
struct PastSession {
  std::string id;
  std::chrono::system_clock::time_point started{};
  Outcome outcome = Outcome::completed;
  std::optional<int> comfort_before;  // 0 (worst) .. 10 (most comfortable)
  std::optional<int> comfort_after;
};

// The parameters a rule may name for a mode, in documentation order.
std::vector<std::string> progression_parameters(const ProgramVariant& variant);

// What progression is derived from: the earlier sessions of the program and profile, oldest
// first, and the time the next session is planned (weekly steps are earned as weeks pass).
struct ProgressionHistory {
  std::vector<PastSession> sessions;
  std::chrono::system_clock::time_point now{};
};

// Reads a variant's "progression" object. Throws ConfigError naming the path and the rule.
ProgressionSpec parse_progression(ObjectReader& reader, const ProgramVariant& variant);

// What a progression gives for the next session.
struct ProgressionResult {
  std::vector<int> levels;      // per rule, 0 = the program as written
  std::vector<int> max_levels;  // per rule: the level at which its cap is reached
  nlohmann::json trail = nlohmann::json::array();  // per past session: outcome and level change
};

// Derives every rule's level from `history`. A per-session rule steps up after each completed
// session. A weekly rule steps up each time a week has passed (by the next session, or by
// `history.now`) since its week began, provided a session was completed in that week; its first
// week begins with the first completed session, and a new one with each step or step back. Steps
// are capped: a rule never goes past the level at which its parameter reaches `max` or the
// effective limit, so that a step back from the cap is a real step. The profile converts axis
// limits into fractions of body weight.
ProgressionResult derive_progression(const ProgramVariant& variant, const ProgressionSpec& spec,
                                     const ProgressionHistory& history,
                                     const EffectiveLimits& limits, const Profile* profile);

// The variant with each rule's parameter raised to `levels` (each value capped).
ProgramVariant apply_progression(const ProgramVariant& variant, const ProgressionSpec& spec,
                                 const std::vector<int>& levels, const EffectiveLimits& limits,
                                 const Profile* profile);

// The "progression" object of a plan: per rule its level, base, value and cap, and the trail.
nlohmann::json describe_progression(const ProgramVariant& base, const ProgressionSpec& spec,
                                    const ProgressionResult& derived,
                                    const std::vector<int>& applied, const EffectiveLimits& limits,
                                    const Profile* profile);

}  // namespace traction
