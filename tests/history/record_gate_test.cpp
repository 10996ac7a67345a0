// SPDX-License-Identifier: Apache-2.0
// The session controller holds a new session at rest until its history row is committed, and ends
// it with history_unavailable, before anything moves, when the row fails or takes too long.
#include <gtest/gtest.h>

#include "daemon/engine/session_controller.hpp"
#include "tests/history/history_test_support.hpp"

namespace traction::history {
namespace {

using namespace std::chrono_literals;

class ScriptedGate : public SessionRecordGate {
 public:
  RecordState record_state(const std::string&) const override { return state; }
  RecordState state = RecordState::pending;
};

EffectiveLimits limits() {
  EffectiveLimits l;
  l.min_target = 0.0;
  l.max_target = 60.0;
  l.max_rate_up = 10.0;
  l.max_rate_down = 10.0;
  l.max_accel = 20.0;
  l.max_jerk = 100.0;
  l.tolerance = 1.0;
  l.release_rate_stop = 5.0;
  l.release_rate_patient = 5.0;
  l.release_rate_fault = 5.0;
  return l;
}

DeviceState enabled_device(Clock::time_point now) {
  DeviceState d;
  d.stamp = now;
  d.available = true;
  d.fresh = true;
  d.drive = cia402::State::operation_enabled;
  d.stop_connected = true;
  d.velocity = 0.0;
  return d;
}

struct GateRig {
  explicit GateRig(double record_timeout_s = 3.0)
      : controller(DeviceKind::inversion, limits(), [&] {
          ControllerOptions o;
          o.record_timeout_s = record_timeout_s;
          return o;
        }()) {
    controller.cycle(tick(), enabled_device(now));
    auto plan = std::make_shared<Plan>(*testing::small_plan());
    plan->limits = limits();
    ControlCommand start;
    start.kind = CommandKind::start;
    start.plan = plan;
    start.record_gate = &gate;
    start.done = [this](CommandReply reply) { started = !reply.error; };
    controller.handle(std::move(start), tick());
  }
  // Runs `n` cycles at 100 Hz; returns the last setpoint.
  double run(int n) {
    double target = 0.0;
    for (int i = 0; i < n; ++i) {
      now += 10ms;
      target = controller.cycle(tick(), enabled_device(now)).command.target;
    }
    return target;
  }

  Tick tick() const {
    return Tick{now, SystemTime(std::chrono::seconds(1'772'000'000)) + (now - start)};
  }

  const Clock::time_point start = Clock::time_point(100s);
  Clock::time_point now = start;
  ScriptedGate gate;
  SessionController controller;
  bool started = false;
};

TEST(RecordGate, nothing_moves_while_the_row_is_pending) {
  GateRig rig;
  ASSERT_TRUE(rig.started);
  EXPECT_EQ(rig.run(100), 0.0);
  EXPECT_EQ(rig.controller.state(), DaemonState::starting) << "accepted, not yet moving";
}

TEST(RecordGate, the_session_moves_once_the_row_is_committed) {
  GateRig rig;
  rig.run(20);
  rig.gate.state = RecordState::committed;
  EXPECT_GT(rig.run(50), 0.1);
}

TEST(RecordGate, a_failed_row_ends_the_session_before_anything_moves) {
  GateRig rig;
  rig.run(5);
  rig.gate.state = RecordState::failed;
  EXPECT_EQ(rig.run(50), 0.0);
  EXPECT_EQ(rig.controller.state(), DaemonState::idle);
  const auto last = rig.controller.snapshot(rig.now).last_session;
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->outcome, "stopped");
  EXPECT_NE(last->reason.find("history_unavailable"), std::string::npos) << last->reason;
}

TEST(RecordGate, a_row_that_takes_longer_than_the_timeout_ends_the_session) {
  GateRig rig(0.5);
  EXPECT_EQ(rig.run(49), 0.0);
  EXPECT_EQ(rig.controller.state(), DaemonState::starting);
  EXPECT_EQ(rig.run(10), 0.0);
  EXPECT_NE(rig.controller.state(), DaemonState::starting);
  EXPECT_NE(rig.controller.state(), DaemonState::running);
  EXPECT_NE(rig.controller.snapshot(rig.now).last_session->reason.find("history_unavailable"),
            std::string::npos);
}

}  // namespace
}  // namespace traction::history
