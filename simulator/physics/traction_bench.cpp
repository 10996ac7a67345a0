// SPDX-License-Identifier: Apache-2.0
#include "simulator/physics/traction_bench.hpp"

#include <algorithm>
#include <cmath>

namespace traction::sim {

namespace {
// Velocity and acceleration of the force are differences of a stiff signal; a 20 ms low-pass
// makes them read like a real drive's filtered rate instead of one-step spikes.
constexpr double kRateFilter_s = 0.02;
// Below this measured force the rope is taken as slack and is taken up at take-up speed.
constexpr double kSlackThreshold_n = 2.0;
}  // namespace

double person_force_n(const TractionModel& model, double rope_mm, double rope_speed_mm_s) {
  const double stretch_mm = rope_mm - model.slack_mm;
  if (stretch_mm <= 0.0) return 0.0;
  // A damper pushes back while stretching, but the rope cannot push: force never goes negative.
  return std::max(
      0.0, model.stiffness_n_per_mm * stretch_mm + model.damping_n_s_per_mm * rope_speed_mm_s);
}

TractionBench::TractionBench(const TractionModel& model, std::uint64_t seed)
    : model_(model), rng_(seed) {
  measured_n_ = model_.load_cell_offset_n;
}

double TractionBench::rope_speed_for(const PlantCommand& command) const {
  switch (command.mode) {
    case PlantCommand::Mode::hold:
      return 0.0;
    case PlantCommand::Mode::unpowered: {
      // Back-driven by the person: tension decays with the configured time constant, no snap.
      const double stretch_mm = std::max(0.0, rope_mm_ - model_.slack_mm);
      return -stretch_mm / model_.unpowered_decay_time_constant_s;
    }
    case PlantCommand::Mode::track: {
      const double feed_forward = command.reference_rate / model_.stiffness_n_per_mm;
      double speed =
          feed_forward + model_.force_loop_gain_mm_s_per_n * (command.reference - measured_n_);
      if (measured_n_ < kSlackThreshold_n && command.reference > kSlackThreshold_n) {
        speed = std::max(speed, model_.take_up_speed_mm_s);
      }
      return speed;
    }
  }
  return 0.0;
}

void TractionBench::step(const PlantCommand& command, double dt_s) {
  const double max_change = model_.max_rope_accel_mm_s2 * dt_s;
  double speed =
      std::clamp(rope_speed_for(command), -model_.max_rope_speed_mm_s, model_.max_rope_speed_mm_s);
  speed = std::clamp(speed, rope_speed_mm_s_ - max_change, rope_speed_mm_s_ + max_change);
  const double next = std::clamp(rope_mm_ + speed * dt_s, 0.0, model_.rope_travel_mm);
  rope_speed_mm_s_ = (next - rope_mm_) / dt_s;
  rope_mm_ = next;

  const double force = person_force_n(model_, rope_mm_, rope_speed_mm_s_);
  const double alpha = dt_s / (kRateFilter_s + dt_s);
  const double rate = force_rate_n_s_ + alpha * ((force - force_n_) / dt_s - force_rate_n_s_);
  force_accel_n_s2_ += alpha * ((rate - force_rate_n_s_) / dt_s - force_accel_n_s2_);
  force_rate_n_s_ = rate;
  force_n_ = force;
  measured_n_ =
      force_n_ + model_.load_cell_offset_n + model_.load_cell_noise_sigma_n * noise_(rng_);
}

}  // namespace traction::sim
