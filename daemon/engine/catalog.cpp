// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/catalog.hpp"

#include <algorithm>
#include <filesystem>

#include "core/text_match.hpp"
#include "daemon/engine/limits.hpp"
#include "daemon/engine/program_expand.hpp"
#include "daemon/engine/validate.hpp"

namespace traction {
namespace {

namespace fs = std::filesystem;

template <class Map>
std::string did_you_mean(const std::string& name, const Map& map) {
  std::vector<std::string> names;
  for (const auto& [key, value] : map) names.push_back(key);
  const std::string hint = closest_match(name, names);
  return hint.empty() ? "" : " (did you mean \"" + hint + "\"?)";
}

ApiError error(const char* reason, std::string message) {
  return ApiError{reason, std::move(message), nlohmann::json::object()};
}

LimitSet device_level(const CatalogConfig& config) {
  ObjectReader reader(config.device_limits, config.device_source, "/limits");
  LimitSet set = parse_limit_set(reader, LimitLevel::device, config.kind);
  set.default_reason = "device file " + config.device_source;
  return set;
}

LimitSet site_level(const CatalogConfig& config) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json& json = config.site_limits.is_null() ? kEmpty : config.site_limits;
  ObjectReader reader(json, config.site_source, "/site_limits");
  LimitSet set = parse_limit_set(reader, LimitLevel::site, config.kind);
  set.default_reason = "site limits in " + config.site_source;
  return set;
}

// Program files in the order they apply: each directory sorted by name, later directories last.
struct ProgramFile {
  std::string path;  // to open
  std::string name;  // to show: the directory as the config names it, then the file
};

std::vector<ProgramFile> program_files(const CatalogConfig& config) {
  std::vector<ProgramFile> out;
  for (std::size_t i = 0; i < config.program_dirs.size(); ++i) {
    const std::string& dir = config.program_dirs[i];
    const bool named = i < config.program_dir_names.size();
    const fs::path shown_dir = named ? config.program_dir_names[i] : dir;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      throw ConfigError(shown_dir.string() + ": program directory does not exist");
    }
    std::vector<ProgramFile> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back({entry.path().string(), (shown_dir / entry.path().filename()).string()});
      }
    }
    std::sort(files.begin(), files.end(),
              [](const ProgramFile& a, const ProgramFile& b) { return a.path < b.path; });
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

// A profile may only tighten the device and site limits.
void check_only_tightens(const Profile& p, const EffectiveLimits& base, const std::string& source,
                         const std::string& path) {
  for (const auto& [key, value] : p.limit_overrides.values) {
    const double current = limit_value(base, key);
    if (!at_least_as_strict(key, value, current)) {
      throw ConfigError(source + ": at " + path + "/limits/" + key + ": value " +
                        nlohmann::json(value).dump() +
                        " is looser than the device and site value " +
                        nlohmann::json(current).dump() + " (a profile may only tighten limits)");
    }
  }
}

}  // namespace

Result<std::shared_ptr<const Catalog>> Catalog::load(const CatalogConfig& config) {
  return parse_config<std::shared_ptr<const Catalog>>([&] {
    std::shared_ptr<Catalog> c(new Catalog());
    c->kind_ = config.kind;
    const LimitSet device = device_level(config);
    const LimitSet site = site_level(config);
    c->base_limits_ = merge_limits(config.kind, {device, site});
    cap_without_body_mass(c->base_limits_, config.kind);

    const nlohmann::json& profiles =
        config.profiles.is_null() ? nlohmann::json::array() : config.profiles;
    if (!profiles.is_array()) {
      throw ConfigError(config.profiles_source + ": at /profiles: must be an array of profiles");
    }
    for (std::size_t i = 0; i < profiles.size(); ++i) {
      const std::string path = "/profiles/" + std::to_string(i);
      Profile p = parse_profile(profiles[i], config.profiles_source, path, config.kind);
      if (c->profiles_.count(p.name) != 0) {
        throw ConfigError(config.profiles_source + ": at " + path + "/name: profile \"" + p.name +
                          "\" is defined twice");
      }
      check_only_tightens(p, c->base_limits_, config.profiles_source, path);
      try {
        EffectiveLimits limits = merge_limits(
            config.kind, {device, site, profile_limit_set(p, config.kind, c->base_limits_.home)});
        if (!p.body_mass_kg) cap_without_body_mass(limits, config.kind);
        c->profile_limits_[p.name] = std::move(limits);
      } catch (const ConfigError& e) {
        throw ConfigError(config.profiles_source + ": at " + path + ": profile \"" + p.name +
                          "\" leaves no usable range: " + e.what());
      }
      c->profiles_[p.name] = std::move(p);
    }

    for (const auto& file : program_files(config)) {
      auto program = load_program_file(file.path);
      if (!program) throw ConfigError(program.status().message());
      program->source = file.name;
      c->programs_[program->name] = std::move(*program);  // a later directory overrides
    }
    return std::shared_ptr<const Catalog>(std::move(c));
  });
}

