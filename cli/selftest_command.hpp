// SPDX-License-Identifier: Apache-2.0
// tractionctl selftest: runs the commissioning self-test and follows it step by step.
#pragma once

#include "cli/commands.hpp"

namespace traction::ctl {

struct SelfTestOptions {
  bool yes = false;                   // nobody is on the device: do not ask
  double stop_switch_seconds = 30.0;  // the time to press the patient stop switch
};

// Exit: 0 passed, 4 failed (each step and the summary printed), 1 refused by the daemon.
int selftest(const Options& options, const SelfTestOptions& selftest);

}  // namespace traction::ctl
