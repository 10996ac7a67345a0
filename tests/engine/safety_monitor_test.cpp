// SPDX-License-Identifier: Apache-2.0
// One test per safety-monitor rule: it trips under its condition, does not trip just short of it,
// and the session controller reacts as docs/safety.md's table says (release rate, latched or not,
// outcome, event rule).
#include "daemon/engine/safety_monitor.hpp"

#include <gtest/gtest.h>

#include "tests/engine/ideal_rig.hpp"

namespace traction {
namespace {

using engine_test::IdealRig;
using engine_test::table_limits;

const Clock::time_point kNow = Clock::time_point{} + std::chrono::seconds(1000);

// A healthy reading of a running session at 10°, heading for 20°.
DeviceState healthy() {
  DeviceState d;
  d.stamp = kNow;
  d.fresh = true;
  d.available = true;
  d.drive = cia402::State::operation_enabled;
  d.actual = 10.0;
  d.velocity = 0.0;
  d.stop_connected = true;
  return d;
}

MonitorContext running() {
  MonitorContext c;
  c.session_active = true;
  c.drive_enabled = true;
  c.setpoint = 10.0;
  c.highest_target = 20.0;
  return c;
}

std::optional<Trip> check(const DeviceState& d, const MonitorContext& c,
                          Clock::time_point now = kNow) {
  SafetyMonitor monitor(table_limits());
  return monitor.check(now, d, c);
}

// The rule that trips, or "" when none does.
std::string rule_of(const std::optional<Trip>& t) {
  return t ? t->rule : "";
}

TEST(SafetyMonitor, device_unavailable_trips_when_the_driver_gives_up_and_not_before) {
  DeviceState d = healthy();
  d.consecutive_failures = 4;
  EXPECT_EQ(rule_of(check(d, running())), "");
  d.available = false;
  d.consecutive_failures = 5;
  const auto t = check(d, running());
  EXPECT_EQ(rule_of(t), "device_unavailable");
  EXPECT_EQ(t->response, TripResponse::fault);
}

TEST(SafetyMonitor, data_stale_trips_past_the_stale_age_only) {
  DeviceState d = healthy();
  d.stamp = kNow - std::chrono::milliseconds(240);
  EXPECT_EQ(rule_of(check(d, running())), "");
  d.stamp = kNow - std::chrono::milliseconds(260);
  const auto t = check(d, running());
  EXPECT_EQ(rule_of(t), "data_stale");
  EXPECT_EQ(t->response, TripResponse::fault);
}

TEST(SafetyMonitor, stop_switch_pressed_is_a_patient_stop_in_and_out_of_sessions) {
  DeviceState d = healthy();
  EXPECT_EQ(rule_of(check(d, running())), "");
  d.stop_pressed = true;
  const auto t = check(d, running());
  EXPECT_EQ(rule_of(t), "stop_switch");
  EXPECT_EQ(t->response, TripResponse::patient_stop);
}

TEST(SafetyMonitor, stop_switch_unplugged_faults_only_during_a_session) {
  DeviceState d = healthy();
  d.stop_connected = false;
  MonitorContext idle = running();
  idle.session_active = false;
  EXPECT_EQ(rule_of(check(d, idle)), "") << "unplugged at rest refuses a start instead";
  const auto t = check(d, running());
  EXPECT_EQ(rule_of(t), "stop_switch_unplugged");
  EXPECT_EQ(t->response, TripResponse::fault);
}

TEST(SafetyMonitor, drive_fault_trips_on_fault_and_fault_reaction_states) {
  DeviceState d = healthy();
  d.drive = cia402::State::quick_stop_active;
  EXPECT_EQ(rule_of(check(d, running())), "");
  for (auto s : {cia402::State::fault, cia402::State::fault_reaction_active}) {
    d.drive = s;
    d.fault_code = 0x2310;
    const auto t = check(d, running());
    EXPECT_EQ(rule_of(t), "drive_fault");
    EXPECT_NE(t->message.find("2310"), std::string::npos) << t->message;
  }
}

TEST(SafetyMonitor, out_of_range_trips_past_the_limits_plus_tolerance_in_and_out_of_sessions) {
  MonitorContext idle = running();
  idle.session_active = false;
  idle.drive_enabled = false;
  DeviceState d = healthy();
  d.actual = 60.0 + 1.5 - 0.01;
  EXPECT_EQ(rule_of(check(d, idle)), "");
  d.actual = 60.0 + 1.5 + 0.01;
  EXPECT_EQ(rule_of(check(d, idle)), "out_of_range");
  d.actual = -20.0 - 1.5 + 0.01;
  EXPECT_EQ(rule_of(check(d, idle)), "");
  d.actual = -20.0 - 1.5 - 0.01;
  EXPECT_EQ(rule_of(check(d, idle)), "out_of_range");
}

TEST(SafetyMonitor, overshoot_trips_past_the_plans_farthest_target_plus_tolerance) {
  MonitorContext c = running();
  c.drive_enabled = false;  // keep the tracking rule out of it
  DeviceState d = healthy();
  d.actual = 20.0 + 1.5 - 0.01;
  EXPECT_EQ(rule_of(check(d, c)), "");
  d.actual = 20.0 + 1.5 + 0.01;
  EXPECT_EQ(rule_of(check(d, c)), "overshoot");
}

TEST(SafetyMonitor, hold_time_exceeded_trips_half_a_second_past_the_cap) {
  MonitorContext c = running();
  c.hold_seconds = 120.0 + 0.49;
  EXPECT_EQ(rule_of(check(healthy(), c)), "");
  c.hold_seconds = 120.0 + 0.51;
  EXPECT_EQ(rule_of(check(healthy(), c)), "hold_time_exceeded");
}

TEST(SafetyMonitor, session_time_exceeded_trips_past_max_session_seconds) {
  MonitorContext c = running();
  c.session_seconds = 1200.0 - 0.01;
  EXPECT_EQ(rule_of(check(healthy(), c)), "");
  c.session_seconds = 1200.0 + 0.01;
  EXPECT_EQ(rule_of(check(healthy(), c)), "session_time_exceeded");
}

TEST(SafetyMonitor, tracking_error_trips_after_a_second_outside_twice_the_tolerance) {
  SafetyMonitor monitor(table_limits());
  DeviceState d = healthy();
  MonitorContext c = running();
  const double band = 2.0 * 1.5;
  // During a slow ramp (a setpoint at rest is the settle rule's), the reading trailing behind.
  const double start = c.setpoint;
  auto at = [&](int ms, double off) {
    d.stamp = kNow + std::chrono::milliseconds(ms);
    c.setpoint = start + 0.5 * ms / 1000.0;
    d.actual = c.setpoint + off;
    return rule_of(monitor.check(d.stamp, d, c));
  };
  for (int i = 0; i <= 200; ++i) ASSERT_EQ(at(10 * i, band - 0.01), "");            // just inside
  for (int i = 0; i < 99; ++i) ASSERT_EQ(at(3000 + 10 * i, band + 0.01), "") << i;  // 0.98 s out
  EXPECT_EQ(at(3000 + 1000, band + 0.01), "tracking_error");
}

// Feeds `monitor` one reading every 10 ms from `from_ms` to `to_ms`: the setpoint and the reading
// as functions of the time in seconds. Returns the first rule that trips and when ("" when none).
template <class S, class A>
std::pair<std::string, int> feed(SafetyMonitor& monitor, MonitorContext c, int from_ms, int to_ms,
                                 S&& setpoint, A&& actual) {
  DeviceState d = healthy();
  for (int ms = from_ms; ms <= to_ms; ms += 10) {
    d.stamp = kNow + std::chrono::milliseconds(ms);
    c.setpoint = setpoint(ms / 1000.0);
    d.actual = actual(ms / 1000.0);
    const std::string rule = rule_of(monitor.check(d.stamp, d, c));
    if (!rule.empty()) return {rule, ms};
  }
  return {"", -1};
}

TEST(SafetyMonitor, settle_timeout_trips_when_a_resting_setpoint_is_not_reached_in_3_s) {
  const double band = 0.5 * 1.5;  // the settle band
  auto at_rest = [](double) { return 10.0; };
  MonitorContext c = running();
  SafetyMonitor inside(table_limits());
  EXPECT_EQ(feed(inside, c, 0, 20000, at_rest, [&](double) { return 10.0 + band - 0.01; }).first,
            "")
      << "settled, however long";
  SafetyMonitor outside(table_limits());
  const auto [rule, ms] =
      feed(outside, c, 0, 20000, at_rest, [&](double) { return 10.0 + band + 0.01; });
  EXPECT_EQ(rule, "settle_timeout");
  EXPECT_GE(ms, 3000 + 10) << "3 s after the setpoint came to rest (the second reading)";
  EXPECT_LE(ms, 3000 + 20);
  // A moving setpoint is the tracking rule's, and outside a session nothing waits to settle.
  SafetyMonitor moving(table_limits());
  EXPECT_EQ(feed(
                moving, c, 0, 20000, [](double t) { return 10.0 + 0.1 * t; },
                [&](double t) { return 10.0 + 0.1 * t + 2.0; })
                .first,
            "");
  c.session_active = false;
  SafetyMonitor idle(table_limits());
  EXPECT_EQ(feed(idle, c, 0, 20000, at_rest, [&](double) { return 10.0 + band + 0.01; }).first, "");
}

TEST(SafetyMonitor, rate_exceeded_trips_when_the_reading_runs_away_from_home_too_fast) {
  // 1.5 x max_rate_up 10 deg/s = 15 deg/s, over 0.25 s, for 0.25 s; the setpoint runs alongside
  // so that tracking stays out of it.
  MonitorContext c = running();
  c.highest_target = 55.0;
  auto ramp = [](double rate) { return [rate](double t) { return 5.0 + rate * t; }; };
  SafetyMonitor just_under(table_limits());
  EXPECT_EQ(feed(just_under, c, 0, 3000, ramp(14.9), ramp(14.9)).first, "");
  SafetyMonitor over(table_limits());
  const auto [rule, ms] = feed(over, c, 0, 3000, ramp(15.5), ramp(15.5));
  EXPECT_EQ(rule, "rate_exceeded");
  EXPECT_GE(ms, 490) << "a window to measure, then a window to last";
  EXPECT_LE(ms, 520);
  // Towards home (a release) is not loading; a 100 ms spike does not last.
  SafetyMonitor down(table_limits());
  EXPECT_EQ(feed(
                down, c, 0, 2000, [](double t) { return 40.0 - 20.0 * t; },
                [](double t) { return 40.0 - 20.0 * t; })
                .first,
            "");
  SafetyMonitor spike(table_limits());
  EXPECT_EQ(feed(
                spike, c, 0, 2000, [](double) { return 10.0; },
                [](double t) { return t >= 1.0 && t < 1.1 ? 20.0 : 10.0; })
                .first,
            "");
}

// --- The controller's reaction to each rule, on an ideal device ---

struct Reaction {
  std::string rule;
  std::string outcome;
  DaemonState state_after = DaemonState::idle;  // once released
  double release_speed = 0.0;                   // largest setpoint speed after the trip
};

// Starts a 30° hold (past the hold cap), lets `inject` create the condition once the hold is
// reached, and reports how the controller reacted.
template <class F>
Reaction react(IdealRig& rig, const std::shared_ptr<const Plan>& plan, F&& inject) {
  Reaction r;
  EXPECT_FALSE(rig.command(CommandKind::start, plan).error);
  EXPECT_TRUE(rig.run_until([&] { return rig.setpoint() >= plan->phases[0].target - 1e-9; }, 30));
  const std::size_t from = rig.setpoints().p.size();
  inject(rig);
  rig.run_until([&] { return rig.state() != DaemonState::running; }, 30);
  rig.run_for(8.0);
  const auto fault = rig.last_event("fault");
  const auto stop = rig.last_event("stop_switch");
  r.rule = fault.is_object() ? fault["rule"] : (stop.is_object() ? stop["rule"] : "");
  const auto ended = rig.last_event("session_ended");
  r.outcome = ended.is_object() ? ended["outcome"] : "";
  r.state_after = rig.state();
  r.release_speed = rig.max_speed_since(from);
  return r;
}

std::shared_ptr<const Plan> hold_at_40(const EffectiveLimits& l, double hold_s = 60) {
  return engine_test::ramp_hold_plan(l, 40.0, 8.0, hold_s);
}

void expect_latched_fault_released_at_the_fault_rate(const Reaction& r, const char* rule,
                                                     IdealRig& rig) {
  EXPECT_EQ(r.rule, rule);
  EXPECT_EQ(r.outcome, "faulted");
  EXPECT_EQ(r.state_after, DaemonState::fault) << "latched until device.reset";
  EXPECT_NEAR(r.release_speed, 12.0, 0.01) << "release_rate_fault";
  const auto fault = rig.controller().snapshot(rig.now()).fault;
  EXPECT_NE(fault.find(rule), std::string::npos) << fault;
}

TEST(SafetyReaction, device_unavailable_faults_and_writes_nothing_so_the_drive_watchdog_acts) {
  IdealRig rig(table_limits());
  const Reaction r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.device.available = false; });
  EXPECT_EQ(r.rule, "device_unavailable");
  EXPECT_EQ(r.outcome, "faulted");
  EXPECT_EQ(r.state_after, DaemonState::fault);
  EXPECT_FALSE(rig.last_output().write) << "nothing is written to a device that does not answer";
}

