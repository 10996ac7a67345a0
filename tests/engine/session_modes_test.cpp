// SPDX-License-Identifier: Apache-2.0
// Every program mode and every built-in program, on both device kinds, run through the session
// controller and the simulator's physics with a simulated clock: the phases come in the documented
// order, holds and rests last their time counted from settled (within one control period), and the
// session takes close to the plan's computed duration.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/engine/controller_rig.hpp"

namespace traction {
namespace {

using engine_test::ControllerRig;
using nlohmann::json;

constexpr double kPeriod = 0.01;

struct PhaseTiming {
  std::size_t index = 0;
  double started = 0.0;  // simulated seconds
};

struct SessionRun {
  std::vector<PhaseTiming> phases;
  double started = 0.0;
  double ended = -1.0;
  std::string outcome;
};

// Runs `plan` to its end and records when each phase began.
SessionRun run_session(ControllerRig& rig, const std::shared_ptr<const Plan>& plan) {
  SessionRun run;
  const std::size_t first_event = rig.events().size();
  const CommandReply reply = rig.command(CommandKind::start, plan);
  EXPECT_FALSE(reply.error) << reply.error->message;
  run.started = rig.time();
  run.phases.push_back({0, run.started});
  rig.run_until([&] { return rig.state() == DaemonState::idle; }, plan->total_seconds * 1.5 + 60.0);
  for (std::size_t i = first_event; i < rig.events().size(); ++i) {
    const Event& e = rig.events()[i];
    if (e.kind == EventKind::phase_changed)
      run.phases.push_back({static_cast<std::size_t>(e.phase_index), rig.event_time(i)});
    if (e.kind == EventKind::session_ended) {
      run.ended = rig.event_time(i);
      run.outcome = to_string(e.outcome);
    }
  }
  return run;
}

std::string kinds_text(const Plan& plan) {
  std::ostringstream out;
  for (const Phase& p : plan.phases) out << (out.tellp() > 0 ? " " : "") << to_string(p.kind);
  return out.str();
}

// When the setpoint had come to rest on `target` (on it for two cycles, to 1e-6 units) with the
// drive following and the reading in the settle band, at or after `from`.
double settled_time(const ControllerRig& rig, double from, double target, double band) {
  const auto& trace = rig.trace();
  for (std::size_t i = 1; i < trace.size(); ++i) {
    const auto& c = trace[i];
    if (c.t + 1e-9 >= from && c.governed && trace[i - 1].governed &&
        std::abs(c.setpoint - target) < 1e-6 && std::abs(trace[i - 1].setpoint - target) < 1e-6 &&
        std::abs(c.actual - target) <= band) {
      return c.t;
    }
  }
  return -1.0;
}

// Runs the plan and checks order, hold/rest timing and total duration.
void expect_documented_run(DeviceKind kind, const std::shared_ptr<const Plan>& plan,
                           const std::string& what) {
  ASSERT_TRUE(plan) << what;
  ControllerRig rig(kind, plan->limits);
  const double start = rig.trace().back().actual;  // a slack bench starts below its floor force
  const SessionRun run = run_session(rig, plan);
  ASSERT_EQ(run.outcome, "completed") << what << ": " << rig.first_fault_rule();

  // Order: every phase of the plan, once, in order.
  ASSERT_EQ(run.phases.size(), plan->phases.size()) << what;
  for (std::size_t i = 0; i < run.phases.size(); ++i) EXPECT_EQ(run.phases[i].index, i) << what;

  // Holds and rests: their time, counted from settled, to within one control period.
  const double band = 0.5 * plan->limits.tolerance;
  for (std::size_t i = 0; i < plan->phases.size(); ++i) {
    const Phase& p = plan->phases[i];
    if (p.kind != PhaseKind::hold && p.kind != PhaseKind::rest) continue;
    const double end = i + 1 < run.phases.size() ? run.phases[i + 1].started : run.ended;
    const double settled = settled_time(rig, run.phases[i > 0 ? i - 1 : 0].started, p.target, band);
    ASSERT_GE(settled, 0.0) << what << " phase " << i;
    EXPECT_NEAR(end - settled, p.seconds, kPeriod + 1e-6)
        << what << " phase " << i << " (" << p.label << ")";
  }

  // Total: the plan's estimate leaves out acceleration and settling (about a second per move at
  // most; the bench's force lags its setpoint by about 0.5 s) and shaped rises run a little longer
  // than their estimate (the runner's shaped rate has a floor of a fifth of the rate). The plan
  // starts at home; the first move also covers the way from where the axis was.
  double allowance = 0.0;
  for (const Phase& p : plan->phases) {
    if (p.rate > 0 && allowance == 0.0) allowance += std::abs(plan->limits.home - start) / p.rate;
    if (p.rate > 0)
      allowance += 1.0 + (p.shaped ? 0.35 * std::abs(p.target - plan->limits.home) / p.rate : 0.0);
  }
  const double took = run.ended - run.started;
  EXPECT_GE(took, plan->total_seconds - kPeriod * static_cast<double>(plan->phases.size())) << what;
  EXPECT_LE(took, plan->total_seconds + allowance)
      << what << ": took " << took << " s, planned " << plan->total_seconds << " s";
  EXPECT_LE(took, plan->duration_bound()) << what << ": the bound that validation checks";
  // Ground truth: never past the plan's farthest target by more than the tolerance.
  double peak = plan->limits.home;
  for (const auto& c : rig.trace()) peak = std::max(peak, c.truth);
  double farthest = plan->limits.home;
  for (const Phase& p : plan->phases) farthest = std::max(farthest, p.target);
  EXPECT_LE(peak, farthest + plan->limits.tolerance) << what;
  // The session ends once the reading is within the settle band of home; the axis comes to rest.
  EXPECT_TRUE(rig.run_until([&] { return rig.at_home_and_at_rest(plan->limits.home, band); }, 10))
      << what;
}

struct ModeCase {
  const char* name;
  json table;  // definition on an inversion table (degrees)
  json bench;  // definition on a traction bench (newtons)
  const char* sequence;
};

std::vector<ModeCase> mode_cases() {
  return {
      {"static",
       {{"mode", "static"}, {"target", 20}, {"hold_seconds", 10}},
       {{"mode", "static"}, {"target", 150}, {"hold_seconds", 10}},
       "ramp hold release"},
      {"intermittent",
       {{"mode", "intermittent"},
        {"hold_target", 20},
        {"hold_seconds", 8},
        {"rest_target", 5},
        {"rest_seconds", 6},
        {"cycles", 2}},
       {{"mode", "intermittent"},
        {"hold_target", 200},
        {"hold_seconds", 8},
        {"rest_target", 80},
        {"rest_seconds", 6},
        {"cycles", 2}},
       "ramp hold ramp rest ramp hold release"},
      {"progressive",
       {{"mode", "progressive"},
        {"start_target", 10},
        {"end_target", 30},
        {"steps", 3},
        {"hold_seconds", 5},
        {"rest_seconds", 5},
        {"rest_fraction", 0.5}},
       {{"mode", "progressive"},
        {"start_target", 100},
        {"end_target", 250},
        {"steps", 3},
        {"hold_seconds", 5},
        {"rest_seconds", 5},
        {"rest_fraction", 0.5}},
       "ramp hold ramp rest ramp hold ramp rest ramp hold release"},
      {"regressive",
       {{"mode", "regressive"},
        {"start_target", 30},
        {"end_target", 10},
        {"steps", 3},
        {"hold_seconds", 5}},
       {{"mode", "regressive"},
        {"start_target", 250},
        {"end_target", 100},
        {"steps", 3},
        {"hold_seconds", 5}},
       "ramp hold ramp hold ramp hold release"},
      {"cyclic",
       {{"mode", "cyclic"},
        {"low_target", 5},
        {"high_target", 25},
        {"ramp_up_seconds", 6},
        {"ramp_down_seconds", 4},
        {"hold_seconds", 3},
        {"rest_seconds", 5},
        {"cycles", 2}},
       {{"mode", "cyclic"},
        {"low_target", 60},
        {"high_target", 250},
        {"ramp_up_seconds", 6},
        {"ramp_down_seconds", 4},
        {"hold_seconds", 3},
        {"rest_seconds", 5},
        {"cycles", 2}},
       "ramp ramp hold ramp rest ramp hold ramp release"},
      {"steps",
       {{"mode", "steps"},
        {"repeat", 2},
        {"phases", json::array({{{"kind", "ramp"}, {"target", 10}, {"rate", 4}},
                                {{"kind", "hold"}, {"seconds", 5}},
                                {{"kind", "ramp"}, {"target", 20}},
                                {{"kind", "hold"}, {"seconds", 5}},
                                {{"kind", "ramp"}, {"target", 0}},
                                {{"kind", "rest"}, {"seconds", 5}}})}},
       {{"mode", "steps"},
        {"repeat", 2},
        {"phases", json::array({{{"kind", "ramp"}, {"target", 100}, {"rate", 30}},
                                {{"kind", "hold"}, {"seconds", 5}},
                                {{"kind", "ramp"}, {"target", 200}, {"shaped", true}},
                                {{"kind", "hold"}, {"seconds", 5}},
                                {{"kind", "ramp"}, {"target", 40}},
                                {{"kind", "rest"}, {"seconds", 5}}})}},
       "ramp hold ramp hold ramp rest ramp hold ramp hold ramp rest release"},
  };
}

TEST(SessionModes, every_mode_runs_its_documented_phases_with_accurate_holds_on_both_kinds) {
  const json profiles = json::array({{{"name", "dee"}, {"body_mass_kg", 75}}});
  for (const ModeCase& c : mode_cases()) {
    for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction}) {
      const auto catalog = engine_test::sim_catalog(kind, profiles);
      ASSERT_TRUE(catalog);
      json definition = kind == DeviceKind::inversion ? c.table : c.bench;
      definition["kinds"] = {to_string(kind)};
      const auto plan =
          engine_test::plan_for(*catalog, {{"definition", definition}, {"profile", "dee"}});
      ASSERT_TRUE(plan) << c.name;
      // A bench takes up its slack first (docs/programs.md "Slack take-up").
      const std::string sequence =
          (kind == DeviceKind::traction ? "pretension " : "") + std::string(c.sequence);
      EXPECT_EQ(kinds_text(*plan), sequence) << c.name << " on " << to_string(kind);
      expect_documented_run(kind, plan, std::string(c.name) + " on " + to_string(kind));
    }
  }
}

TEST(SessionModes, every_builtin_program_runs_as_planned_on_each_kind_it_supports) {
  const json profiles = json::array({{{"name", "dee"}, {"body_mass_kg", 75}}});
  int ran = 0;
  for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction}) {
    const auto catalog = engine_test::sim_catalog(kind, profiles);
    ASSERT_TRUE(catalog);
    for (const auto& entry : catalog->program_list()) {
      json params = {{"program", entry["name"]}};
      if (entry["needs_profile"].get<bool>()) params["profile"] = "dee";
      const auto plan = engine_test::plan_for(*catalog, params);
      expect_documented_run(kind, plan,
                            entry["name"].get<std::string>() + " on " + to_string(kind));
      ++ran;
    }
  }
  EXPECT_GE(ran, 9) << "every built-in program on each kind it supports (docs/programs.md)";
}

}  // namespace
}  // namespace traction
