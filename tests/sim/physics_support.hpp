// SPDX-License-Identifier: Apache-2.0
// Helpers for driving the pure physics from tests: the default models and the CiA 402 walk.
#pragma once

#include <gtest/gtest.h>

#include "drivers/cia402.hpp"
#include "simulator/physics/model.hpp"
#include "simulator/physics/sim_device.hpp"

namespace traction::sim::testing {

inline DeviceModel default_model(DeviceKind kind) {
  Result<DeviceModel> model = load_device_model(default_model_file(kind), kind);
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? *model : DeviceModel{};
}

// Walks shutdown -> switch on -> enable operation, one write per simulated millisecond.
inline void enable(SimDevice& device) {
  for (std::uint16_t cw : {cia402::kShutdown, cia402::kSwitchOn, cia402::kEnableOperation}) {
    device.drive().write_control_word(cw);
    device.advance(0.001);
  }
}

// Runs `seconds` of simulated time in 1 ms steps, feeding the watchdog when `feed` is set, and
// calls `each` after every step.
template <class F>
void run_for(SimDevice& device, double seconds, bool feed, F&& each) {
  const int steps = static_cast<int>(seconds / 0.001 + 0.5);
  for (int i = 0; i < steps; ++i) {
    if (feed) device.drive().note_valid_request();
    device.advance(0.001);
    each();
  }
}

inline void run_for(SimDevice& device, double seconds, bool feed = true) {
  run_for(device, seconds, feed, [] {});
}

}  // namespace traction::sim::testing
