// SPDX-License-Identifier: Apache-2.0
// SIGHUP: re-reads the config file and gives the catalog service a new catalog of programs and
// profiles. A running session keeps its already-validated plan. A config that does not load is
// refused: the error is logged and the old catalog stays. What a reload cannot change (device,
// endpoint, site limits, socket, rate, state directory) is logged as needing a restart.
#pragma once

#include <string>

#include "daemon/catalog_service.hpp"
#include "daemon/daemon_config.hpp"
#include "daemon/service/service_notifier.hpp"

namespace traction {

class ConfigReloader {
 public:
  // `catalog` and `notifier` must outlive the reloader.
  ConfigReloader(std::string file, ConfigOverrides overrides, DaemonConfig running,
                 CatalogService& catalog, const ServiceNotifier& notifier);

  // Returns true when the new catalog is in use.
  bool reload();

 private:
  bool apply();

  const std::string file_;
  const ConfigOverrides overrides_;
  const DaemonConfig running_;
  CatalogService& catalog_;
  const ServiceNotifier& notifier_;
};

}  // namespace traction
