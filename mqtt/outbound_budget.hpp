// SPDX-License-Identifier: Apache-2.0
// The bridge's bounded outgoing queue: messages handed to the MQTT library that the broker has not
// acknowledged yet (the bridge publishes with QoS 1). Telemetry beyond the limit, or while the
// broker is away, is dropped and counted; control messages (replies, availability, discovery)
// always go while connected. A stalled broker costs dropped telemetry, never a wait. One thread
// only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>

namespace traction::mqtt {

enum class Priority { control, telemetry };

class OutboundBudget {
 public:
  explicit OutboundBudget(std::size_t limit) : limit_(limit) {}

  // Whether a message may be handed over now; a refused one is counted as dropped.
  bool admit(Priority priority);
  // The library took message `mid`; done(mid) when it went out.
  void sent(int mid) { in_flight_.insert(mid); }
  void done(int mid) { in_flight_.erase(mid); }
  void connected() { connected_ = true; }
  // The connection is gone: what was in flight is the library's to resend or forget.
  void disconnected() {
    connected_ = false;
    in_flight_.clear();
  }

  bool is_connected() const { return connected_; }
  std::size_t in_flight() const { return in_flight_.size(); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  std::size_t limit_;
  bool connected_ = false;
  std::set<int> in_flight_;
  std::uint64_t dropped_ = 0;
};

}  // namespace traction::mqtt
