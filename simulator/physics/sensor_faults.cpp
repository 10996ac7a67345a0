// SPDX-License-Identifier: Apache-2.0
#include "simulator/physics/sensor_faults.hpp"

namespace traction::sim {

Reading SensorFaults::apply(const Reading& truth, double dt_s) {
  Reading out = truth;
  if (stuck_s_ > 0.0) {
    stuck_s_ -= dt_s;
    out = frozen_;
  } else {
    frozen_ = truth;
  }
  if (noise_sigma_ > 0.0) out.axis += noise_sigma_ * unit_(rng_);
  if (spike_s_ > 0.0) {
    spike_s_ -= dt_s;
    out.force_n += spike_n_;
    if (axis_is_force_) out.axis += spike_n_;
  }
  return out;
}

}  // namespace traction::sim
