// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/program.hpp"

#include <filesystem>

namespace traction {
namespace {

constexpr double kMaxPhaseSeconds = 3600.0;
constexpr double kMaxRate = 1e4;
constexpr double kMinRate = 1e-3;

const std::vector<std::string> kModes = {"static",     "intermittent", "progressive",
                                         "regressive", "cyclic",       "steps"};
const std::vector<std::string> kKinds = {"inversion", "traction"};

DeviceKind kind_of(const std::string& text) {
  return text == "traction" ? DeviceKind::traction : DeviceKind::inversion;
}

ProgramMode mode_of(const std::string& text) {
  if (text == "intermittent") return ProgramMode::intermittent;
  if (text == "progressive") return ProgramMode::progressive;
  if (text == "regressive") return ProgramMode::regressive;
  if (text == "cyclic") return ProgramMode::cyclic;
  if (text == "steps") return ProgramMode::steps;
  return ProgramMode::static_hold;
}

// A target is a number in axis units, or {"fraction_bw": F} on a traction bench.
TargetSpec read_target(ObjectReader& reader, const std::string& key, DeviceKind kind) {
  const nlohmann::json& value = reader.raw(key);
  TargetSpec t;
  t.path = reader.path_of(key);
  if (value.is_number()) {
    t.value = kind == DeviceKind::inversion ? reader.number(key, -90.0, 90.0)
                                            : reader.number(key, 0.0, 1e5);
    return t;
  }
  if (value.is_object()) {
    if (kind != DeviceKind::traction) {
      reader.fail(key, "fraction_bw targets apply to traction benches only; give degrees");
    }
    ObjectReader object(value, reader.source(), t.path);
    t.value = object.number("fraction_bw", 0.0, 1.0);
    t.fraction_bw = true;
    object.finish();
    return t;
  }
  reader.fail(key, std::string("value ") + value.dump() + " must be a number (" + axis_unit(kind) +
                       ") or an object {\"fraction_bw\": F}");
}

std::optional<TargetSpec> optional_target(ObjectReader& reader, const std::string& key,
                                          DeviceKind kind) {
  if (!reader.has(key)) return std::nullopt;
  return read_target(reader, key, kind);
}

double read_seconds(ObjectReader& reader, const std::string& key) {
  return reader.number(key, 0.0, kMaxPhaseSeconds);
}

StepSpec read_step(ObjectReader& reader, DeviceKind kind) {
  StepSpec step;
  step.path = reader.path();
  const std::string kind_text = reader.choice("kind", {"ramp", "hold", "rest"});
  step.label = reader.string_or("label", "");
  if (kind_text == "ramp") {
    step.kind = PhaseKind::ramp;
    step.target = read_target(reader, "target", kind);
    step.rate = reader.optional_number("rate", kMinRate, kMaxRate);
    step.shaped = reader.boolean_or("shaped", false);
  } else {
    step.kind = kind_text == "hold" ? PhaseKind::hold : PhaseKind::rest;
    step.seconds = read_seconds(reader, "seconds");
  }
  reader.finish();
  return step;
}

// progressive and regressive: steps from start_target to end_target, with optional rests.
void read_stepped_parameters(ObjectReader& r, ProgramVariant& v) {
  v.start_target = read_target(r, "start_target", v.kind);
  v.end_target = read_target(r, "end_target", v.kind);
  v.step_count = static_cast<int>(r.integer("steps", 2, 50));
  v.hold_seconds = read_seconds(r, "hold_seconds");
  v.rest_seconds = r.number_or("rest_seconds", 0.0, 0.0, kMaxPhaseSeconds);
  v.rest_target = optional_target(r, "rest_target", v.kind);
  v.rest_fraction = r.optional_number("rest_fraction", 0.0, 0.95);
  if (v.rest_target && v.rest_fraction) {
    r.fail("rest_fraction", "give either rest_target or rest_fraction, not both");
  }
  if (v.rest_seconds > 0 && !v.rest_target && !v.rest_fraction) {
    r.fail("rest_seconds", "a rest needs a level: add rest_target or rest_fraction");
  }
}

// steps: a list of ramps, holds and rests, repeated; at most kMaxPlanPhases in all.
void read_step_list(ObjectReader& r, ProgramVariant& v) {
  const nlohmann::json& phases = r.raw("phases");
  if (!phases.is_array() || phases.empty()) {
    r.fail("phases", "must be a non-empty array of {\"kind\": ramp|hold|rest, ...}");
  }
  for (std::size_t i = 0; i < phases.size(); ++i) {
    ObjectReader step(phases[i], r.source(), r.path_of("phases") + "/" + std::to_string(i));
    v.steps.push_back(read_step(step, v.kind));
  }
  v.repeat = static_cast<int>(r.integer_or("repeat", 1, 1, 100));
  if (v.steps.size() * static_cast<std::size_t>(v.repeat) > kMaxPlanPhases) {
    r.fail("repeat", std::to_string(v.steps.size()) + " steps repeated " +
                         std::to_string(v.repeat) + " times make more than " +
                         std::to_string(kMaxPlanPhases) + " phases");
  }
}

void read_mode_parameters(ObjectReader& r, ProgramVariant& v) {
  switch (v.mode) {
    case ProgramMode::static_hold:
      v.target = read_target(r, "target", v.kind);
      v.hold_seconds = read_seconds(r, "hold_seconds");
      break;
    case ProgramMode::intermittent:
      v.hold_target = read_target(r, "hold_target", v.kind);
      v.hold_seconds = read_seconds(r, "hold_seconds");
      v.rest_target = read_target(r, "rest_target", v.kind);
      v.rest_seconds = read_seconds(r, "rest_seconds");
      v.cycles = static_cast<int>(r.integer("cycles", 1, 100));
      break;
    case ProgramMode::progressive:
    case ProgramMode::regressive:
      read_stepped_parameters(r, v);
      break;
    case ProgramMode::cyclic:
      v.low_target = optional_target(r, "low_target", v.kind);
      v.high_target = read_target(r, "high_target", v.kind);
      v.ramp_up_seconds = r.number("ramp_up_seconds", 0.1, kMaxPhaseSeconds);
      v.ramp_down_seconds = r.number("ramp_down_seconds", 0.1, kMaxPhaseSeconds);
      v.hold_seconds = r.number_or("hold_seconds", 0.0, 0.0, kMaxPhaseSeconds);
      v.rest_seconds = r.number_or("rest_seconds", 0.0, 0.0, kMaxPhaseSeconds);
      v.cycles = static_cast<int>(r.integer("cycles", 1, 100));
      break;
    case ProgramMode::steps:
      read_step_list(r, v);
      break;
  }
}

ProgramVariant read_variant(ObjectReader& r, DeviceKind kind) {
  ProgramVariant v;
  v.kind = kind;
  v.path = r.path().empty() ? "/" : r.path();
  v.mode = mode_of(r.choice("mode", kModes));
  v.rate_up = r.optional_number("rate_up", kMinRate, kMaxRate);
  v.rate_down = r.optional_number("rate_down", kMinRate, kMaxRate);
  v.release_rate = r.optional_number("release_rate", kMinRate, kMaxRate);
  v.shaped_rise = r.boolean_or("shaped_rise", false);
  if (auto p = r.optional_object("pretension")) {
    if (kind != DeviceKind::traction) {
      r.fail("pretension", "pre-tension (slack take-up) applies to traction benches only");
    }
    PretensionSpec spec;
    spec.path = p->path();
    spec.target = read_target(*p, "target", kind);
    spec.rate = p->number("rate", kMinRate, kMaxRate);
    spec.seconds = p->number_or("seconds", 0.0, 0.0, 120.0);
    p->finish();
    v.pretension = spec;
  }
  if (auto rec = r.optional_object("recovery")) {
    RecoverySpec spec;
    spec.path = rec->path();
    spec.target = read_target(*rec, "target", kind);
    spec.seconds = rec->number("seconds", 1.0, kMaxPhaseSeconds);
    rec->finish();
    v.recovery = spec;
  }
  read_mode_parameters(r, v);
  if (auto progression = r.optional_object("progression")) {
    v.progression = parse_progression(*progression, v);
  }
  return v;
}

}  // namespace

const char* to_string(ProgramMode mode) {
  switch (mode) {
    case ProgramMode::static_hold:
      return "static";
    case ProgramMode::intermittent:
      return "intermittent";
    case ProgramMode::progressive:
      return "progressive";
    case ProgramMode::regressive:
      return "regressive";
    case ProgramMode::cyclic:
      return "cyclic";
    case ProgramMode::steps:
      return "steps";
  }
  return "?";
}

std::vector<std::string> ProgramDefinition::kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, variant] : variants) out.emplace_back(to_string(kind));
  return out;
}

