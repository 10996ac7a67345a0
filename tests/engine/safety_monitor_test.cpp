// SPDX-License-Identifier: Apache-2.0
// One test per safety-monitor rule: it trips under its condition, does not trip just short of it,
// and the session controller reacts as docs/safety.md's table says (release rate, latched or not,
// outcome, event rule).
#include "daemon/engine/safety_monitor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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
  c.session = true;
  c.drive_enabled = true;
  c.setpoint = 10.0;
  c.highest_target = 20.0;
  return c;
}

MonitorContext idle_context() {
  MonitorContext c;
  c.setpoint = 0.0;
  c.highest_target = 60.0;
  return c;
}

TripSet check(const DeviceState& d, const MonitorContext& c, Clock::time_point now = kNow) {
  SafetyMonitor monitor(DeviceKind::inversion, table_limits());
  TripSet trips;
  monitor.check(now, d, c, trips);
  return trips;
}

// The rule that leads (the highest precedence), or "" when none trips.
std::string rule_of(const TripSet& t) {
  return t.empty() ? "" : to_string(t.lead());
}

TEST(SafetyMonitor, device_unavailable_trips_when_the_driver_gives_up_and_not_before) {
  DeviceState d = healthy();
  d.consecutive_failures = 4;
  EXPECT_EQ(rule_of(check(d, running())), "");
  d.available = false;
  d.consecutive_failures = 5;
  const TripSet t = check(d, running());
  EXPECT_EQ(rule_of(t), "device_unavailable");
  EXPECT_EQ(spec(t.lead()).response, Response::fault);
}

TEST(SafetyMonitor, data_stale_trips_past_the_stale_age_only) {
  DeviceState d = healthy();
  d.stamp = kNow - std::chrono::milliseconds(240);
  EXPECT_EQ(rule_of(check(d, running())), "");
  d.stamp = kNow - std::chrono::milliseconds(260);
  EXPECT_EQ(rule_of(check(d, running())), "data_stale");
}

TEST(SafetyMonitor, a_reading_that_is_not_a_number_is_stale_data_and_judges_nothing_else) {
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    DeviceState d = healthy();
    d.actual = bad;
    const TripSet t = check(d, running());
    EXPECT_EQ(rule_of(t), "data_stale") << bad;
    EXPECT_FALSE(t.has(Rule::out_of_range)) << "a NaN passes no range check";
    d = healthy();
    d.velocity = bad;
    EXPECT_EQ(rule_of(check(d, idle_context())), "data_stale") << "in every state";
  }
}

TEST(SafetyMonitor, stop_switch_pressed_is_a_patient_stop_in_sessions) {
  DeviceState d = healthy();
  EXPECT_EQ(rule_of(check(d, running())), "");
  d.stop_pressed = true;
  const TripSet t = check(d, running());
  EXPECT_EQ(rule_of(t), "stop_switch");
  EXPECT_EQ(spec(t.lead()).response, Response::patient_stop);
  EXPECT_EQ(rule_of(check(d, idle_context())), "") << "outside a session the drive's chain acts";
}

TEST(SafetyMonitor, stop_switch_unplugged_faults_only_during_a_session) {
  DeviceState d = healthy();
  d.stop_connected = false;
  EXPECT_EQ(rule_of(check(d, idle_context())), "") << "unplugged at rest refuses a start instead";
  const TripSet t = check(d, running());
  EXPECT_EQ(rule_of(t), "stop_switch_unplugged");
  EXPECT_EQ(spec(t.lead()).response, Response::fault);
}

TEST(SafetyMonitor, drive_fault_trips_on_fault_and_fault_reaction_states_in_every_state) {
  DeviceState d = healthy();
  d.drive = cia402::State::quick_stop_active;
  EXPECT_EQ(rule_of(check(d, running())), "");
  for (auto s : {cia402::State::fault, cia402::State::fault_reaction_active}) {
    d.drive = s;
    d.fault_code = 0x2310;
    for (const MonitorContext& c : {running(), idle_context()}) {
      const TripSet t = check(d, c);
      EXPECT_EQ(rule_of(t), "drive_fault");
      EXPECT_NE(t.message(Rule::drive_fault).find("2310"), std::string::npos);
    }
  }
}