TEST(SafetyReaction, data_stale_faults_latched_and_releases_at_the_fault_rate) {
  IdealRig rig(table_limits());
  const Reaction r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.stamp_fresh = false; });
  EXPECT_EQ(r.rule, "data_stale");
  EXPECT_EQ(r.outcome, "faulted");
  EXPECT_EQ(r.state_after, DaemonState::fault);
  EXPECT_NEAR(r.release_speed, 12.0, 0.01);
}

TEST(SafetyReaction, stop_switch_ends_the_session_unlatched_at_the_patient_rate) {
  IdealRig rig(table_limits());
  const Reaction r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.device.stop_pressed = true; });
  EXPECT_EQ(r.rule, "stop_switch");
  EXPECT_EQ(r.outcome, "stop_switch");
  EXPECT_EQ(r.state_after, DaemonState::idle) << "a patient stop latches no fault";
  EXPECT_NEAR(r.release_speed, 10.0, 0.01) << "release_rate_patient";
  EXPECT_NEAR(rig.setpoint(), 0.0, 1e-9);
}

TEST(SafetyReaction, stop_switch_unplugged_is_a_latched_fault) {
  IdealRig rig(table_limits());
  const Reaction r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.device.stop_connected = false; });
  expect_latched_fault_released_at_the_fault_rate(r, "stop_switch_unplugged", rig);
}

