// SPDX-License-Identifier: Apache-2.0
// The program model (docs/programs.md): a named, described program with one
// variant per device kind it supports. A variant is a mode with its parameters. Parsing checks the
// shape only (types, ranges, required keys); the limits are checked on the expanded plan.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "daemon/engine/plan.hpp"
#include "daemon/engine/progression.hpp"
#include "drivers/device_state.hpp"

namespace traction {

enum class ProgramMode { static_hold, intermittent, progressive, regressive, cyclic, steps };
const char* to_string(ProgramMode mode);

// A target as written: axis units (deg or N), or a fraction of body weight (traction only).
struct TargetSpec {
  double value = 0.0;
  bool fraction_bw = false;
  std::string path;  // JSON path, for messages
};

// An entry of a `steps` program.
struct StepSpec {
  PhaseKind kind = PhaseKind::ramp;  // ramp, hold or rest
  std::optional<TargetSpec> target;  // ramp only
  std::optional<double> rate;        // ramp only; default: the variant's rate up/down
  double seconds = 0.0;              // hold and rest
  bool shaped = false;               // ramp only
  std::string label;
  std::string path;
};

struct PretensionSpec {  // traction only: slack take-up before the program
  TargetSpec target;
  double rate = 0.0;
  double seconds = 0.0;
  std::string path;
};

struct RecoverySpec {  // a gentle low level after the last hold, before the release
  TargetSpec target;
  double seconds = 0.0;
  std::string path;
};

struct ProgramVariant {
  DeviceKind kind = DeviceKind::inversion;
  ProgramMode mode = ProgramMode::static_hold;
  std::string path;                    // JSON path of the variant
  std::optional<double> rate_up;       // units/s; default: half the effective max_rate_up
  std::optional<double> rate_down;     // units/s; default: half the effective max_rate_down
  std::optional<double> release_rate;  // units/s; default: the effective release_rate_stop
  bool shaped_rise = false;
  std::optional<PretensionSpec> pretension;
  std::optional<RecoverySpec> recovery;

  // static
  std::optional<TargetSpec> target;
  double hold_seconds = 0.0;  // static, intermittent, progressive/regressive (per step), cyclic
  // intermittent
  std::optional<TargetSpec> hold_target;
  std::optional<TargetSpec> rest_target;  // also progressive/regressive
  double rest_seconds = 0.0;              // also progressive/regressive, cyclic (at low)
  int cycles = 1;                         // intermittent, cyclic
  // progressive / regressive
  std::optional<TargetSpec> start_target;
  std::optional<TargetSpec> end_target;
  int step_count = 0;
  std::optional<double> rest_fraction;  // rest at home + fraction x (step - home)
  // cyclic
  std::optional<TargetSpec> low_target;
  std::optional<TargetSpec> high_target;
  double ramp_up_seconds = 0.0;
  double ramp_down_seconds = 0.0;
  // steps
  std::vector<StepSpec> steps;
  int repeat = 1;
  // optional: how parameters grow from session to session (progression.hpp)
  std::optional<ProgressionSpec> progression;
};

struct ProgramDefinition {
  std::string name;
  std::string description;
  std::string guidance;
  std::string source;  // file or "request"
  std::map<DeviceKind, ProgramVariant> variants;
  std::map<DeviceKind, std::string> variant_guidance;  // a variant's own guidance, when it has one
  nlohmann::json json;                                 // as written

  std::vector<std::string> kinds() const;
  bool supports(DeviceKind kind) const { return variants.count(kind) != 0; }
};

// Parses a program. `source` names the file (or "request"); `path` is the JSON pointer of the
// program object. Program files must have a name, a description and guidance; an inline
// definition (`inline_definition`) may leave them out. Throws ConfigError naming the source, the
// path, the value and the rule.
ProgramDefinition parse_program(const nlohmann::json& json, const std::string& source,
                                const std::string& path = "", bool inline_definition = false);

// True when any target of the variant is a fraction of body weight (a profile is then required).
bool uses_fraction_bw(const ProgramVariant& variant);

// Loads one program file; its "name" must equal the file name without ".json".
Result<ProgramDefinition> load_program_file(const std::string& file);

}  // namespace traction
