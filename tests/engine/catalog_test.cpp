// SPDX-License-Identifier: Apache-2.0
// The catalog: built-in programs on both sim devices, profiles, make_plan's errors, program
// directories, and the examples of docs/programs.md run through make_plan.
#include "daemon/engine/catalog.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "daemon/engine/program_expand.hpp"
#include "drivers/device_file.hpp"
#include "tests/engine/sim_fixtures.hpp"

namespace traction {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kRoot = TRACTION_SOURCE_DIR;

const json kProfiles = json::array({
    {{"name", "ann"}, {"body_mass_kg", 62}, {"max_inversion_deg", 30}},
    {{"name", "bo"}, {"body_mass_kg", 80}, {"contraindications", {"glaucoma"}}},
    {{"name", "cy"}, {"body_mass_kg", 70}, {"contraindications", {"osteoporosis"}}},
    {{"name", "dee"}, {"body_mass_kg", 75}},
});

CatalogConfig config_for(const std::string& device_file, json profiles = kProfiles,
                         json site = json::object()) {
  return engine_test::sim_catalog_config(device_file, std::move(profiles), std::move(site));
}

std::shared_ptr<const Catalog> load(const CatalogConfig& c) {
  auto catalog = Catalog::load(c);
  EXPECT_TRUE(catalog.ok()) << catalog.status().message();
  return catalog.ok() ? *catalog : nullptr;
}

std::shared_ptr<const Catalog> table() {
  return load(config_for("sim-inversion.json"));
}
std::shared_ptr<const Catalog> bench() {
  return load(config_for("sim-traction.json"));
}

// A temporary directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("catalog_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
  }
};

TEST(Catalog, every_builtin_plans_within_the_sim_device_limits_on_each_kind_it_supports) {
  int planned = 0;
  for (const auto& catalog : {table(), bench()}) {
    ASSERT_TRUE(catalog);
    for (const auto& entry : catalog->program_list()) {
      const std::string name = entry["name"];
      std::shared_ptr<const Plan> plan;
      // A profile with a body mass, so fraction_bw programs resolve.
      const auto refused =
          catalog->make_plan(plan_request({{"program", name}, {"profile", "dee"}}), plan);
      EXPECT_FALSE(refused) << name << ": " << refused->message;
      if (!plan) continue;
      ++planned;
      EXPECT_EQ(plan->phases.back().kind, PhaseKind::release) << name;
      EXPECT_LE(plan->total_seconds, plan->limits.max_session_seconds) << name;
      EXPECT_FALSE(plan->guidance.empty()) << name;
    }
  }
  EXPECT_EQ(planned, 9);  // 5 table programs + 4 bench programs (two have both variants)
}

TEST(Catalog, every_builtin_kind_lists_its_programs_by_name) {
  std::vector<std::string> names;
  for (const auto& e : table()->program_list()) names.push_back(e["name"]);
  EXPECT_EQ(names,
            (std::vector<std::string>{"gentle-intermittent", "gravity-break", "press-up-series",
                                      "progressive-inversion", "quick-check"}));
  names.clear();
  for (const auto& e : bench()->program_list()) names.push_back(e["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"backblock-hold", "intermittent-traction",
                                             "press-up-series", "quick-check"}));
}

TEST(Catalog, quick_check_on_the_sim_table_moves_at_half_its_rate_and_takes_about_15_s) {
  std::shared_ptr<const Plan> plan;
  ASSERT_FALSE(table()->make_plan(plan_request({{"program", "quick-check"}}), plan));
  ASSERT_EQ(plan->phases.size(), 3u);
  EXPECT_EQ(plan->phases[0].target, 15.0);
  EXPECT_EQ(plan->phases[0].rate, 5.0);
  EXPECT_EQ(plan->phases[1].seconds, 5.0);
  EXPECT_EQ(plan->phases[2].target, 0.0);
  EXPECT_DOUBLE_EQ(plan->total_seconds, 11.0);
}

