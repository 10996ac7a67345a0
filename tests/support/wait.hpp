// SPDX-License-Identifier: Apache-2.0
// The one polling wait of the tests: a condition checked until it holds or a deadline passes.
// Tests wait on conditions with deadlines, never on bare sleeps.
#pragma once

#include <chrono>
#include <thread>

namespace traction::testing {

// Polls `condition` every `poll` until it holds or `timeout` passes; returns whether it held (the
// condition is checked once more at the deadline, so a slow machine never loses the last chance).
template <class Condition>
bool wait_until(Condition&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(5),
                std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(poll);
  }
  return condition();
}

}  // namespace traction::testing