TEST(SafetyReaction, drive_fault_latches_and_the_setpoint_follows_the_drives_own_reaction) {
  IdealRig rig(table_limits());
  const Reaction r = react(rig, hold_at_40(table_limits()), [](IdealRig& g) {
    g.device.drive = cia402::State::fault;
    g.device.fault_code = 0x2310;
    g.device.actual = 39.0;  // the drive has begun its own safe reaction
  });
  EXPECT_EQ(r.rule, "drive_fault");
  EXPECT_EQ(r.outcome, "faulted");
  EXPECT_EQ(r.state_after, DaemonState::fault);
  EXPECT_NEAR(rig.setpoint(), 39.0, 1e-9) << "a disabled drive is tracked at its measured value";
  const auto reset = rig.command(CommandKind::reset);
  ASSERT_FALSE(reset.error) << "at rest: reset allowed";
  rig.step();
  EXPECT_EQ(rig.state(), DaemonState::idle);
}

TEST(SafetyReaction, out_of_range_faults_at_the_fault_rate) {
  IdealRig rig(table_limits());
  const Reaction r = react(rig, hold_at_40(table_limits()), [](IdealRig& g) {
    g.follow = false;
    g.device.actual = 60.0 + 1.5 + 0.1;
  });
  expect_latched_fault_released_at_the_fault_rate(r, "out_of_range", rig);
}

