// SPDX-License-Identifier: Apache-2.0
#include "drivers/drive_walk.hpp"

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

namespace traction {
namespace {

using cia402::Goal;

std::string hex16(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04X", value & 0xFFFFU);
  return text;
}

// Why a walk toward enabled must stop now, if it must.
std::optional<Status> enable_refusal(const DeviceState& state) {
  if (!state.stop_connected) {
    return Status{Errc::refused,
                  "the patient stop switch is unplugged; plug it in before activating the drive"};
  }
  if (state.stop_pressed) return Status{Errc::refused, "the patient stop switch is pressed"};
  if (cia402::faulted(state.drive)) {
    return Status{Errc::refused, "the drive faulted (fault code " + hex16(state.fault_code) +
                                     ") during activation"};
  }
  return std::nullopt;
}

Status walk(Driver& driver, DeviceState& state, Goal goal, std::optional<double> fixed_target,
            std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const bool enabling = goal == Goal::enabled;
  if (Status s = driver.read(state); !s) return s;
  if (enabling && cia402::faulted(state.drive)) {
    return {Errc::state,
            "the drive is in fault (fault code " + hex16(state.fault_code) + "); reset it first"};
  }
  while (true) {
    const double target = fixed_target.value_or(state.actual);
    if (enabling) {
      if (std::optional<Status> why = enable_refusal(state)) return *why;
    }
    // At least one write, even when already there: the goal's controlword is what holds it.
    if (Status s = driver.write(AxisCommand{target, goal}); !s) return s;
    if (cia402::reached(state.drive, goal)) return {};
    if (Clock::now() >= deadline) {
      return {Errc::timeout, std::string("the drive did not reach ") + cia402::to_string(goal) +
                                 " within " + std::to_string(timeout.count()) +
                                 " ms (status word " + hex16(state.status_word) + ", " +
                                 cia402::to_string(state.drive) + ")"};
    }
    std::this_thread::sleep_for(kWalkPollInterval);
    if (Status s = driver.read(state); !s) return s;
  }
}

// A walk toward enabled that did not get there leaves the drive disabled (best effort: the link may
// be what failed). A drive found in fault was not touched.
Status walk_and_settle(Driver& driver, DeviceState& state, Goal goal, std::optional<double> target,
                       std::chrono::milliseconds timeout) {
  const Status status = walk(driver, state, goal, target, timeout);
  if (!status && goal == Goal::enabled && status.code() != Errc::state) {
    (void)driver.write(AxisCommand{target.value_or(state.actual), Goal::disabled});
  }
  return status;
}

}  // namespace

Status walk_to(Driver& driver, DeviceState& state, Goal goal, double target,
               std::chrono::milliseconds timeout) {
  if (!std::isfinite(target)) return {Errc::invalid_argument, "target is not finite"};
  return walk_and_settle(driver, state, goal, target, timeout);
}

Status walk_to(Driver& driver, DeviceState& state, Goal goal, std::chrono::milliseconds timeout) {
  return walk_and_settle(driver, state, goal, std::nullopt, timeout);
}

}  // namespace traction
