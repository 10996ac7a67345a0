// SPDX-License-Identifier: Apache-2.0
// The topics of one device: <prefix>/<device id>/{state, live, event, session, availability,
// remote_start, command, reply} (docs/mqtt.md "Topics").
#pragma once

#include <string>

namespace traction::mqtt {

struct Topics {
  Topics(const std::string& prefix, const std::string& device_id);

  std::string base;          // <prefix>/<device id>
  std::string state;         // retained JSON: state, axis value and unit, session, last session
  std::string live;          // the axis value at live_rate_hz
  std::string event;         // each daemon event
  std::string session;       // retained summary of the last finished session
  std::string availability;  // retained "online" / "offline" (the last will)
  std::string remote_start;  // retained "granted" / "not_granted" (start buttons' availability)
  std::string command;       // subscribed: {"id", "method", "params"}
  std::string reply;         // the answers to commands
};

// The device id in "<prefix>/<id>/<leaf>", or "" when `topic` has another shape.
std::string device_of(const std::string& topic, const std::string& prefix);

}  // namespace traction::mqtt
