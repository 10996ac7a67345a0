// SPDX-License-Identifier: Apache-2.0
// Remote start, granted at the device (docs/mqtt.md "Remote start"): a person at the table allows
// a remote session.start for a few minutes (remote_start.allow on a local connection). The grant
// ends at its expiry, on remote_start.revoke, and on any event that says "stop" — a session that
// ended (however), an estop, a fault, the stop switch, a lost device — and on a gap in the events
// (some were lost: assume the worst). Pure: the caller passes the time and the events in.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/control_api.hpp"

namespace traction {

namespace reason {
// A remote connection's session.start while remote start is not granted at the device.
inline constexpr const char* kRemoteStartNotGranted = "remote_start_not_granted";
// A remote connection asked for what only a person at the device may do (remote_start.allow).
inline constexpr const char* kRemoteConnection = "remote_connection";
}  // namespace reason

class RemoteStartGrant {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  // Grants remote start from `now` for `duration`; `last_event_seq` is the daemon's newest event
  // now (later events are the ones that can revoke it). Replaces an earlier grant.
  void allow(SteadyTime now, WallTime wall_now, std::chrono::seconds duration,
             std::uint64_t last_event_seq);
  // Ends the grant (no-op when there is none); `why` is kept for status.get.
  void revoke(const std::string& why);
  // Looks at events newer than the grant (oldest first; older ones are ignored) and revokes the
  // grant on the first that ends it.
  void observe(const std::vector<Event>& events);
  // Whether a remote session.start is allowed at `now` (an expired grant is revoked here).
  bool granted(SteadyTime now);
  // The newest event seq looked at (events after it are wanted by observe()).
  std::uint64_t event_cursor() const { return cursor_; }
  bool active() const { return active_; }
  // status.get's "remote_start": {granted, until_utc, seconds_left, revoked_reason}.
  nlohmann::json to_json(SteadyTime now);

 private:
  bool active_ = false;
  SteadyTime until_{};
  WallTime until_wall_{};
  std::uint64_t cursor_ = 0;
  std::string ended_why_;  // why the last grant ended ("" before any)
};

// Whether `event` ends a grant (and why, human text); nullptr when it does not.
const char* grant_ending_reason(const Event& event);

}  // namespace traction