TEST(SafetyReaction, overshoot_faults_at_the_fault_rate) {
  IdealRig rig(table_limits());
  const Reaction r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.offset = 1.5 + 0.1; });
  expect_latched_fault_released_at_the_fault_rate(r, "overshoot", rig);
}

TEST(SafetyReaction, hold_time_exceeded_faults_when_a_hold_outlasts_the_cap) {
  EffectiveLimits l = table_limits();
  l.max_hold_seconds = 10;
  IdealRig rig(l);
  const auto plan = hold_at_40(l, 30);  // not validated: the monitor is the backstop
  const Reaction r = react(rig, plan, [](IdealRig&) {});
  expect_latched_fault_released_at_the_fault_rate(r, "hold_time_exceeded", rig);
}

TEST(SafetyReaction, a_hold_below_the_hold_cap_may_outlast_max_hold_seconds) {
  EffectiveLimits l = table_limits();
  l.max_hold_seconds = 10;
  IdealRig rig(l);
  const auto plan = engine_test::ramp_hold_plan(l, 20.0, 5.0, 30);  // 20° < hold_cap_above 30°
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 60));
  EXPECT_EQ(rig.last_event("session_ended")["outcome"], "completed");
}

TEST(SafetyReaction, session_time_exceeded_faults_past_max_session_seconds) {
  EffectiveLimits l = table_limits();
  l.max_session_seconds = 15;
  IdealRig rig(l);
  const Reaction r = react(rig, hold_at_40(l, 20), [](IdealRig&) {});
  expect_latched_fault_released_at_the_fault_rate(r, "session_time_exceeded", rig);
}

