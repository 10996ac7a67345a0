// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/session_log_tag.hpp"

namespace traction {

void SessionLogTag::on_cycle(const StatusSnapshot& snapshot, const std::vector<Event>& events) {
  const std::string_view now = snapshot.session ? std::string_view(snapshot.session->id) : "";
  std::lock_guard lock(mutex_);
  if (now == session_id_) return;
  // The cycle that ends a session logs its session_ended event with the tag still set: keep it for
  // that cycle and clear it on the next.
  for (const Event& e : events) {
    if (e.kind == EventKind::session_ended && now.empty()) return;
  }
  session_id_.assign(now);
}

std::string SessionLogTag::session_id() const {
  std::lock_guard lock(mutex_);
  return session_id_;
}

}  // namespace traction
