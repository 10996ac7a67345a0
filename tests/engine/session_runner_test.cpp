// SPDX-License-Identifier: Apache-2.0
// Phase timing with a simulated clock: the runner, the governor and an ideal device together.
#include "daemon/engine/session_runner.hpp"

#include <gtest/gtest.h>

#include "daemon/engine/governor.hpp"
#include "tests/engine/sim_fixtures.hpp"

namespace traction {
namespace {

constexpr double kDt = 0.01;

EffectiveLimits limits() {
  return engine_test::table_limits();
}

std::shared_ptr<const Plan> ramp_hold_release(double hold_s) {
  auto plan = std::make_shared<Plan>();
  plan->limits = limits();
  plan->phases = {Phase{PhaseKind::ramp, 15, 5, 0, false, 1, "ramp"},
                  Phase{PhaseKind::hold, 15, 5, hold_s, false, 1, "hold"},
                  Phase{PhaseKind::release, 0, 6, 0, false, 0, "release"}};
  return plan;
}

struct SimRun {
  std::vector<std::pair<std::size_t, double>> phase_starts;  // (phase index, time)
  double finished_at = -1;
};

// Simulated clock: steps the runner and governor; the device follows the setpoint exactly.
SimRun simulate(SessionRunner& runner, double seconds, double pause_at = -1,
                double resume_at = -1) {
  MotionGovernor g(runner.plan().limits);
  g.reset(0);
  SimRun out;
  const Clock::time_point t0{};
  out.phase_starts.push_back({0, 0.0});
  for (int i = 0; i * kDt < seconds; ++i) {
    const double t = i * kDt;
    const Clock::time_point now =
        t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t));
    if (pause_at >= 0 && std::abs(t - pause_at) < kDt / 2) runner.pause(now);
    if (resume_at >= 0 && std::abs(t - resume_at) < kDt / 2) runner.resume(now);
    const double target = runner.finished() ? 0.0 : runner.phase().target;
    const RunnerStep s = runner.step(now, g.position(), g.settled_at(target), g.position());
    if (s.phase_changed && !s.finished) out.phase_starts.push_back({runner.phase_index(), t});
    if (s.finished) {
      out.finished_at = t;
      break;
    }
    g.step(s.target, s.rate, kDt);
  }
  return out;
}

TEST(SessionRunner, hold_counts_from_settled_and_is_accurate_to_one_period) {
  SessionRunner runner(ramp_hold_release(5.0));
  const SimRun run = simulate(runner, 60);
  ASSERT_EQ(run.phase_starts.size(), 3U);
  const double hold_start = run.phase_starts[1].second;  // the ramp settled
  const double release_start = run.phase_starts[2].second;
  EXPECT_NEAR(release_start - hold_start, 5.0, kDt + 1e-9);
  EXPECT_GT(hold_start, 15.0 / 5.0 - kDt) << "the ramp cannot be faster than its rate";
  EXPECT_GT(run.finished_at, release_start + 15.0 / 6.0 - kDt);
}

TEST(SessionRunner, pause_keeps_the_hold_time_already_served) {
  SessionRunner runner(ramp_hold_release(10.0));
  // The ramp settles a little after 3 s; pause 2 s into the hold for 5 s, then resume.
  const SimRun plain = [] {
    SessionRunner r(ramp_hold_release(10.0));
    return simulate(r, 80);
  }();
  const double hold_start = plain.phase_starts[1].second;
  const SimRun paused = simulate(runner, 80, hold_start + 2.0, hold_start + 7.0);
  ASSERT_EQ(paused.phase_starts.size(), 3U);
  // While paused the setpoint stays on target here (the controller, not the runner, releases),
  // so the hold resumes at once: it ends 5 s later than without the pause, within one period.
  EXPECT_NEAR(paused.phase_starts[2].second - plain.phase_starts[2].second, 5.0, 2 * kDt);
}

TEST(SessionRunner, remaining_time_falls_as_the_session_runs) {
  SessionRunner runner(ramp_hold_release(5.0));
  const Clock::time_point t0{};
  runner.step(t0, 0.0, false, 0.0);
  const double at_start = runner.remaining_seconds(t0, 0.0);
  EXPECT_NEAR(at_start, 15.0 / 5.0 + 5.0 + 15.0 / 6.0, 1e-9);
  EXPECT_LT(runner.remaining_seconds(t0 + std::chrono::seconds(1), 5.0), at_start);
  EXPECT_DOUBLE_EQ(runner.highest_target(), 15.0);
}

}  // namespace
}  // namespace traction
