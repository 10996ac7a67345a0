// SPDX-License-Identifier: Apache-2.0
// Expands a program variant into the absolute phases of a plan (docs/programs.md "Modes"): targets
// resolved to axis units, default rates filled in, every plan ending with a release to home, and
// the total duration computed. Expansion does not check limits (validate.hpp does, listing every
// violation); it throws ConfigError only for a program that makes no sense on its own terms.
#pragma once

#include <string>

#include "daemon/engine/plan.hpp"
#include "daemon/engine/profile.hpp"
#include "daemon/engine/program.hpp"

namespace traction {

// "20°" or "250 N": a value with the axis unit, at most one decimal.
std::string axis_text(double value, DeviceKind kind);

// Seconds a move of `distance` takes at `rate` (a shaped rise: at shaped_speed).
double move_seconds(double distance, double rate, bool shaped);

// Builds the plan for `program` on a device of `kind`, starting from limits.home. A traction plan
// begins with a slack take-up when the program declares no pre-tension (docs/programs.md).
// `profile` may be null (then fraction_bw targets are refused). Throws ConfigError with the JSON
// path and the rule.
Plan expand_program(const ProgramDefinition& program, DeviceKind kind,
                    const EffectiveLimits& limits, const Profile* profile);

}  // namespace traction