TEST(Catalog, gentle_intermittent_is_three_20_s_holds_at_20_deg_with_10_s_flat_between) {
  std::shared_ptr<const Plan> plan;
  ASSERT_FALSE(table()->make_plan(plan_request({{"program", "gentle-intermittent"}}), plan));
  int holds = 0;
  int rests = 0;
  for (const auto& p : plan->phases) {
    if (p.kind == PhaseKind::hold) {
      EXPECT_EQ(p.target, 20.0);
      EXPECT_EQ(p.seconds, 20.0);
      ++holds;
    }
    if (p.kind == PhaseKind::rest) {
      EXPECT_EQ(p.target, 0.0);
      EXPECT_EQ(p.seconds, 10.0);
      ++rests;
    }
  }
  EXPECT_EQ(holds, 3);
  EXPECT_EQ(rests, 2);
  EXPECT_NEAR(plan->total_seconds, 3 * 24 + 2 * 14 + 20.0 / 6.0, 1e-9);
}

TEST(Catalog, intermittent_traction_without_a_profile_is_an_invalid_program_saying_why) {
  std::shared_ptr<const Plan> plan;
  const auto e = bench()->make_plan(plan_request({{"program", "intermittent-traction"}}), plan);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, reason::kInvalidProgram);
  EXPECT_NE(e->message.find("needs a profile with body_mass_kg"), std::string::npos) << e->message;
  EXPECT_FALSE(plan);
}

TEST(Catalog, intermittent_traction_pulls_30_percent_of_the_profile_body_weight) {
  std::shared_ptr<const Plan> plan;
  ASSERT_FALSE(bench()->make_plan(
      plan_request({{"program", "intermittent-traction"}, {"profile", "ann"}}), plan));
  EXPECT_NEAR(plan->phases[1].target, 0.3 * 62 * 9.80665, 1e-9);
  EXPECT_EQ(plan->profile, "ann");
}

TEST(Catalog, a_glaucoma_profile_refuses_inversion_but_allows_lying_flat) {
  const auto c = table();
  std::shared_ptr<const Plan> plan;
  const auto e =
      c->make_plan(plan_request({{"program", "gentle-intermittent"}, {"profile", "bo"}}), plan);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, reason::kLimitExceeded);
  EXPECT_EQ(e->data["violations"].size(), 3u);  // the three ramps to 20°
  EXPECT_EQ(e->data["violations"][0]["level"], "profile");
  EXPECT_FALSE(c->make_plan(plan_request({{"program", "gravity-break"}, {"profile", "bo"}}), plan));
}

TEST(Catalog, an_osteoporosis_profile_refuses_traction) {
  std::shared_ptr<const Plan> plan;
  const auto e =
      bench()->make_plan(plan_request({{"program", "backblock-hold"}, {"profile", "cy"}}), plan);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, reason::kLimitExceeded);
  EXPECT_NE(e->message.find("osteoporosis"), std::string::npos) << e->message;
}

TEST(Catalog, a_refusal_lists_every_violation_and_the_refused_plan) {
  std::shared_ptr<const Plan> plan;
  const json definition = {
      {"kinds", {"inversion"}}, {"mode", "intermittent"}, {"hold_target", 45}, {"hold_seconds", 20},
      {"rest_target", 0},       {"rest_seconds", 10},     {"cycles", 2},       {"rate_up", 15}};
  const auto e =
      table()->make_plan(plan_request({{"definition", definition}, {"profile", "ann"}}), plan);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, reason::kLimitExceeded);
  ASSERT_EQ(e->data["violations"].size(),
            4u);  // per cycle: angle past the profile, rate past the device
  for (const auto& v : e->data["violations"]) {
    for (const char* key : {"phase", "field", "value", "limit", "level", "message"}) {
      EXPECT_TRUE(v.contains(key)) << key;
    }
  }
  EXPECT_EQ(e->data["plan"]["program"], "inline");
  EXPECT_FALSE(plan);
}

TEST(Catalog, make_plan_errors_use_the_reason_strings_of_the_control_api) {
  const auto c = table();
  std::shared_ptr<const Plan> plan;
  EXPECT_EQ(c->make_plan(plan_request({{"program", "quick-chek"}}), plan)->message,
            "no program named \"quick-chek\" (did you mean \"quick-check\"?)");
  EXPECT_EQ(c->make_plan(plan_request({{"program", "quick-chek"}}), plan)->reason,
            reason::kUnknownProgram);
  EXPECT_EQ(
      c->make_plan(plan_request({{"program", "quick-check"}, {"profile", "an"}}), plan)->reason,
      reason::kUnknownProfile);
  EXPECT_EQ(c->make_plan(plan_request({{"definition", {{"mode", "static"}}}}), plan)->reason,
            reason::kInvalidProgram)
      << "a malformed inline definition (the request's shape is the server's to check)";
  EXPECT_FALSE(plan);
}