TEST(SafetyMonitor, every_rule_that_trips_is_reported_and_a_drive_fault_leads_a_patient_stop) {
  DeviceState d = healthy();
  d.stop_pressed = true;
  d.drive = cia402::State::fault;
  d.actual = 70.0;  // out of range too
  const TripSet t = check(d, running());
  EXPECT_TRUE(t.has(Rule::stop_switch));
  EXPECT_TRUE(t.has(Rule::drive_fault));
  EXPECT_TRUE(t.has(Rule::out_of_range));
  EXPECT_EQ(rule_of(t), "drive_fault") << "nothing masks a drive fault";
  const Reaction r = decide(t, table_limits());
  EXPECT_EQ(r.response, Response::fault);
  EXPECT_TRUE(r.latch);
  EXPECT_DOUBLE_EQ(r.rate,
                   std::max(table_limits().release_rate_fault, table_limits().release_rate_patient))
      << "the fastest release of the rules that tripped";
  EXPECT_NE(t.summary().find("stop_switch"), std::string::npos) << t.summary();
}

TEST(SafetyMonitor, out_of_range_trips_past_the_limits_plus_tolerance_in_and_out_of_sessions) {
  DeviceState d = healthy();
  d.drive = cia402::State::switch_on_disabled;
  d.actual = 60.0 + 1.5 - 0.01;
  EXPECT_EQ(rule_of(check(d, idle_context())), "");
  d.actual = 60.0 + 1.5 + 0.01;
  EXPECT_EQ(rule_of(check(d, idle_context())), "out_of_range");
  d.actual = -20.0 - 1.5 + 0.01;
  EXPECT_EQ(rule_of(check(d, idle_context())), "");
  d.actual = -20.0 - 1.5 - 0.01;
  EXPECT_EQ(rule_of(check(d, idle_context())), "out_of_range");
}