const Profile* Catalog::find_profile(const std::string& name) const {
  const auto it = profiles_.find(name);
  return it == profiles_.end() ? nullptr : &it->second;
}

Result<EffectiveLimits> Catalog::limits_for(const std::string& profile) const {
  if (profile.empty()) return base_limits_;
  const auto it = profile_limits_.find(profile);
  if (it == profile_limits_.end()) {
    return Result<EffectiveLimits>(Errc::invalid_argument, "no profile named \"" + profile + "\"" +
                                                               did_you_mean(profile, profiles_));
  }
  return it->second;
}

std::optional<ApiError> Catalog::expand_and_check(const ProgramDefinition& program,
                                                  const Profile* profile, Plan& candidate) const {
  const EffectiveLimits& limits =
      profile != nullptr ? profile_limits_.at(profile->name) : base_limits_;
  try {
    candidate = expand_program(program, kind_, limits, profile);
  } catch (const ConfigError& e) {
    return error(reason::kInvalidProgram, e.what());
  }
  const std::vector<Violation> violations = check_plan(candidate);
  if (!violations.empty()) {
    ApiError refused = error(reason::kLimitExceeded, "");
    refused.message = "program \"" + program.name +
                      "\" is refused: " + std::to_string(violations.size()) + " limit violation" +
                      (violations.size() == 1 ? "" : "s") + ": ";
    refused.data["violations"] = nlohmann::json::array();
    const std::size_t listed = std::min(violations.size(), kMaxViolationsListed);
    for (std::size_t i = 0; i < listed; ++i) {
      refused.message += (i == 0 ? "" : "; ") + violations[i].message;
      refused.data["violations"].push_back(violations[i].to_json());
    }
    refused.data["violation_count"] = violations.size();
    if (listed < violations.size()) {
      const std::size_t more = violations.size() - listed;
      refused.message += "; and " + std::to_string(more) + " more";
      refused.data["more_violations"] = more;
    }
    refused.data["plan"] = candidate.to_json();
    return refused;
  }
  return std::nullopt;
}

std::optional<ApiError> Catalog::plan_program(const ProgramDefinition& program,
                                              const Profile* profile,
                                              std::shared_ptr<const Plan>& plan,
                                              const ProgressionHistory& history) const {
  Plan candidate;
  const auto variant = program.variants.find(kind_);
  if (variant == program.variants.end() || !variant->second.progression) {
    if (auto refused = expand_and_check(program, profile, candidate)) return refused;
    plan = std::make_shared<const Plan>(std::move(candidate));
    return std::nullopt;
  }
  const ProgressionSpec& spec = *variant->second.progression;
  const EffectiveLimits& limits =
      profile != nullptr ? profile_limits_.at(profile->name) : base_limits_;
  const ProgressionResult derived =
      derive_progression(variant->second, spec, history, limits, profile);
  std::vector<int> levels = derived.levels;
  for (;;) {
    ProgramDefinition stepped = program;
    stepped.variants[kind_] = apply_progression(variant->second, spec, levels, limits, profile);
    auto refused = expand_and_check(stepped, profile, candidate);
    const bool raised = std::any_of(levels.begin(), levels.end(), [](int l) { return l > 0; });
    if (refused && raised) {
      for (int& level : levels) level = std::max(0, level - 1);
      continue;
    }
    if (refused) return refused;
    candidate.progression =
        describe_progression(variant->second, spec, derived, levels, limits, profile);
    plan = std::make_shared<const Plan>(std::move(candidate));
    return std::nullopt;
  }
}