TEST(Catalog, a_malformed_definition_names_the_json_path_and_the_rule) {
  std::shared_ptr<const Plan> plan;
  const auto e = table()->make_plan(plan_request({{"definition",
                                                   {{"kinds", {"inversion"}},
                                                    {"mode", "static"},
                                                    {"target", "high"},
                                                    {"hold_seconds", 5}}}}),
                                    plan);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, reason::kInvalidProgram);
  EXPECT_NE(
      e->message.find("request: at /definition/target: value \"high\" must be a number (deg)"),
      std::string::npos)
      << e->message;
}

TEST(Catalog, a_later_program_directory_overrides_an_earlier_one) {
  TempDir dir;
  dir.write("quick-check.json", R"({"name": "quick-check", "description": "site", "guidance": "g",
      "kinds": ["inversion"], "mode": "static", "target": 10, "hold_seconds": 3})");
  CatalogConfig c = config_for("sim-inversion.json");
  c.program_dirs.push_back(dir.path.string());
  std::shared_ptr<const Plan> plan;
  ASSERT_FALSE(load(c)->make_plan(plan_request({{"program", "quick-check"}}), plan));
  EXPECT_EQ(plan->description, "site");
  EXPECT_EQ(plan->phases[0].target, 10.0);
}

TEST(Catalog, a_program_file_with_bad_json_fails_the_load_naming_the_file) {
  TempDir dir;
  dir.write("broken.json", "{\"name\": \"broken\",\n  \"mode\": }");
  CatalogConfig c = config_for("sim-inversion.json");
  c.program_dirs = {dir.path.string()};
  const auto catalog = Catalog::load(c);
  ASSERT_FALSE(catalog.ok());
  EXPECT_NE(catalog.status().message().find("broken.json: not valid JSON"), std::string::npos)
      << catalog.status().message();
}

TEST(Catalog, a_program_file_named_unlike_its_program_fails_the_load) {
  TempDir dir;
  dir.write("other.json", R"({"name": "quick", "description": "d", "guidance": "g",
      "kinds": ["inversion"], "mode": "static", "target": 10, "hold_seconds": 3})");
  CatalogConfig c = config_for("sim-inversion.json");
  c.program_dirs = {dir.path.string()};
  const auto catalog = Catalog::load(c);
  ASSERT_FALSE(catalog.ok());
  EXPECT_NE(catalog.status().message().find(
                "at /name: value \"quick\" must equal the file name \"other\""),
            std::string::npos)
      << catalog.status().message();
}

TEST(Catalog, a_missing_program_directory_fails_the_load) {
  CatalogConfig c = config_for("sim-inversion.json");
  c.program_dirs = {"/nonexistent/programs"};
  EXPECT_FALSE(Catalog::load(c).ok());
}

TEST(Catalog, a_profile_override_looser_than_device_and_site_fails_the_load_with_its_path) {
  const auto catalog = Catalog::load(config_for(
      "sim-inversion.json", json::array({{{"name", "x"}, {"limits", {{"max_rate_up", 20.0}}}}})));
  ASSERT_FALSE(catalog.ok());
  EXPECT_NE(catalog.status().message().find(
                "tractiond.json: at /profiles/0/limits/max_rate_up: value 20.0 is looser than the "
                "device and site value 10.0 (a profile may only tighten limits)"),
            std::string::npos)
      << catalog.status().message();
}

TEST(Catalog, a_duplicate_profile_name_fails_the_load) {
  EXPECT_FALSE(Catalog::load(config_for("sim-inversion.json",
                                        json::array({{{"name", "x"}}, {{"name", "x"}}})))
                   .ok());
}