TEST(SafetyMonitor, end_stops_trip_when_active_where_the_reading_says_they_cannot_be) {
  DeviceState d = healthy();
  d.end_stop_high = true;
  EXPECT_EQ(rule_of(check(d, idle_context())), "end_stop") << "plans never reach the high stop";
  d.end_stop_high = false;
  d.end_stop_low = true;
  d.actual = -20.0 + 2.0;  // near the low end: plausible
  EXPECT_EQ(rule_of(check(d, idle_context())), "");
  d.actual = 10.0;  // the switch and the reading disagree
  EXPECT_EQ(rule_of(check(d, idle_context())), "end_stop");
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

TEST(SafetyMonitor, session_time_exceeded_trips_past_max_session_seconds) {
  MonitorContext c = running();
  c.session_seconds = 1200.0 - 0.01;
  EXPECT_EQ(rule_of(check(healthy(), c)), "");
  c.session_seconds = 1200.0 + 0.01;
  EXPECT_EQ(rule_of(check(healthy(), c)), "session_time_exceeded");
}

// Feeds `monitor` one reading every 10 ms from `from_ms` to `to_ms`: the setpoint and the reading
// as functions of the time in seconds. Returns the first rule that trips and when ("" when none).
template <class S, class A>
std::pair<std::string, int> feed(SafetyMonitor& monitor, MonitorContext c, int from_ms, int to_ms,
                                 S&& setpoint, A&& actual) {
  DeviceState d = healthy();
  TripSet trips;
  for (int ms = from_ms; ms <= to_ms; ms += 10) {
    d.stamp = kNow + std::chrono::milliseconds(ms);
    c.setpoint = setpoint(ms / 1000.0);
    d.actual = actual(ms / 1000.0);
    monitor.check(d.stamp, d, c, trips);
    if (!trips.empty()) return {rule_of(trips), ms};
  }
  return {"", -1};
}

TEST(SafetyMonitor, tracking_error_accumulates_outside_twice_the_tolerance) {
  const double band = 2.0 * 1.5;
  auto ramp = [](double t) { return 10.0 + 0.5 * t; };  // a slow ramp: settling is not judged
  MonitorContext c = running();
  c.highest_target = 60.0;
  SafetyMonitor inside(DeviceKind::inversion, table_limits());
  EXPECT_EQ(feed(inside, c, 0, 20000, ramp, [&](double t) { return ramp(t) + band - 0.01; }).first,
            "");
  SafetyMonitor outside(DeviceKind::inversion, table_limits());
  const auto [rule, ms] =
      feed(outside, c, 0, 3000, ramp, [&](double t) { return ramp(t) + band + 0.01; });
  EXPECT_EQ(rule, "tracking_error");
  EXPECT_NEAR(ms, 1000, 20) << "one second outside the band";
}

TEST(SafetyMonitor, one_sample_inside_the_band_does_not_clear_a_lag_that_lasts) {
  // A 3.5° lag against a 3° band with ±0.5° noise: most readings are outside, some inside. The
  // time outside adds up, the time inside gives back only half of itself.
  auto ramp = [](double t) { return 10.0 + 0.5 * t; };
  auto noisy = [&](double t) {
    const int i = static_cast<int>(std::lround(t * 100.0));
    return ramp(t) - 3.5 + ((i * 7919) % 11 - 5) * 0.1;  // noise in [-0.5, 0.5]
  };
  SafetyMonitor monitor(DeviceKind::inversion, table_limits());
  const auto [rule, ms] = feed(monitor, running(), 0, 10000, ramp, noisy);
  EXPECT_EQ(rule, "tracking_error");
  EXPECT_LT(ms, 3000);
}

TEST(SafetyMonitor, settle_timeout_trips_when_a_resting_setpoint_is_not_reached_in_3_s) {
  const double band = 0.5 * 1.5;  // the settle band
  auto at_rest = [](double) { return 10.0; };
  MonitorContext c = running();
  SafetyMonitor inside(DeviceKind::inversion, table_limits());
  EXPECT_EQ(feed(inside, c, 0, 20000, at_rest, [&](double) { return 10.0 + band - 0.01; }).first,
            "")
      << "settled, however long";
  SafetyMonitor outside(DeviceKind::inversion, table_limits());
  const auto [rule, ms] =
      feed(outside, c, 0, 20000, at_rest, [&](double) { return 10.0 + band + 0.01; });
  EXPECT_EQ(rule, "settle_timeout");
  EXPECT_GE(ms, 3000 + 10) << "3 s after the setpoint came to rest (the second reading)";
  EXPECT_LE(ms, 3000 + 20);
  c.session = false;
  SafetyMonitor idle(DeviceKind::inversion, table_limits());
  EXPECT_EQ(feed(idle, c, 0, 20000, at_rest, [&](double) { return 10.0 + band + 0.01; }).first, "");
}

TEST(SafetyMonitor, rate_exceeded_trips_when_the_reading_runs_away_from_home_too_fast) {
  // 1.5 x max_rate_up 10 deg/s = 15 deg/s, over 0.25 s, for 0.25 s; the setpoint runs alongside
  // so that tracking stays out of it.
  MonitorContext c = running();
  c.highest_target = 55.0;
  auto ramp = [](double rate) { return [rate](double t) { return 5.0 + rate * t; }; };
  SafetyMonitor just_under(DeviceKind::inversion, table_limits());
  EXPECT_EQ(feed(just_under, c, 0, 3000, ramp(14.9), ramp(14.9)).first, "");
  SafetyMonitor over(DeviceKind::inversion, table_limits());
  const auto [rule, ms] = feed(over, c, 0, 3000, ramp(15.5), ramp(15.5));
  EXPECT_EQ(rule, "rate_exceeded");
  EXPECT_GE(ms, 490) << "a window to measure, then a window to last";
  EXPECT_LE(ms, 520);
  // Towards home (a release) is not loading; a 100 ms spike does not last.
  SafetyMonitor down(DeviceKind::inversion, table_limits());
  EXPECT_EQ(feed(
                down, c, 0, 2000, [](double t) { return 40.0 - 20.0 * t; },
                [](double t) { return 40.0 - 20.0 * t; })
                .first,
            "");
  SafetyMonitor spike(DeviceKind::inversion, table_limits());
  EXPECT_EQ(feed(
                spike, c, 0, 2000, [](double) { return 10.0; },
                [](double t) { return t >= 1.0 && t < 1.1 ? 20.0 : 10.0; })
                .first,
            "");
}

TEST(SafetyMonitor, exposure_beyond_the_hold_cap_counts_across_phases_and_only_time_below_resets) {
  EffectiveLimits l = table_limits();
  l.max_hold_seconds = 10;  // hold_cap_above 30°
  MonitorContext c = running();
  c.highest_target = 45.0;
  // 4 s at 40°, 0.5 s dip to 25° (a moment is no relief), 7 s at 40°: 11 s beyond the cap.
  auto profile = [](double t) { return t < 4.0 || t >= 4.5 ? 40.0 : 25.0; };
  SafetyMonitor dip(DeviceKind::inversion, l);
  const auto [rule, ms] = feed(dip, c, 0, 20000, profile, profile);
  EXPECT_EQ(rule, "hold_time_exceeded");
  EXPECT_NEAR(ms, 10500, 30);
  EXPECT_EQ(spec(Rule::hold_time_exceeded).response, Response::stop);
  // A real rest below the cap (2 s) resets the count.
  auto rested = [](double t) { return t < 6.0 || t >= 8.0 ? 40.0 : 25.0; };
  SafetyMonitor rest(DeviceKind::inversion, l);
  EXPECT_EQ(feed(rest, c, 0, 15000, rested, rested).first, "");
}

TEST(SafetyMonitor, a_release_that_the_drive_does_not_follow_is_stalled_after_2_s) {
  MonitorContext c;
  c.releasing = true;
  c.drive_enabled = true;
  c.highest_target = 60.0;
  SafetyMonitor monitor(DeviceKind::inversion, table_limits());
  const auto [rule, ms] = feed(
      monitor, c, 0, 5000, [](double t) { return std::max(0.0, 40.0 - 12.0 * t); },
      [](double) { return 40.0; });
  EXPECT_EQ(rule, "release_stalled");
  EXPECT_NEAR(ms, 2000 + 250, 60) << "3° of lag at 12 deg/s, then 2 s";
}

TEST(SafetyMonitor, a_second_reading_frozen_while_the_axis_moves_is_a_sensor_mismatch) {
  MonitorContext c = running();
  c.highest_target = 50.0;
  SafetyMonitor monitor(DeviceKind::inversion, table_limits());
  DeviceState d = healthy();
  d.force_n = 120.0;  // stuck
  TripSet trips;
  std::string rule;
  for (int ms = 0; ms <= 3000 && rule.empty(); ms += 10) {
    d.stamp = kNow + std::chrono::milliseconds(ms);
    c.setpoint = d.actual = 10.0 + 8.0 * ms / 1000.0;
    monitor.check(d.stamp, d, c, trips);
    rule = rule_of(trips);
  }
  EXPECT_EQ(rule, "sensor_mismatch");
  // A force that moves with the angle is fine.
  SafetyMonitor fine(DeviceKind::inversion, table_limits());
  d = healthy();
  for (int ms = 0; ms <= 3000; ms += 10) {
    d.stamp = kNow + std::chrono::milliseconds(ms);
    c.setpoint = d.actual = 10.0 + 8.0 * ms / 1000.0;
    d.force_n = 300.0 * std::sin(d.actual * M_PI / 180.0);
    fine.check(d.stamp, d, c, trips);
    ASSERT_TRUE(trips.empty()) << trips.summary();
  }
}

// --- The controller's reaction to each rule, on an ideal device ---

struct Observed {
  std::string rule;
  std::string outcome;
  DaemonState state_after = DaemonState::idle;  // once released
  double release_speed = 0.0;                   // largest setpoint speed after the trip
};

// Starts a 30° hold (past the hold cap), lets `inject` create the condition once the hold is
// reached, and reports how the controller reacted.
template <class F>
Observed react(IdealRig& rig, const std::shared_ptr<const Plan>& plan, F&& inject) {
  Observed r;
  EXPECT_FALSE(rig.command(CommandKind::start, plan).error);
  EXPECT_TRUE(rig.run_until([&] { return rig.setpoint() >= plan->phases[0].target - 1e-9; }, 30));
  const std::size_t from = rig.setpoints().p.size();
  const std::size_t first_event = rig.events().size();
  inject(rig);
  rig.run_until([&] { return !rig.in_session(); }, 30);
  rig.run_for(8.0);
  const auto fault = rig.first_event(EventKind::fault, first_event);
  const auto stop = rig.first_event(EventKind::stop_switch, first_event);
  const auto ended = rig.last_event(EventKind::session_ended);
  r.rule = fault.is_object() ? fault["rule"] : (stop.is_object() ? stop["rule"] : "");
  if (r.rule.empty() && ended.is_object()) r.rule = ended.value("rule", "");
  r.outcome = ended.is_object() ? ended["outcome"] : "";
  r.state_after = rig.state();
  r.release_speed = rig.max_speed_since(from);
  return r;
}

std::shared_ptr<const Plan> hold_at_40(const EffectiveLimits& l, double hold_s = 60) {
  return engine_test::ramp_hold_plan(l, 40.0, 8.0, hold_s);
}

void expect_latched_fault_released_at_the_fault_rate(const Observed& r, const char* rule,
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
  const Observed r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.device.available = false; });
  EXPECT_EQ(r.rule, "device_unavailable");
  EXPECT_EQ(r.outcome, "faulted");
  EXPECT_EQ(r.state_after, DaemonState::fault);
  EXPECT_FALSE(rig.last_output().write) << "nothing is written to a device that does not answer";
}

