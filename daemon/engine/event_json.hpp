// SPDX-License-Identifier: Apache-2.0
// Events as JSON: the one place where the daemon's typed events become the `detail` objects that
// the socket's notifications carry and the history stores (docs/protocol.md "Events").
#pragma once

#include <nlohmann/json.hpp>

#include "daemon/control_api.hpp"

namespace traction {

// The kind's fields, e.g. {"from": "idle", "to": "starting", "reason": "..."} for state_changed.
nlohmann::json event_detail(const Event& event);

}  // namespace traction