TEST(Catalog, limits_get_reports_values_with_their_levels_and_reasons) {
  const auto c = load(config_for("sim-inversion.json", kProfiles, {{"max_session_seconds", 900}}));
  json out;
  ASSERT_FALSE(c->limits_get("", out));
  EXPECT_EQ(out["max_rate_up"], 10.0);
  EXPECT_EQ(out["source"]["max_rate_up"], "device");
  EXPECT_EQ(out["source"]["max_session_seconds"], "site");
  EXPECT_EQ(out["unit"], "deg");
  ASSERT_FALSE(c->limits_get("ann", out));
  EXPECT_EQ(out["max_target"], 30.0);
  EXPECT_EQ(out["source"]["max_target"], "profile");
  EXPECT_EQ(c->limits_get("nobody", out)->reason, reason::kUnknownProfile);
}

TEST(Catalog,
     a_bench_without_a_body_mass_keeps_to_the_first_session_cap_unless_the_site_raises_it) {
  const json profiles =
      json::array({{{"name", "nomass"}}, {{"name", "dee"}, {"body_mass_kg", 75}}});
  const auto c = load(config_for("sim-traction.json", profiles));
  json out;
  ASSERT_FALSE(c->limits_get("", out));
  EXPECT_EQ(out["max_target"], 180.0) << "site limits alone: no body mass on record";
  ASSERT_FALSE(c->limits_get("nomass", out));
  EXPECT_EQ(out["max_target"], 180.0);
  EXPECT_NE(out["reason"]["max_target"].get<std::string>().find("no body mass"), std::string::npos);
  ASSERT_FALSE(c->limits_get("dee", out));
  EXPECT_NEAR(out["max_target"].get<double>(), 0.5 * 75 * 9.80665, 0.01) << "half body weight";
  std::shared_ptr<const Plan> plan;
  const json pull = {
      {"kinds", {"traction"}}, {"mode", "static"}, {"target", 200}, {"hold_seconds", 20}};
  const auto refused =
      c->make_plan(plan_request({{"definition", pull}, {"profile", "nomass"}}), plan);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->reason, reason::kLimitExceeded);
  const auto raised =
      load(config_for("sim-traction.json", profiles, {{"max_force_without_body_mass", 400}}));
  ASSERT_FALSE(raised->limits_get("nomass", out));
  EXPECT_EQ(out["max_target"], 400.0) << "the site raised the cap explicitly";
  EXPECT_FALSE(
      raised->make_plan(plan_request({{"definition", pull}, {"profile", "nomass"}}), plan));
}

TEST(Catalog, profile_get_shows_what_the_profile_tightens) {
  json out;
  ASSERT_FALSE(table()->profile_get("bo", out));
  ASSERT_EQ(out["effects"].size(), 1u);
  EXPECT_NE(out["effects"][0].get<std::string>().find("max_target: profile bo: glaucoma"),
            std::string::npos);
  EXPECT_EQ(table()->profile_get("b", out)->reason, reason::kUnknownProfile);
  EXPECT_EQ(table()->profile_list().size(), 4u);
}

TEST(Catalog, program_get_returns_the_definition_and_its_plan_without_a_profile) {
  json out;
  ASSERT_FALSE(bench()->program_get("quick-check", out));
  EXPECT_EQ(out["definition"]["name"], "quick-check");
  EXPECT_EQ(out["plan"]["kind"], "traction");
  EXPECT_TRUE(out["error"].is_null());
  ASSERT_FALSE(bench()->program_get("gravity-break", out));  // exists, but not for a bench
  EXPECT_TRUE(out["plan"].is_null());
  EXPECT_NE(out["error"].get<std::string>().find("has no traction variant"), std::string::npos);
  EXPECT_EQ(bench()->program_get("nothing", out)->reason, reason::kUnknownProgram);
}

// ---- Property: over random definitions, an accepted plan is within every limit, checked here
// independently of validate.cpp; everything else is refused with a reason, never clamped.

json random_target(std::mt19937& rng, DeviceKind kind, double lo, double hi) {
  std::uniform_real_distribution<double> value(lo, hi);
  if (kind == DeviceKind::traction && rng() % 4 == 0) {
    return {{"fraction_bw", std::uniform_real_distribution<double>(0.05, 0.7)(rng)}};
  }
  return std::round(value(rng));
}