TEST(SafetyReaction, data_stale_faults_latched_and_releases_at_the_fault_rate) {
  IdealRig rig(table_limits());
  const Observed r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.stamp_fresh = false; });
  EXPECT_EQ(r.rule, "data_stale");
  EXPECT_EQ(r.outcome, "faulted");
  EXPECT_EQ(r.state_after, DaemonState::fault);
  EXPECT_NEAR(r.release_speed, 12.0, 0.01);
}

TEST(SafetyReaction, stop_switch_ends_the_session_unlatched_at_the_patient_rate) {
  IdealRig rig(table_limits());
  const Observed r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.device.stop_pressed = true; });
  EXPECT_EQ(r.rule, "stop_switch");
  EXPECT_EQ(r.outcome, "stop_switch");
  EXPECT_EQ(r.state_after, DaemonState::idle) << "a patient stop latches no fault";
  EXPECT_NEAR(r.release_speed, 10.0, 0.01) << "release_rate_patient";
  EXPECT_NEAR(rig.setpoint(), 0.0, 1e-9);
}

TEST(SafetyReaction, stop_switch_unplugged_is_a_latched_fault) {
  IdealRig rig(table_limits());
  const Observed r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.device.stop_connected = false; });
  expect_latched_fault_released_at_the_fault_rate(r, "stop_switch_unplugged", rig);
}

