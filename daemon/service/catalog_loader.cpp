// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/catalog_loader.hpp"

#include <filesystem>

namespace traction {
namespace {

// The config file as users read it: relative to its own directory, its name.
std::string config_name(const DaemonConfig& config) {
  return std::filesystem::path(config.source).filename().string();
}

CatalogConfig catalog_config(const DaemonConfig& device_and_site, const DaemonConfig& programs) {
  CatalogConfig cc;
  cc.kind = device_and_site.device.kind;
  cc.device_limits = device_and_site.device.limits;
  cc.device_source = device_and_site.device_file_name;
  cc.site_limits = device_and_site.site_limits;
  cc.site_source = config_name(device_and_site);
  cc.profiles = programs.profiles;
  cc.profiles_source = config_name(programs);
  cc.program_dirs = programs.program_dirs;
  cc.program_dir_names = programs.program_dir_names;
  return cc;
}

bool same_server(const ServerConfig& a, const ServerConfig& b) {
  return a.socket_path == b.socket_path && a.socket_mode == b.socket_mode &&
         a.socket_group == b.socket_group && a.max_connections == b.max_connections &&
         a.max_line_bytes == b.max_line_bytes && a.max_queued_bytes == b.max_queued_bytes &&
         a.idle_timeout_seconds == b.idle_timeout_seconds &&
         a.max_pending_commands == b.max_pending_commands && a.user_roles == b.user_roles &&
         a.group_roles == b.group_roles && a.default_role == b.default_role;
}

}  // namespace

Result<std::shared_ptr<const Catalog>> load_catalog(const DaemonConfig& config) {
  return Catalog::load(catalog_config(config, config));
}

Result<CatalogReload> reload_catalog(const DaemonConfig& running, const DaemonConfig& fresh) {
  CatalogReload out;
  if (fresh.device_file != running.device_file || fresh.device_uri != running.device_uri ||
      fresh.device.limits != running.device.limits) {
    out.ignored.emplace_back("/device");
  }
  if (fresh.site_limits != running.site_limits) out.ignored.emplace_back("/site_limits");
  if (fresh.rate_hz != running.rate_hz || fresh.realtime_priority != running.realtime_priority) {
    out.ignored.emplace_back("/control");
  }
  if (!same_server(fresh.server, running.server)) out.ignored.emplace_back("/server");
  if (fresh.state_dir != running.state_dir) out.ignored.emplace_back("/state_dir");
  auto catalog = Catalog::load(catalog_config(running, fresh));
  if (!catalog) return catalog.status();
  out.catalog = std::move(*catalog);
  return out;
}

}  // namespace traction