json random_definition(std::mt19937& rng, DeviceKind kind) {
  const bool table = kind == DeviceKind::inversion;
  const double lo = table ? -25 : 0;
  const double hi = table ? 70 : 1000;
  auto seconds = [&](double max) {
    return std::round(std::uniform_real_distribution<double>(0, max)(rng));
  };
  auto rate = [&] { return std::uniform_real_distribution<double>(0.5, table ? 14 : 110)(rng); };
  static const char* kModes[] = {"static",     "intermittent", "progressive",
                                 "regressive", "cyclic",       "steps"};
  const std::string mode = kModes[rng() % 6];
  json d = {{"kinds", {to_string(kind)}}, {"mode", mode}};
  if (rng() % 2) d["rate_up"] = rate();
  if (rng() % 2) d["rate_down"] = rate();
  if (rng() % 3 == 0) d["shaped_rise"] = true;
  if (mode == "static") {
    d["target"] = random_target(rng, kind, lo, hi);
    d["hold_seconds"] = seconds(200);
  } else if (mode == "intermittent") {
    d["hold_target"] = random_target(rng, kind, lo, hi);
    d["rest_target"] = random_target(rng, kind, lo, hi);
    d["hold_seconds"] = seconds(150);
    d["rest_seconds"] = seconds(30);
    d["cycles"] = 1 + static_cast<int>(rng() % 8);
  } else if (mode == "progressive" || mode == "regressive") {
    d["start_target"] = random_target(rng, kind, lo, hi);
    d["end_target"] = random_target(rng, kind, lo, hi);
    d["steps"] = 2 + static_cast<int>(rng() % 5);
    d["hold_seconds"] = seconds(60);
    if (rng() % 2) {
      d["rest_seconds"] = seconds(20);
      d["rest_fraction"] = 0.5;
    }
  } else if (mode == "cyclic") {
    d["high_target"] = random_target(rng, kind, lo, hi);
    d["ramp_up_seconds"] = 1 + seconds(20);
    d["ramp_down_seconds"] = 1 + seconds(20);
    d["cycles"] = 1 + static_cast<int>(rng() % 6);
  } else {
    json phases = json::array();
    for (int i = 0, n = 1 + static_cast<int>(rng() % 6); i < n; ++i) {
      const int k = static_cast<int>(rng() % 3);
      if (k == 0) {
        phases.push_back(
            {{"kind", "ramp"}, {"target", random_target(rng, kind, lo, hi)}, {"rate", rate()}});
      } else {
        phases.push_back({{"kind", k == 1 ? "hold" : "rest"}, {"seconds", seconds(90)}});
      }
    }
    d["phases"] = phases;
  }
  return d;
}

TEST(Catalog, over_random_definitions_an_accepted_plan_never_exceeds_a_limit) {
  std::mt19937 rng(20261120);  // fixed seed: deterministic
  const json profiles = json::array({{{"name", "p"}, {"body_mass_kg", 70}},
                                     {{"name", "q"},
                                      {"body_mass_kg", 90},
                                      {"max_inversion_deg", 25},
                                      {"contraindications", {"heart_condition"}}}});
  int accepted = 0;
  int refused = 0;
  for (const char* device : {"sim-inversion.json", "sim-traction.json"}) {
    const auto catalog = load(config_for(device, profiles, {{"min_rest_seconds", 8}}));
    for (int i = 0; i < 1500; ++i) {
      json params = {{"definition", random_definition(rng, catalog->kind())}};
      if (rng() % 2) params["profile"] = rng() % 2 ? "p" : "q";
      std::shared_ptr<const Plan> plan;
      const auto e = catalog->make_plan(plan_request(params), plan);
      if (e) {
        EXPECT_TRUE(e->reason == reason::kLimitExceeded || e->reason == reason::kInvalidProgram)
            << e->reason;
        EXPECT_FALSE(plan);
        ++refused;
        continue;
      }
      ++accepted;
      const EffectiveLimits& l = plan->limits;
      ASSERT_FALSE(plan->phases.empty());
      EXPECT_EQ(plan->phases.back().kind, PhaseKind::release);
      EXPECT_EQ(plan->phases.back().target, l.home);
      double at = l.home;
      double total = 0;
      for (const auto& p : plan->phases) {
        EXPECT_GE(p.target, l.min_target) << params.dump();
        EXPECT_LE(p.target, l.max_target) << params.dump();
        if (p.target != at) {
          const bool away = std::abs(p.target - l.home) > std::abs(at - l.home);
          const double cap = p.kind == PhaseKind::release ? l.release_rate_stop
                             : away                       ? l.max_rate_up
                                                          : l.max_rate_down;
          EXPECT_GT(p.rate, 0.0) << params.dump();
          EXPECT_LE(p.rate, cap) << params.dump();
          total += move_seconds(std::abs(p.target - at), p.rate, p.shaped);
        }
        if (p.kind == PhaseKind::hold && p.target > l.hold_cap_above) {
          EXPECT_LE(p.seconds, l.max_hold_seconds) << params.dump();
        }
        total += p.seconds;
        at = p.target;
      }
      EXPECT_NEAR(plan->total_seconds, total, 1e-6);
      EXPECT_LE(plan->total_seconds, l.max_session_seconds);
      EXPECT_LE(plan->duration_bound(), l.max_session_seconds);
    }
  }
  // Both outcomes must be exercised for the property to mean something.
  EXPECT_GT(accepted, 300);
  EXPECT_GT(refused, 300);
}

