// SPDX-License-Identifier: Apache-2.0
// Velocity, acceleration and jerk of a setpoint sequence by finite differences, as the drive sees
// them. Shared by the governor tests and the whole-session property tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace traction::engine_test {

// The landing period may close a residual speed below the governor's 0.1 units/s in one step
// (docs/safety.md, "Motion governor"); below this speed a change is imperceptible.
inline constexpr double kLandingSpeed = 0.15;

struct SetpointProfile {
  double dt = 0.01;
  std::vector<double> p;

  double max_speed() const {
    double m = 0;
    for (std::size_t i = 1; i < p.size(); ++i) m = std::max(m, std::abs(p[i] - p[i - 1]) / dt);
    return m;
  }
  double max_accel() const {
    double m = 0;
    for (std::size_t i = 2; i < p.size(); ++i) {
      m = std::max(m, std::abs(p[i] - 2 * p[i - 1] + p[i - 2]) / (dt * dt));
    }
    return m;
  }
  // Jerk while moving perceptibly. The one exception the governor allows is the landing period,
  // which may close a residual velocity below kLandingSpeed in one step (see max_landing_dv); the
  // next move may start right after it, so a window that begins with such a creep, or whose two
  // speeds are both creep, is skipped too (below kLandingSpeed a period moves 0.0015 units at
  // most).
  double max_jerk() const {
    double m = 0;
    for (std::size_t i = 3; i < p.size(); ++i) {
      const double v_first = std::abs(p[i - 2] - p[i - 3]) / dt;
      const double v_before = std::abs(p[i - 1] - p[i - 2]) / dt;
      const double v_after = std::abs(p[i] - p[i - 1]) / dt;
      if (v_after == 0.0 && v_before < kLandingSpeed) continue;
      // A landing the next move starts from at once: both speeds are creep, the snap in between.
      if (v_before < kLandingSpeed && v_after < kLandingSpeed) continue;
      if (i + 1 < p.size() && p[i + 1] == p[i] && v_after < kLandingSpeed) continue;
      if (v_first > 0.0 && v_first < kLandingSpeed) continue;
      m = std::max(m, std::abs(p[i] - 3 * p[i - 1] + 3 * p[i - 2] - p[i - 3]) / (dt * dt * dt));
    }
    return m;
  }
  // Largest velocity closed in one period when the setpoint comes to rest (and stays there: a
  // smooth reversal passes through zero speed for one sample).
  double max_landing_dv() const {
    double m = 0;
    for (std::size_t i = 2; i < p.size(); ++i) {
      const bool stays = i + 1 == p.size() || p[i + 1] == p[i];
      if (p[i] == p[i - 1] && stays) m = std::max(m, std::abs(p[i - 1] - p[i - 2]) / dt);
    }
    return m;
  }
};

}  // namespace traction::engine_test
