// SPDX-License-Identifier: Apache-2.0
// tractionctl remote-start (allow, revoke, status) and tractionctl fleet (docs/mqtt.md).
#pragma once

#include <string>

#include "cli/commands.hpp"

namespace traction::ctl {

struct FleetOptions {
  std::string broker;       // mqtt://HOST:PORT or mqtts://HOST:PORT
  std::string config_file;  // a tractiond-mqtt config: credentials, TLS files, topic prefix
  double wait_seconds = 3;  // the deadline for the retained messages
};

// remote_start.allow {minutes}: on this local connection, with the operator role.
int remote_start_allow(const Options& options, double minutes);
int remote_start_revoke(const Options& options);
// The remote_start object of status.get.
int remote_start_status(const Options& options);
// Every device seen on the broker with its availability, state and last session.
int fleet(const Options& options, const FleetOptions& fleet);

}  // namespace traction::ctl