std::optional<ApiError> Catalog::make_plan(const PlanRequest& request,
                                           std::shared_ptr<const Plan>& plan,
                                           const ProgressionHistory& history) const {
  const std::string& program_name = request.program;
  const std::string& profile_name = request.profile;
  std::optional<ProgramDefinition> inline_program;
  if (request.definition) {
    try {
      inline_program = parse_program(*request.definition, "request", "/definition", true);
    } catch (const ConfigError& e) {
      return error(reason::kInvalidProgram, e.what());
    }
  }

  const Profile* profile = nullptr;
  if (!profile_name.empty()) {
    profile = find_profile(profile_name);
    if (profile == nullptr) {
      return error(reason::kUnknownProfile, "no profile named \"" + profile_name + "\"" +
                                                did_you_mean(profile_name, profiles_));
    }
  }
  if (inline_program) {
    inline_program->name = "inline";
    return plan_program(*inline_program, profile, plan);
  }
  const auto it = programs_.find(program_name);
  if (it == programs_.end()) {
    return error(reason::kUnknownProgram, "no program named \"" + program_name + "\"" +
                                              did_you_mean(program_name, programs_));
  }
  return plan_program(it->second, profile, plan, history);
}

nlohmann::json Catalog::program_list() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, program] : programs_) {
    if (!program.supports(kind_)) continue;
    const ProgramVariant& variant = program.variants.at(kind_);
    nlohmann::json entry = {{"name", name},
                            {"description", program.description},
                            {"guidance", program.guidance},
                            {"mode", to_string(variant.mode)},
                            {"kinds", program.kinds()},
                            {"source", program.source},
                            {"needs_profile", uses_fraction_bw(variant)},
                            {"total_seconds", nullptr}};
    std::shared_ptr<const Plan> plan;
    if (!plan_program(program, nullptr, plan)) entry["total_seconds"] = plan->total_seconds;
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<ApiError> Catalog::program_get(const std::string& name, nlohmann::json& out) const {
  const auto it = programs_.find(name);
  if (it == programs_.end()) {
    return error(reason::kUnknownProgram,
                 "no program named \"" + name + "\"" + did_you_mean(name, programs_));
  }
  const ProgramDefinition& program = it->second;
  out = {{"name", name},
         {"description", program.description},
         {"guidance", program.guidance},
         {"kinds", program.kinds()},
         {"source", program.source},
         {"definition", program.json},
         {"plan", nullptr},
         {"violations", nlohmann::json::array()},
         {"error", nullptr}};
  std::shared_ptr<const Plan> plan;
  if (auto refused = plan_program(program, nullptr, plan)) {
    out["error"] = refused->message;
    if (refused->data.contains("violations")) out["violations"] = refused->data["violations"];
    if (refused->data.contains("plan")) out["plan"] = refused->data["plan"];
  } else {
    out["plan"] = plan->to_json();
  }
  return std::nullopt;
}

nlohmann::json Catalog::profile_list() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, profile] : profiles_) {
    out.push_back({{"name", name},
                   {"body_mass_kg", profile.body_mass_kg ? nlohmann::json(*profile.body_mass_kg)
                                                         : nlohmann::json(nullptr)},
                   {"contraindications", profile.contraindications}});
  }
  return out;
}

std::optional<ApiError> Catalog::profile_get(const std::string& name, nlohmann::json& out) const {
  const Profile* profile = find_profile(name);
  if (profile == nullptr) {
    return error(reason::kUnknownProfile,
                 "no profile named \"" + name + "\"" + did_you_mean(name, profiles_));
  }
  out = profile->to_json();
  const EffectiveLimits& limits = profile_limits_.at(name);
  out["effective_limits"] = limits.to_json();
  nlohmann::json effects = nlohmann::json::array();
  for (const auto& [key, level] : limits.source) {
    if (level == "profile") effects.push_back(key + ": " + limits.reason.at(key));
  }
  out["effects"] = std::move(effects);
  return std::nullopt;
}

std::optional<ApiError> Catalog::limits_get(const std::string& profile, nlohmann::json& out) const {
  auto limits = limits_for(profile);
  if (!limits) return error(reason::kUnknownProfile, limits.status().message());
  out = limits->to_json();
  out["worst_case_seconds_home"] = worst_case_seconds_home(*limits);
  out["profile"] = profile;
  out["kind"] = to_string(kind_);
  out["unit"] = axis_unit(kind_);
  return std::nullopt;
}

}  // namespace traction
