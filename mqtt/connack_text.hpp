// SPDX-License-Identifier: Apache-2.0
// Why a broker refused a connection, from its CONNACK return code (MQTT 3.1.1), in words a person
// can act on: a refused user name or password says so, and names the configuration keys.
#pragma once

#include <string>

namespace traction::mqtt {

// The refusal `rc` (1..5, or any other code) for a client that connected as `username` ("" =
// anonymous) with client id `client_id`.
std::string connack_refusal_text(int rc, const std::string& username, const std::string& client_id);

}  // namespace traction::mqtt
