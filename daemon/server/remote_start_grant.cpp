// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/remote_start_grant.hpp"

#include <algorithm>
#include <cmath>

#include "core/utc_time.hpp"

namespace traction {

const char* grant_ending_reason(const Event& event) {
  switch (event.kind) {
    case EventKind::session_ended:
      return "a session ended";
    case EventKind::estop:
      return "emergency stop";
    case EventKind::fault:
      return "fault";
    case EventKind::stop_switch:
      return "the stop switch";
    case EventKind::device_lost:
      return "the device was lost";
    default:
      return nullptr;
  }
}

void RemoteStartGrant::allow(SteadyTime now, WallTime wall_now, std::chrono::seconds duration,
                             std::uint64_t last_event_seq) {
  active_ = true;
  until_ = now + duration;
  until_wall_ = wall_now + duration;
  cursor_ = last_event_seq;
  ended_why_.clear();
}

void RemoteStartGrant::revoke(const std::string& why) {
  if (!active_) return;
  active_ = false;
  ended_why_ = why;
}

void RemoteStartGrant::observe(const std::vector<Event>& events) {
  for (const Event& event : events) {
    if (event.seq <= cursor_) continue;
    if (active_ && event.seq > cursor_ + 1) revoke("daemon events were missed");
    cursor_ = event.seq;
    if (const char* why = grant_ending_reason(event); active_ && why != nullptr) revoke(why);
  }
}

bool RemoteStartGrant::granted(SteadyTime now) {
  if (active_ && now >= until_) revoke("expired");
  return active_;
}

nlohmann::json RemoteStartGrant::to_json(SteadyTime now) {
  nlohmann::json out = {{"granted", granted(now)}};
  if (active_) {
    const auto left = std::chrono::duration<double>(until_ - now).count();
    out["until_utc"] = format_utc(until_wall_);
    out["seconds_left"] = std::max(0.0, std::ceil(left));
  } else {
    out["until_utc"] = nullptr;
    out["seconds_left"] = 0.0;
  }
  out["ended_reason"] = ended_why_.empty() ? nlohmann::json(nullptr) : nlohmann::json(ended_why_);
  return out;
}

}  // namespace traction