TEST(SafetyReaction, tracking_error_faults_when_the_device_stops_following) {
  IdealRig rig(table_limits());
  auto plan = std::make_shared<Plan>(*hold_at_40(table_limits()));
  plan->phases.insert(plan->phases.begin() + 2,
                      Phase{PhaseKind::ramp, 20.0, 5.0, 0, false, 1, "ramp down"});
  plan->phases.insert(plan->phases.begin() + 3,
                      Phase{PhaseKind::hold, 20.0, 0, 30, false, 1, "hold"});
  plan->phases[1].seconds = 1;
  const Reaction r = react(rig, plan, [](IdealRig& g) {
    g.follow = false;  // stuck at 40° while the setpoint moves down
  });
  expect_latched_fault_released_at_the_fault_rate(r, "tracking_error", rig);
}

TEST(SafetyReaction, settle_timeout_faults_when_the_reading_sticks_short_of_the_target) {
  IdealRig rig(table_limits());
  const Reaction r = react(rig, hold_at_40(table_limits()), [](IdealRig& g) {
    g.offset = -1.0;  // inside the tracking band (3°), outside the settle band (0.75°)
  });
  expect_latched_fault_released_at_the_fault_rate(r, "settle_timeout", rig);
}

TEST(SafetyReaction, rate_exceeded_faults_when_the_reading_runs_ahead_of_a_ramp) {
  IdealRig rig(table_limits());
  ASSERT_FALSE(
      rig.command(CommandKind::start, engine_test::ramp_hold_plan(table_limits(), 40.0, 4.0, 10))
          .error);
  ASSERT_TRUE(rig.run_until([&] { return rig.setpoint() >= 10.0; }, 30));
  rig.follow = false;
  const std::size_t from = rig.setpoints().p.size();
  // 20 deg/s away from home, while the setpoint climbs at 4 deg/s.
  rig.run_until(
      [&] {
        rig.device.actual += 20.0 * 0.01;
        return rig.state() != DaemonState::running;
      },
      2.0);
  rig.follow = true;
  rig.run_for(8.0);
  EXPECT_EQ(rig.last_event("fault")["rule"], "rate_exceeded");
  EXPECT_EQ(rig.last_event("session_ended")["outcome"], "faulted");
  EXPECT_EQ(rig.state(), DaemonState::fault);
  EXPECT_NEAR(rig.max_speed_since(from), 12.0, 0.01) << "release_rate_fault";
}

TEST(SafetyReaction, a_latched_fault_is_reset_only_at_rest) {
  IdealRig rig(table_limits());
  ASSERT_FALSE(rig.command(CommandKind::start, hold_at_40(table_limits())).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.setpoint() >= 40.0 - 1e-9; }, 30));
  rig.offset = 1.6;
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::fault; }, 1));
  rig.run_for(0.5);  // releasing
  const auto refused = rig.command(CommandKind::reset);
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->reason, reason::kNotAtRest);
  EXPECT_EQ(rig.state(), DaemonState::fault);
  rig.offset = 0.0;
  rig.run_for(8.0);
  ASSERT_FALSE(rig.command(CommandKind::reset).error);
  rig.step();
  EXPECT_EQ(rig.state(), DaemonState::idle);
}

}  // namespace
}  // namespace traction
