// SPDX-License-Identifier: Apache-2.0
// The hold cap counts exposure, and a plan that validates completes: pauses, the returns after
// them, the drive's activation and the history's record gate never turn a valid plan into a
// session-time fault (simulated clock, the simulator's physics or an ideal device).
#include <gtest/gtest.h>

#include "tests/engine/controller_rig.hpp"
#include "tests/engine/ideal_rig.hpp"

namespace traction {
namespace {

using engine_test::ControllerRig;
using engine_test::IdealRig;
using engine_test::table_limits;
using nlohmann::json;

// A record gate that commits after `pending_cycles` questions.
class SlowGate final : public SessionRecordGate {
 public:
  explicit SlowGate(int pending_cycles) : left_(pending_cycles) {}
  RecordState record_state(const std::string&) const override {
    return --left_ > 0 ? RecordState::pending : RecordState::committed;
  }

 private:
  mutable int left_;
};

TEST(HoldCap, a_pause_that_waits_beyond_the_cap_level_keeps_counting_and_ends_the_session) {
  EffectiveLimits l = table_limits();
  l.max_hold_seconds = 30;               // beyond hold_cap_above 30°
  auto plan = std::make_shared<Plan>();  // built by hand: validation would refuse its rest
  plan->program = "test";
  plan->limits = l;
  plan->phases = {Phase{PhaseKind::ramp, 40, 8, 0, false, 1, "ramp"},
                  Phase{PhaseKind::hold, 40, 0, 20, false, 1, "hold"},
                  Phase{PhaseKind::rest, 35, 0, 60, false, 1, "rest at 35°"},
                  Phase{PhaseKind::release, 0, 6, 0, false, 0, "release"}};
  plan->total_seconds = 120;
  IdealRig rig(l);
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.setpoint() > 39.9; }, 30));
  rig.run_for(10);
  ASSERT_FALSE(rig.command(CommandKind::pause).error);  // waits at the rest level, 35°
  ASSERT_TRUE(rig.run_until([&] { return !rig.in_session(); }, 60));
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["rule"], "hold_time_exceeded");
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["outcome"], "stopped");
}

TEST(HoldCap, validation_refuses_a_rest_that_stays_beyond_the_cap_level) {
  const auto catalog = engine_test::sim_catalog(DeviceKind::inversion);
  ASSERT_TRUE(catalog);
  std::shared_ptr<const Plan> plan;
  const auto refused = catalog->make_plan(plan_request({{"definition",
                                                         {{"kinds", {"inversion"}},
                                                          {"mode", "intermittent"},
                                                          {"hold_target", 45},
                                                          {"hold_seconds", 20},
                                                          {"rest_target", 32},
                                                          {"rest_seconds", 10},
                                                          {"cycles", 2}}}}),
                                          plan);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.find("does not relieve"), std::string::npos) << refused->message;
}

// The quick-check plan with the session cap set just above its duration bound.
std::shared_ptr<const Plan> plan_at_the_cap(DeviceKind kind) {
  const auto probe = engine_test::sim_catalog(kind);
  if (!probe) return nullptr;
  const auto first = engine_test::plan_for(*probe, {{"program", "quick-check"}});
  if (!first) return nullptr;
  const double cap = std::ceil(first->duration_bound()) + 1.0;
  const auto catalog =
      engine_test::sim_catalog(kind, json::array(), {{"max_session_seconds", cap}});
  return catalog ? engine_test::plan_for(*catalog, {{"program", "quick-check"}}) : nullptr;
}

TEST(SessionCap, a_plan_that_validates_completes_after_a_pause_and_a_slow_record_gate) {
  for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction}) {
    const auto plan = plan_at_the_cap(kind);
    ASSERT_TRUE(plan);
    ControllerRig rig(kind, plan->limits);
    SlowGate gate(250);  // the history commits the row 2.5 s late
    ControlCommand start;
    start.kind = CommandKind::start;
    start.plan = plan;
    start.requested_by = "test";
    start.record_gate = &gate;
    bool ok = false;
    start.done = [&](CommandReply r) { ok = !r.error; };
    rig.controller().handle(std::move(start), rig.tick());
    ASSERT_TRUE(ok);
    ASSERT_TRUE(rig.run_until(
        [&] {
          const auto s = rig.controller().snapshot(rig.now());
          return s.session && std::string(s.session->phase_kind) == "hold";
        },
        60));
    ASSERT_FALSE(rig.command(CommandKind::pause).error);
    rig.run_for(15);
    ASSERT_FALSE(rig.command(CommandKind::resume).error);
    ASSERT_TRUE(rig.run_until([&] { return !rig.in_session(); }, 120));
    EXPECT_EQ(rig.last_outcome(), "completed") << to_string(kind) << ": " << rig.first_fault_rule();
  }
}

}  // namespace
}  // namespace traction
