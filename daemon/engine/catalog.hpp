// SPDX-License-Identifier: Apache-2.0
// The catalog: programs, profiles and the limits of one device, loaded once and immutable after.
// It answers the socket's program.*, profile.* and limits.get methods and turns a request into a
// validated Plan (make_plan). Every method is const and safe to call from any thread.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "daemon/control_api.hpp"
#include "daemon/engine/plan.hpp"
#include "daemon/engine/profile.hpp"
#include "daemon/engine/program.hpp"

namespace traction {

struct CatalogConfig {
  DeviceKind kind = DeviceKind::inversion;
  nlohmann::json device_limits = nlohmann::json::object();  // the device file's "limits"
  std::string device_source;                                // the device file, for messages
  nlohmann::json site_limits = nlohmann::json::object();  // daemon config "site_limits"; may be {}
  std::string site_source;
  nlohmann::json profiles = nlohmann::json::array();  // daemon config "profiles"; may be []
  std::string profiles_source;
  std::vector<std::string> program_dirs;  // *.json in each; a later dir overrides an earlier one
  // How users read each of program_dirs (a program's "source" is NAME/FILE): the name the config
  // gave it, so no machine's path shows. Empty: the paths themselves.
  std::vector<std::string> program_dir_names;
};

class Catalog {
 public:
  // Parses the limits of every level, every profile and every program file. Errc::config with the
  // file, the JSON path and the rule on the first error. A program that exceeds the limits still
  // loads (a profile may be needed to run it); make_plan refuses it with the violations.
  static Result<std::shared_ptr<const Catalog>> load(const CatalogConfig& config);

  // The same semantics as the same-named methods of ControlPort (daemon/control_api.hpp).
  // program_list: [{name, description, guidance, mode, kinds, source, total_seconds|null,
  //   needs_profile}] for the programs that support this device's kind, by name.
  nlohmann::json program_list() const;
  // program_get: {name, description, guidance, kinds, source, definition, plan|null,
  //   violations}; the plan is made without a profile. unknown_program if no such name.
  std::optional<ApiError> program_get(const std::string& name, nlohmann::json& out) const;
  // profile_list: [{name, body_mass_kg, contraindications}] by name.
  nlohmann::json profile_list() const;
  // profile_get: the profile as configured plus its "effective_limits". unknown_profile.
  std::optional<ApiError> profile_get(const std::string& name, nlohmann::json& out) const;
  // limits_get: EffectiveLimits::to_json() for `profile` ("" = device and site only).
  std::optional<ApiError> limits_get(const std::string& profile, nlohmann::json& out) const;
  // make_plan: a catalog program or an inline definition for a profile (PlanRequest, checked by
  // the server), for the next session given the history of earlier sessions of the same program
  // and profile (oldest first): a program with a progression gets its parameters raised or
  // stepped back (progression.hpp); when the raised plan breaks a limit, every rule steps down
  // until it fits. The plan's "progression" says what was applied and why. Errors:
  // invalid_program (a malformed definition: the message names the JSON path and rule),
  // unknown_program, unknown_profile, limit_exceeded (data.violations lists the first
  // kMaxViolationsListed violations, data.violation_count all of them, data.plan the refused plan).
  std::optional<ApiError> make_plan(const PlanRequest& request, std::shared_ptr<const Plan>& plan,
                                    const ProgressionHistory& history = {}) const;

  // For the daemon: the kind, and the limits that apply outside a session or for a profile.
  DeviceKind kind() const { return kind_; }
  Result<EffectiveLimits> limits_for(const std::string& profile) const;

 private:
  Catalog() = default;
  const Profile* find_profile(const std::string& name) const;
  std::optional<ApiError> plan_program(const ProgramDefinition& program, const Profile* profile,
                                       std::shared_ptr<const Plan>& plan,
                                       const ProgressionHistory& history = {}) const;
  // Expands and checks one program; `candidate` is filled even when it is refused.
  std::optional<ApiError> expand_and_check(const ProgramDefinition& program, const Profile* profile,
                                           Plan& candidate) const;

  DeviceKind kind_ = DeviceKind::inversion;
  EffectiveLimits base_limits_;  // device and site
  std::map<std::string, Profile> profiles_;
  std::map<std::string, EffectiveLimits> profile_limits_;
  std::map<std::string, ProgramDefinition> programs_;
};

}  // namespace traction
