// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/config_reloader.hpp"

#include <spdlog/spdlog.h>

#include "daemon/service/catalog_loader.hpp"

namespace traction {

ConfigReloader::ConfigReloader(std::string file, ConfigOverrides overrides, DaemonConfig running,
                               CatalogService& catalog, const ServiceNotifier& notifier)
    : file_(std::move(file)),
      overrides_(std::move(overrides)),
      running_(std::move(running)),
      catalog_(catalog),
      notifier_(notifier) {}

bool ConfigReloader::reload() {
  notifier_.reloading("reloading programs and profiles from " + file_);
  const bool applied = apply();
  notifier_.ready(applied ? "reloaded programs and profiles from " + file_
                          : "reload refused; still serving the previous programs and profiles");
  return applied;
}

bool ConfigReloader::apply() {
  spdlog::info("SIGHUP: reloading programs and profiles from {}", file_);
  auto fresh = load_daemon_config(file_, overrides_);
  if (!fresh) {
    spdlog::error("reload refused, the previous programs and profiles stay in use: {}",
                  fresh.status().message());
    return false;
  }
  auto reloaded = reload_catalog(running_, *fresh);
  if (!reloaded) {
    spdlog::error("reload refused, the previous programs and profiles stay in use: {}",
                  reloaded.status().message());
    return false;
  }
  for (const std::string& path : reloaded->ignored) {
    spdlog::warn("reload: the change at {} needs a restart; the running value stays", path);
  }
  if (Status st = catalog_.replace(reloaded->catalog); !st) {
    spdlog::error("reload refused: {}", st.message());
    return false;
  }
  spdlog::info("reload: {} programs and {} profiles in use; a running session keeps its plan",
               reloaded->catalog->program_list().size(), reloaded->catalog->profile_list().size());
  return true;
}

}  // namespace traction