// ---- docs/programs.md examples: every block marked `<!-- example ... -->` runs here.

struct DocExample {
  std::string device;  // sim-inversion.json or sim-traction.json
  std::string expect;  // "ok" or a reason string
  std::optional<double> total_seconds;
  std::optional<std::size_t> violations;
  json params;
  int line = 0;
};

std::vector<DocExample> doc_examples(json& profiles) {
  std::ifstream in(kRoot + "/docs/programs.md");
  std::vector<DocExample> out;
  std::string line;
  std::optional<DocExample> pending;
  bool pending_profiles = false;
  std::string block;
  bool in_block = false;
  int number = 0;
  const std::regex marker(
      R"(<!-- example device=(\S+) expect=(\S+)(?: total=(\S+))?(?: violations=(\d+))? -->)");
  while (std::getline(in, line)) {
    ++number;
    std::smatch m;
    if (!in_block && std::regex_search(line, m, marker)) {
      pending = DocExample{m[1], m[2], std::nullopt, std::nullopt, json(), number};
      if (m[3].matched) pending->total_seconds = std::stod(m[3]);
      if (m[4].matched) pending->violations = std::stoul(m[4]);
    } else if (!in_block && line.find("<!-- example-profiles -->") != std::string::npos) {
      pending_profiles = true;
    } else if (!in_block && line.rfind("```json", 0) == 0 && (pending || pending_profiles)) {
      in_block = true;
      block.clear();
    } else if (in_block && line.rfind("```", 0) == 0) {
      in_block = false;
      if (pending_profiles) {
        profiles = json::parse(block)["profiles"];
        pending_profiles = false;
      } else {
        pending->params = json::parse(block);
        out.push_back(*pending);
        pending.reset();
      }
    } else if (in_block) {
      block += line + "\n";
    }
  }
  return out;
}

TEST(Catalog, every_example_of_docs_programs_md_gives_the_documented_result) {
  json profiles = json::array();
  const auto examples = doc_examples(profiles);
  ASSERT_GE(examples.size(), 6u);
  for (const auto& ex : examples) {
    const auto catalog = load(config_for(ex.device, profiles));
    ASSERT_TRUE(catalog);
    std::shared_ptr<const Plan> plan;
    const auto e = catalog->make_plan(plan_request(ex.params), plan);
    const std::string got = e ? e->reason : "ok";
    EXPECT_EQ(got, ex.expect) << "docs/programs.md line " << ex.line << ": "
                              << (e ? e->message : std::string());
    if (e && ex.violations) {
      EXPECT_EQ(e->data["violations"].size(), *ex.violations)
          << "docs/programs.md line " << ex.line;
    }
    if (plan && ex.total_seconds) {
      EXPECT_NEAR(plan->total_seconds, *ex.total_seconds, 0.05)
          << "docs/programs.md line " << ex.line;
    }
  }
}

}  // namespace
}  // namespace traction