bool uses_fraction_bw(const ProgramVariant& v) {
  auto f = [](const std::optional<TargetSpec>& t) { return t && t->fraction_bw; };
  if (f(v.target) || f(v.hold_target) || f(v.rest_target) || f(v.start_target) || f(v.end_target) ||
      f(v.low_target) || f(v.high_target)) {
    return true;
  }
  if (v.pretension && v.pretension->target.fraction_bw) return true;
  if (v.recovery && v.recovery->target.fraction_bw) return true;
  for (const auto& step : v.steps) {
    if (f(step.target)) return true;
  }
  return false;
}

ProgramDefinition parse_program(const nlohmann::json& json, const std::string& source,
                                const std::string& path, bool inline_definition) {
  ObjectReader r(json, source, path);
  ProgramDefinition p;
  p.source = source;
  p.json = json;
  p.name = inline_definition ? r.string_or("name", "inline") : r.string("name");
  if (p.name.empty() || p.name.size() > 64 ||
      p.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
    r.fail("name", "value \"" + p.name + "\" must be 1-64 characters of a-z, 0-9, '-' and '_'");
  }
  p.description = inline_definition ? r.string_or("description", "") : r.string("description");
  p.guidance = inline_definition ? r.string_or("guidance", "") : r.string("guidance");

  if (r.has("variants")) {
    if (r.has("mode") || r.has("kinds")) {
      r.fail("variants", "a program has either \"variants\" or a top-level \"mode\" and \"kinds\"");
    }
    ObjectReader variants = r.object("variants");
    for (const auto& kind_text : kKinds) {
      if (auto body = variants.optional_object(kind_text)) {
        const DeviceKind kind = kind_of(kind_text);
        if (body->has("guidance")) p.variant_guidance[kind] = body->string("guidance");
        p.variants[kind] = read_variant(*body, kind);
        body->finish();
      }
    }
    variants.finish();
    if (p.variants.empty()) r.fail("variants", "must name at least one of: inversion, traction");
  } else {
    const auto kinds = r.string_list_or("kinds", kKinds);
    if (kinds.empty()) {
      r.fail("kinds",
             "is required (a non-empty list of inversion, traction) when there are no variants");
    }
    for (const auto& kind_text : kinds) {
      // Each kind reads the same keys with its own bounds; the last reader checks unknown keys.
      ObjectReader body(json, source, path);
      for (const char* key : {"name", "description", "guidance", "kinds"}) {
        body.optional_raw(key);
      }
      p.variants[kind_of(kind_text)] = read_variant(body, kind_of(kind_text));
      body.finish();
    }
    return p;  // the per-kind readers have checked every key
  }
  r.finish();
  return p;
}

Result<ProgramDefinition> load_program_file(const std::string& file) {
  return parse_config<ProgramDefinition>([&] {
    const nlohmann::json json = load_json_file(file);
    ProgramDefinition p = parse_program(json, file);
    const std::string stem = std::filesystem::path(file).stem().string();
    if (p.name != stem) {
      throw ConfigError(file + ": at /name: value \"" + p.name + "\" must equal the file name \"" +
                        stem + "\" so that programs are found by name");
    }
    return p;
  });
}

}  // namespace traction