TEST(SafetyReaction, drive_fault_latches_and_the_setpoint_follows_the_drives_own_reaction) {
  IdealRig rig(table_limits());
  const Observed r = react(rig, hold_at_40(table_limits()), [](IdealRig& g) {
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
  rig.step();  // the drive's fault is reset
  rig.step();  // the latch is cleared: the axis is still at 39°
  EXPECT_EQ(rig.state(), DaemonState::recovering) << "never idle away from home";
  const std::size_t from = rig.setpoints().p.size();
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 10));
  EXPECT_NEAR(rig.device.actual, 0.0, 0.75);
  EXPECT_LE(rig.max_speed_since(from), 12.0 + 1e-6) << "at the fault release rate";
}

TEST(SafetyReaction, out_of_range_faults_at_the_fault_rate) {
  IdealRig rig(table_limits());
  const Observed r = react(rig, hold_at_40(table_limits()), [](IdealRig& g) {
    g.follow = false;
    g.device.actual = 60.0 + 1.5 + 0.1;
  });
  expect_latched_fault_released_at_the_fault_rate(r, "out_of_range", rig);
}

TEST(SafetyReaction, overshoot_faults_at_the_fault_rate) {
  IdealRig rig(table_limits());
  const Observed r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.offset = 1.5 + 0.1; });
  expect_latched_fault_released_at_the_fault_rate(r, "overshoot", rig);
}

TEST(SafetyReaction, hold_time_exceeded_stops_the_session_at_the_stop_rate) {
  EffectiveLimits l = table_limits();
  l.max_hold_seconds = 10;
  IdealRig rig(l);
  const auto plan = hold_at_40(l, 30);  // not validated: the monitor is the backstop
  const Observed r = react(rig, plan, [](IdealRig&) {});
  EXPECT_EQ(r.rule, "hold_time_exceeded");
  EXPECT_EQ(r.outcome, "stopped");
  EXPECT_EQ(r.state_after, DaemonState::idle) << "a normal stop: nothing latched";
  EXPECT_NEAR(r.release_speed, 6.0, 0.01) << "release_rate_stop";
  EXPECT_NE(rig.last_event(EventKind::session_ended)["reason"].get<std::string>().find("beyond"),
            std::string::npos);
}

TEST(SafetyReaction, a_hold_below_the_hold_cap_may_outlast_max_hold_seconds) {
  EffectiveLimits l = table_limits();
  l.max_hold_seconds = 10;
  IdealRig rig(l);
  const auto plan = engine_test::ramp_hold_plan(l, 20.0, 5.0, 30);  // 20° < hold_cap_above 30°
  ASSERT_FALSE(rig.command(CommandKind::start, plan).error);
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::idle; }, 60));
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["outcome"], "completed");
}

