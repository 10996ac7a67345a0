// SPDX-License-Identifier: Apache-2.0
// Builds the catalog (programs, profiles, limits) from the daemon config, at start and on SIGHUP.
// A reload takes the programs and profiles of the re-read config but keeps the running device and
// site limits: the control loop's idle limits were made from those, and a changed device, endpoint,
// socket or rate needs a restart. Changes that a reload cannot apply are listed, not applied.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "daemon/daemon_config.hpp"
#include "daemon/engine/catalog.hpp"

namespace traction {

Result<std::shared_ptr<const Catalog>> load_catalog(const DaemonConfig& config);

struct CatalogReload {
  std::shared_ptr<const Catalog> catalog;
  std::vector<std::string> ignored;  // e.g. "/device (needs a restart)"
};

// `running` is the config the daemon started with; `fresh` the file as it reads now.
Result<CatalogReload> reload_catalog(const DaemonConfig& running, const DaemonConfig& fresh);

}  // namespace traction
