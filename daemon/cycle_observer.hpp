// SPDX-License-Identifier: Apache-2.0
// A listener the control thread calls at the end of every cycle, after the snapshot and events are
// published: the session recorder (history) and the service watchdog hang here. A hung cycle (say,
// a Modbus call that never returns) calls nobody, which is what a watchdog wants.
#pragma once

#include <vector>

#include "daemon/control_api.hpp"

namespace traction {

class CycleObserver {
 public:
  virtual ~CycleObserver() = default;
  // Runs on the control thread: must not block, allocate without bound or touch the disk. Queue the
  // work for another thread and return.
  virtual void on_cycle(const StatusSnapshot& snapshot, const std::vector<Event>& events) = 0;
};

}  // namespace traction