TEST(SafetyReaction, near_the_session_cap_the_release_begins_early_enough_to_end_within_it) {
  EffectiveLimits l = table_limits();
  l.max_session_seconds = 15;
  IdealRig rig(l);
  const Observed r = react(rig, hold_at_40(l, 20), [](IdealRig&) {});
  EXPECT_EQ(r.rule, "session_time_cap");
  EXPECT_EQ(r.outcome, "stopped");
  EXPECT_EQ(r.state_after, DaemonState::idle);
  double started = -1, home = -1;
  for (const Event& e : rig.events()) {
    if (e.kind == EventKind::state_changed && e.to == DaemonState::running && started < 0)
      started = std::chrono::duration<double>(e.time.time_since_epoch()).count();
    if (e.kind == EventKind::state_changed && e.to == DaemonState::idle && started >= 0)
      home = std::chrono::duration<double>(e.time.time_since_epoch()).count();
  }
  ASSERT_GE(home, 0);
  EXPECT_LE(home - started, 15.0) << "home within max_session_seconds";
}

TEST(SafetyReaction, tracking_error_faults_when_the_device_stops_following) {
  IdealRig rig(table_limits());
  auto plan = std::make_shared<Plan>(*hold_at_40(table_limits()));
  plan->phases.insert(plan->phases.begin() + 2,
                      Phase{PhaseKind::ramp, 20.0, 5.0, 0, false, 1, "ramp down"});
  plan->phases.insert(plan->phases.begin() + 3,
                      Phase{PhaseKind::hold, 20.0, 0, 30, false, 1, "hold"});
  plan->phases[1].seconds = 1;
  const Observed r = react(rig, plan, [](IdealRig& g) {
    g.follow = false;  // stuck at 40° while the setpoint moves down
  });
  expect_latched_fault_released_at_the_fault_rate(r, "tracking_error", rig);
}

TEST(SafetyReaction, settle_timeout_faults_when_the_reading_sticks_short_of_the_target) {
  IdealRig rig(table_limits());
  const Observed r = react(rig, hold_at_40(table_limits()), [](IdealRig& g) {
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
        return !rig.in_session();
      },
      2.0);
  rig.follow = true;
  rig.run_for(8.0);
  EXPECT_EQ(rig.last_event(EventKind::fault)["rule"], "rate_exceeded");
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["outcome"], "faulted");
  EXPECT_EQ(rig.state(), DaemonState::fault);
  EXPECT_NEAR(rig.max_speed_since(from), 12.0, 0.01) << "release_rate_fault";
}

TEST(SafetyReaction, activation_failed_when_the_drive_does_not_enable_in_3_s_and_nothing_moves) {
  IdealRig rig(table_limits());
  rig.obey_goals = false;  // the drive stays switch_on_disabled
  ASSERT_FALSE(rig.command(CommandKind::start, hold_at_40(table_limits())).error);
  EXPECT_EQ(rig.state(), DaemonState::starting);
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == DaemonState::fault; }, 4));
  EXPECT_GE(rig.time(), 3.0);
  EXPECT_EQ(rig.last_event(EventKind::fault)["rule"], "activation_failed");
  EXPECT_EQ(rig.last_event(EventKind::session_ended)["outcome"], "faulted");
  EXPECT_NEAR(rig.setpoint(), 0.0, 1e-9) << "nothing moved";
}

TEST(SafetyReaction, drive_disabled_faults_when_the_drive_leaves_operation_without_a_fault) {
  IdealRig rig(table_limits());
  const Observed r = react(rig, hold_at_40(table_limits()), [](IdealRig& g) {
    g.obey_goals = false;
    g.device.drive = cia402::State::switch_on_disabled;
  });
  EXPECT_EQ(r.rule, "drive_disabled");
  EXPECT_EQ(r.outcome, "faulted");
  EXPECT_EQ(r.state_after, DaemonState::fault);
}

TEST(SafetyReaction, an_end_stop_where_the_reading_says_it_cannot_be_faults) {
  IdealRig rig(table_limits());
  const Observed r =
      react(rig, hold_at_40(table_limits()), [](IdealRig& g) { g.device.end_stop_low = true; });
  expect_latched_fault_released_at_the_fault_rate(r, "end_stop", rig);
}

TEST(SafetyReaction, a_frozen_force_reading_while_the_table_moves_faults) {
  IdealRig rig(table_limits());
  rig.device.force_n = 150.0;  // never changes, while the angle ramps to 40°
  ASSERT_FALSE(rig.command(CommandKind::start, hold_at_40(table_limits())).error);
  ASSERT_TRUE(rig.run_until([&] { return !rig.in_session(); }, 30));
  EXPECT_EQ(rig.last_event(EventKind::fault)["rule"], "sensor_mismatch");
  EXPECT_EQ(rig.state(), DaemonState::fault);
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
