// SPDX-License-Identifier: Apache-2.0
// Faults of what the master reads, not of the mechanics: a stuck sensor, extra noise and a force
// spike. The drive's own loop and the ground truth (peaks, trace) are unaffected, so a test can
// tell what really happened from what the daemon was shown.
#pragma once

#include <cstdint>
#include <random>

namespace traction::sim {

// What the master is shown of the axis and of the force.
struct Reading {
  double axis = 0.0;
  double velocity = 0.0;
  double force_n = 0.0;
};

class SensorFaults {
 public:
  // `axis_is_force`: the axis is the load cell (bench), so a force spike shows on it too.
  SensorFaults(std::uint64_t seed, bool axis_is_force)
      : rng_(seed), axis_is_force_(axis_is_force) {}

  void stick(double seconds) { stuck_s_ = seconds; }
  void set_noise_sigma(double sigma) { noise_sigma_ = sigma; }
  void spike(double newtons, double seconds) {
    spike_n_ = newtons;
    spike_s_ = seconds;
  }

  // Advances by dt_s and turns the true reading into the reported one.
  Reading apply(const Reading& truth, double dt_s);

  bool stuck() const { return stuck_s_ > 0.0; }
  double noise_sigma() const { return noise_sigma_; }

 private:
  std::mt19937_64 rng_;
  bool axis_is_force_ = false;
  std::normal_distribution<double> unit_{0.0, 1.0};
  double stuck_s_ = 0.0;
  double noise_sigma_ = 0.0;
  double spike_n_ = 0.0;
  double spike_s_ = 0.0;
  Reading frozen_;
};

}  // namespace traction::sim
