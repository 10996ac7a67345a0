// SPDX-License-Identifier: Apache-2.0
// The id of the session in progress, for log records (the journal's TRACTION_SESSION= field). The
// control thread sets it after each cycle; any logging thread reads it. It is cleared one cycle
// after a session ends, so the session_ended line still carries it.
#pragma once

#include <mutex>
#include <string>

#include "daemon/cycle_observer.hpp"

namespace traction {

class SessionLogTag final : public CycleObserver {
 public:
  void on_cycle(const StatusSnapshot& snapshot, const std::vector<Event>& events) override;
  // "" outside a session.
  std::string session_id() const;

 private:
  mutable std::mutex mutex_;
  std::string session_id_;
};

}  // namespace traction
