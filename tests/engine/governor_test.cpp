// SPDX-License-Identifier: Apache-2.0
#include "daemon/engine/governor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tests/engine/setpoint_profile.hpp"

namespace traction {
namespace {

EffectiveLimits table_limits() {
  EffectiveLimits l;
  l.min_target = -20;
  l.max_target = 60;
  l.home = 0;
  l.max_rate_up = 5;
  l.max_rate_down = 8;
  l.max_accel = 10;
  l.max_jerk = 40;
  return l;
}

constexpr double kDt = 0.01;
constexpr double kJerkBound = 40 * 1.001;
using Profile = engine_test::SetpointProfile;
using engine_test::kLandingSpeed;

Profile run(MotionGovernor& g, double target, double rate, double seconds) {
  Profile out;
  out.dt = kDt;
  out.p.push_back(g.position());
  for (int i = 0; i < static_cast<int>(seconds / kDt); ++i)
    out.p.push_back(g.step(target, rate, kDt));
  return out;
}

TEST(MotionGovernor, when_target_jumps_expect_smooth_motion_within_rate_accel_and_jerk) {
  MotionGovernor g(table_limits());
  g.reset(0);
  const Profile pr = run(g, 20, 5, 10);
  EXPECT_NEAR(pr.p.back(), 20, 1e-9);
  EXPECT_LE(pr.max_speed(), 5 + 1e-9);
  EXPECT_LE(pr.max_accel(), 10 * 1.02);
  EXPECT_LE(pr.max_jerk(), kJerkBound);
}

TEST(MotionGovernor, when_arriving_expect_no_overshoot) {
  MotionGovernor g(table_limits());
  g.reset(0);
  const Profile pr = run(g, 15, 5, 10);
  for (double p : pr.p) EXPECT_LE(p, 15.0);
}

TEST(MotionGovernor, when_target_beyond_limits_expect_clamped_to_limit) {
  MotionGovernor g(table_limits());
  g.reset(0);
  const Profile pr = run(g, 500, 100, 40);
  for (double p : pr.p) EXPECT_LE(p, 60.0);
  EXPECT_NEAR(pr.p.back(), 60.0, 1e-9);
  EXPECT_LE(pr.max_speed(), 5 + 1e-9);  // the limits' rate caps a larger requested rate
}

TEST(MotionGovernor, when_moving_home_expect_down_rate_limit) {
  MotionGovernor g(table_limits());
  g.reset(30);
  const Profile pr = run(g, 0, 100, 20);
  EXPECT_NEAR(pr.p.back(), 0, 1e-9);
  EXPECT_LE(pr.max_speed(), 8 + 1e-9);
  EXPECT_GT(pr.max_speed(), 7.9);
}

TEST(MotionGovernor, when_reversing_mid_ramp_expect_no_step_in_velocity) {
  MotionGovernor g(table_limits());
  g.reset(0);
  Profile pr = run(g, 40, 5, 3);
  const Profile back = run(g, 0, 8, 15);
  pr.p.insert(pr.p.end(), back.p.begin() + 1, back.p.end());
  EXPECT_LE(pr.max_accel(), 10 * 1.02);
  EXPECT_LE(pr.max_jerk(), kJerkBound);
  EXPECT_NEAR(pr.p.back(), 0, 1e-6);
}

TEST(MotionGovernor, reset_starts_at_measured_value_without_motion) {
  MotionGovernor g(table_limits());
  g.reset(12.5);
  EXPECT_DOUBLE_EQ(g.position(), 12.5);
  EXPECT_DOUBLE_EQ(g.step(12.5, 5, kDt), 12.5);
  EXPECT_TRUE(g.settled_at(12.5));
}

TEST(MotionGovernor, property_random_targets_never_break_limits) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> target(-40, 90);
  std::uniform_real_distribution<double> rate(0.5, 20);
  std::uniform_real_distribution<double> hold(0.05, 6);
  for (int trial = 0; trial < 50; ++trial) {
    MotionGovernor g(table_limits());
    g.reset(0);
    Profile all;
    all.p.push_back(0);
    for (int seg = 0; seg < 8; ++seg) {
      const double goal = target(rng);
      const double max_rate = rate(rng);
      const Profile pr = run(g, goal, max_rate, hold(rng));
      all.p.insert(all.p.end(), pr.p.begin() + 1, pr.p.end());
    }
    for (double p : all.p) {
      ASSERT_GE(p, -20.0);
      ASSERT_LE(p, 60.0);
    }
    // Targets that change mid-motion may be passed with smooth braking; limits never are.
    ASSERT_LE(all.max_speed(), 8 + 1e-9) << "trial " << trial;
    ASSERT_LE(all.max_accel(), 10 * 1.02) << "trial " << trial;
    ASSERT_LE(all.max_jerk(), kJerkBound) << "trial " << trial;
    ASSERT_LT(all.max_landing_dv(), kLandingSpeed) << "trial " << trial;
  }
}

}  // namespace
}  // namespace traction
