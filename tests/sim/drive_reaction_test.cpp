// SPDX-License-Identifier: Apache-2.0
// The drive's own reaction (home or hold) to each trigger — fault, watchdog trip, quick stop,
// patient stop switch pressed or unplugged, power loss — on both device kinds, judged on the
// physics' ground truth: where the axis ends, how fast it got there and what holds it.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/config_reader.hpp"
#include "tests/sim/physics_support.hpp"

namespace traction::sim {
namespace {

using cia402::State;
using testing::default_model;
using testing::enable;
using testing::run_for;

constexpr double kTol = 1e-6;

enum class Trigger { fault, watchdog, quick_stop, stop_pressed, stop_unplugged, power_loss };

const char* name(Trigger t) {
  switch (t) {
    case Trigger::fault:
      return "fault";
    case Trigger::watchdog:
      return "watchdog";
    case Trigger::quick_stop:
      return "quick_stop";
    case Trigger::stop_pressed:
      return "stop_pressed";
    case Trigger::stop_unplugged:
      return "stop_unplugged";
    case Trigger::power_loss:
      return "power_loss";
  }
  return "?";
}

// The loaded level a case starts from, well away from the safe point on either kind.
double loaded_level(DeviceKind kind) {
  return kind == DeviceKind::inversion ? 30.0 : 300.0;
}

// A device with the given reaction, enabled and settled at the loaded level.
SimDevice loaded_device(DeviceKind kind, DriveReaction reaction) {
  DeviceModel model = default_model(kind);
  model.drive_reaction = reaction;
  SimDevice device(model, 7);
  enable(device);
  device.drive().write_target(loaded_level(kind));
  run_for(device, 8.0);
  return device;
}

// Sets the trigger off; the watchdog one arms a 100 ms timeout and the caller stops feeding it.
void pull(Trigger trigger, SimDevice& device) {
  switch (trigger) {
    case Trigger::fault:
      device.drive().inject_fault(0x2310, 0.0);
      break;
    case Trigger::watchdog:
      device.drive().write_watchdog_timeout_ms(100);
      break;
    case Trigger::quick_stop:
      device.drive().write_control_word(cia402::kQuickStop);
      break;
    case Trigger::stop_pressed:
      device.press_stop();
      break;
    case Trigger::stop_unplugged:
      device.unplug_stop_switch();
      break;
    case Trigger::power_loss:
      device.power_loss(30.0);
      break;
  }
}

// The CiA 402 state the drive settles in after its reaction to a trigger (powered triggers).
State state_after(Trigger trigger) {
  switch (trigger) {
    case Trigger::fault:
    case Trigger::watchdog:
      return State::fault;
    case Trigger::quick_stop:
    case Trigger::stop_pressed:
    case Trigger::stop_unplugged:
      return State::quick_stop_active;
    case Trigger::power_loss:
      return State::not_ready_to_switch_on;
  }
  return State::fault;
}

struct Case {
  DeviceKind kind;
  DriveReaction reaction;
  Trigger trigger;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return std::string(to_string(info.param.kind)) + "_" + to_string(info.param.reaction) + "_" +
         name(info.param.trigger);
}

class DriveReactionAtRest : public ::testing::TestWithParam<Case> {};

// From a loaded standstill: `home` returns to the safe point at the safe rate (power loss: the
// mechanics drift back by themselves); `hold` stays exactly where it was, on its brake.
TEST_P(DriveReactionAtRest, ends_where_the_reaction_says_within_the_drive_limits) {
  const Case c = GetParam();
  SimDevice device = loaded_device(c.kind, c.reaction);
  const DriveLimits& limits = device.drive().limits();
  const double start = device.axis();
  ASSERT_NEAR(start, loaded_level(c.kind), c.kind == DeviceKind::inversion ? kTol : 5.0);
  device.reset_peaks();
  pull(c.trigger, device);
  const bool feed = c.trigger != Trigger::watchdog;
  double lowest = start;
  double fastest = 0.0;
  run_for(device, 10.0, feed, [&] {
    lowest = std::min(lowest, device.axis());
    fastest = std::max(fastest, std::abs(device.axis_velocity()));
  });
  EXPECT_EQ(device.drive().state(), state_after(c.trigger))
      << cia402::to_string(device.drive().state());
  if (c.trigger == Trigger::watchdog) {
    EXPECT_EQ(device.drive().fault_code(), kFaultCommLoss);
  }
  if (c.trigger == Trigger::fault) {
    EXPECT_EQ(device.drive().fault_code(), 0x2310);
  }
  EXPECT_LE(device.peaks().axis, start + (c.kind == DeviceKind::inversion ? kTol : 1.0))
      << "never toward more traction";

  if (c.reaction == DriveReaction::hold) {
    // The drive was at rest: nothing to decelerate, the brake holds the load where it is.
    const double held = c.kind == DeviceKind::inversion ? kTol : 1.0;
    EXPECT_NEAR(device.axis(), start, held);
    EXPECT_GE(lowest, start - held);
    EXPECT_TRUE(device.drive().brake_engaged());
    return;
  }
  EXPECT_FALSE(device.drive().brake_engaged() && c.trigger == Trigger::power_loss)
      << "a drive without the hold reaction has no brake holding it unpowered";
  if (c.trigger == Trigger::power_loss) {
    // Unpowered: the table drifts back at most at its gravity rate, the bench's tension decays.
    EXPECT_LT(device.axis(), start - 0.5 * (start - limits.safe_axis));
    return;
  }
  const double home_tolerance = c.kind == DeviceKind::inversion ? kTol : 3.0;
  EXPECT_NEAR(device.axis(), limits.safe_axis, home_tolerance);
  // The bench's force rate is a low-passed difference of the force loop's output.
  const double rate_margin = c.kind == DeviceKind::inversion ? 1.0 : 1.25;
  EXPECT_LE(fastest, limits.safe_rate * rate_margin + kTol);
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction}) {
    for (DriveReaction reaction : {DriveReaction::home, DriveReaction::hold}) {
      for (int t = 0; t <= static_cast<int>(Trigger::power_loss); ++t)
        out.push_back({kind, reaction, static_cast<Trigger>(t)});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryTrigger, DriveReactionAtRest, ::testing::ValuesIn(all_cases()),
                         case_name);

class DriveHoldInMotion : public ::testing::TestWithParam<Case> {};

// Mid-ramp, `hold` decelerates at no more than the drive's acceleration limit, never turns back
// and stops within the braking distance of where the trigger caught it; then the brake holds.
TEST_P(DriveHoldInMotion, stops_within_the_braking_distance_and_holds) {
  const Case c = GetParam();
  DeviceModel model = default_model(c.kind);
  model.drive_reaction = DriveReaction::hold;
  SimDevice device(model, 7);
  const DriveLimits& limits = device.drive().limits();
  enable(device);
  device.drive().write_target(2.0 * loaded_level(c.kind));
  run_for(device, 1.0);
  while (device.axis() < loaded_level(c.kind)) run_for(device, 0.001);
  const double caught_at = device.axis();
  const double speed = device.axis_velocity();
  ASSERT_GT(speed, 0.5 * limits.max_velocity) << "the trigger catches the ramp at speed";
  device.reset_peaks();
  pull(c.trigger, device);
  double slowest = speed;
  run_for(device, 3.0, c.trigger != Trigger::watchdog,
          [&] { slowest = std::min(slowest, device.axis_velocity()); });
  // The watchdog acts only after its 100 ms timeout, at full speed until then.
  const double late = c.trigger == Trigger::watchdog ? speed * 0.101 : 0.0;
  const double braking = late + speed * speed / (2.0 * limits.max_accel);
  if (c.kind == DeviceKind::inversion) {
    EXPECT_GE(slowest, -kTol) << "never turns back";
    EXPECT_LE(device.peaks().accel, limits.max_accel + kTol);
    EXPECT_GE(device.axis(), caught_at);
    EXPECT_LE(device.axis(), caught_at + braking + 0.05);
  } else {
    // The force loop lags its reference: the rope runs on until the brake has stopped it.
    EXPECT_LE(device.axis(), caught_at + braking + 30.0);
    EXPECT_GE(device.axis(), caught_at - 10.0);
  }
  const double stopped_at = device.axis();
  if (c.trigger != Trigger::power_loss) {
    EXPECT_EQ(device.drive().state(), state_after(c.trigger));
  }
  run_for(device, 5.0, c.trigger != Trigger::watchdog);
  EXPECT_TRUE(device.drive().brake_engaged());
  EXPECT_NEAR(device.axis(), stopped_at, c.kind == DeviceKind::inversion ? kTol : 1.0);
}

std::vector<Case> hold_cases() {
  std::vector<Case> out;
  for (const Case& c : all_cases()) {
    if (c.reaction == DriveReaction::hold) out.push_back(c);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryTrigger, DriveHoldInMotion, ::testing::ValuesIn(hold_cases()),
                         case_name);

// After `hold`, the drive stays held until the master walks it to operation enabled again; then
// it follows from where it was held, without a jump.
TEST(DriveHold, after_a_fault_and_reset_the_drive_follows_from_where_the_brake_held_it) {
  DeviceModel model = default_model(DeviceKind::inversion);
  model.drive_reaction = DriveReaction::hold;
  SimDevice device = loaded_device(DeviceKind::inversion, DriveReaction::hold);
  device.drive().inject_fault(0x2310, 0.0);
  run_for(device, 2.0);
  ASSERT_EQ(device.drive().state(), State::fault);
  device.drive().write_control_word(cia402::kDisableVoltage);
  device.drive().write_control_word(cia402::kFaultResetBit);
  ASSERT_EQ(device.drive().state(), State::switch_on_disabled);
  run_for(device, 2.0);
  EXPECT_NEAR(device.axis(), 30.0, kTol) << "still held after the reset";
  EXPECT_TRUE(device.drive().brake_engaged());
  device.drive().write_target(0.0);
  device.reset_peaks();
  enable(device);
  ASSERT_EQ(device.drive().state(), State::operation_enabled);
  run_for(device, 10.0);
  EXPECT_NEAR(device.axis(), 0.0, kTol);
  EXPECT_LE(device.peaks().velocity, model.inversion.max_velocity_deg_s + kTol);
  EXPECT_LE(device.peaks().accel, model.inversion.max_accel_deg_s2 + kTol);
}

TEST(DriveHold, a_stop_switch_press_holds_in_quick_stop_until_released_and_walked_out) {
  SimDevice device = loaded_device(DeviceKind::traction, DriveReaction::hold);
  const double held = device.axis();
  device.press_stop();
  run_for(device, 1.0);
  enable(device);  // refused while pressed
  EXPECT_EQ(device.drive().state(), State::quick_stop_active);
  device.release_stop();
  device.drive().write_control_word(cia402::kEnableOperation);
  run_for(device, 1.0);
  EXPECT_EQ(device.drive().state(), State::quick_stop_active) << "enable alone does not resume";
  EXPECT_NEAR(device.axis(), held, 1.0);
  device.drive().write_target(15.0);
  enable(device);
  EXPECT_EQ(device.drive().state(), State::operation_enabled);
  run_for(device, 8.0);
  EXPECT_NEAR(device.axis(), 15.0, 3.0);
}

TEST(DriveHold, switching_the_reaction_mid_way_takes_effect_at_once) {
  DeviceModel model = default_model(DeviceKind::inversion);
  SimDevice device = loaded_device(DeviceKind::inversion, DriveReaction::home);
  device.drive().inject_fault(0x2310, 0.0);
  run_for(device, 2.0);  // part of the way home at 5 deg/s
  const double part_way = device.axis();
  ASSERT_LT(part_way, 30.0 - 5.0);
  ASSERT_GT(part_way, 5.0);
  device.drive().set_reaction(DriveReaction::hold);
  run_for(device, 5.0);
  EXPECT_EQ(device.drive().state(), State::fault);
  const double braking =
      std::pow(model.inversion.safe_rate_deg_s, 2) / (2.0 * model.inversion.max_accel_deg_s2);
  EXPECT_LE(part_way - device.axis(), braking + 0.01);
  EXPECT_TRUE(device.drive().brake_engaged());
}

TEST(DriveHold, power_returns_with_the_axis_where_the_brake_held_it) {
  SimDevice device = loaded_device(DeviceKind::inversion, DriveReaction::hold);
  device.power_loss(1.0);
  run_for(device, 1.5);
  EXPECT_TRUE(device.powered());
  EXPECT_EQ(device.drive().state(), State::switch_on_disabled);
  EXPECT_NEAR(device.axis(), 30.0, kTol);
  EXPECT_DOUBLE_EQ(device.drive().target(), device.axis());
  EXPECT_EQ(device.drive().status_word() & 0x6F, cia402::encode_status(State::switch_on_disabled));
}

TEST(DriveReactionModel, the_model_key_and_its_default) {
  nlohmann::json json = traction::load_json_file(default_model_file(DeviceKind::traction));
  json.erase("drive_reaction");
  Result<DeviceModel> plain = parse_device_model(json, "m.json", DeviceKind::traction);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain->drive_reaction, DriveReaction::home);
  json["drive_reaction"] = "hold";
  Result<DeviceModel> hold = parse_device_model(json, "m.json", DeviceKind::traction);
  ASSERT_TRUE(hold.ok()) << hold.status().message();
  EXPECT_EQ(hold->drive_reaction, DriveReaction::hold);
  EXPECT_EQ(SimDevice(*hold, 1).drive().reaction(), DriveReaction::hold);
  json["drive_reaction"] = "stop";
  Result<DeviceModel> bad = parse_device_model(json, "m.json", DeviceKind::traction);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/drive_reaction"), std::string::npos)
      << bad.status().message();
}

// Self-test faults: a watchdog that never trips, a stop switch not wired to the drive.
TEST(DriveSelfTestFaults, an_ignored_watchdog_reads_back_its_timeout_and_never_trips) {
  SimDevice device = loaded_device(DeviceKind::inversion, DriveReaction::hold);
  device.drive().set_watchdog_ignored(true);
  device.drive().write_watchdog_timeout_ms(100);
  run_for(device, 3.0, /*feed=*/false);
  EXPECT_EQ(device.drive().watchdog_timeout_ms(), 100);
  EXPECT_FALSE(device.drive().watchdog_tripped());
  EXPECT_EQ(device.drive().state(), State::operation_enabled);
  device.drive().set_watchdog_ignored(false);
  run_for(device, 0.01, /*feed=*/false);
  EXPECT_TRUE(device.drive().watchdog_tripped()) << "working again once the fault is taken away";
}

TEST(DriveSelfTestFaults, a_dead_stop_switch_is_read_but_the_drive_does_not_react) {
  for (DeviceKind kind : {DeviceKind::inversion, DeviceKind::traction}) {
    SimDevice device = loaded_device(kind, DriveReaction::home);
    device.set_stop_switch_wired(false);
    device.press_stop();
    device.unplug_stop_switch();
    run_for(device, 3.0);
    EXPECT_TRUE(device.stop_pressed());
    EXPECT_FALSE(device.stop_connected());
    EXPECT_EQ(device.drive().state(), State::operation_enabled);
    EXPECT_EQ(device.drive().fault_code(), 0) << "the drive does not see the switch at all";
    EXPECT_EQ(device.drive().status_word() & 0x0080, 0) << "no warning bit";
    EXPECT_NEAR(device.axis(), loaded_level(kind), kind == DeviceKind::inversion ? kTol : 5.0);
    device.set_stop_switch_wired(true);  // the line is mended while the switch is still pressed
    EXPECT_EQ(device.drive().state(), State::quick_stop_active);
  }
}

}  // namespace
}  // namespace traction::sim
