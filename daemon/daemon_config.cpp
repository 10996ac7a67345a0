// SPDX-License-Identifier: Apache-2.0
#include "daemon/daemon_config.hpp"

#include <filesystem>

#include "drivers/modbus/device_uri.hpp"

namespace traction {
namespace {

std::string resolve(const std::string& base_file, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (std::filesystem::absolute(base_file).parent_path() / p).lexically_normal().string();
}

}  // namespace

Result<DaemonConfig> load_daemon_config(const std::string& file, const ConfigOverrides& overrides) {
  return parse_config<DaemonConfig>([&] {
    const nlohmann::json json = load_json_file(file);
    ObjectReader root(json, file);
    DaemonConfig c;
    c.source = file;

    ObjectReader device = root.object("device");
    c.device_file_name = std::filesystem::path(device.string("file")).lexically_normal().string();
    c.device_file = resolve(file, c.device_file_name);
    c.device_uri = device.string_or("uri", "");
    device.finish();
    auto loaded = load_device_file(c.device_file);
    if (!loaded) throw ConfigError(loaded.status().message());
    c.device = std::move(*loaded);

    if (auto control = root.optional_object("control")) {
      c.rate_hz = control->number_or("rate_hz", 100.0, 10.0, 1000.0);
      c.realtime_priority = static_cast<int>(control->integer_or("realtime_priority", 0, 0, 99));
      control->finish();
    }
    if (auto programs = root.optional_object("programs")) {
      for (const auto& dir : programs->string_list_or("dirs")) {
        c.program_dirs.push_back(resolve(file, dir));
        c.program_dir_names.push_back(std::filesystem::path(dir).lexically_normal().string());
      }
      programs->finish();
    }
    if (auto commissioning = root.optional_object("commissioning")) {
      c.require_selftest_days = commissioning->number_or("require_selftest_days", 0.0, 0.0, 3650.0);
      commissioning->finish();
    }
    if (const auto* site = root.optional_raw("site_limits")) c.site_limits = *site;
    if (const auto* profiles = root.optional_raw("profiles")) c.profiles = *profiles;
    if (auto server = root.optional_object("server")) c.server = parse_server_config(*server);
    c.state_dir = root.string_or("state_dir", c.state_dir);
    root.finish();

    if (!overrides.device_uri.empty()) c.device_uri = overrides.device_uri;
    if (!overrides.socket_path.empty()) c.server.socket_path = overrides.socket_path;
    if (!overrides.state_dir.empty()) c.state_dir = overrides.state_dir;
    if (c.device_uri.empty()) {
      throw ConfigError(file + ": at /device/uri: is required (or pass --device-uri)");
    }
    auto uri = parse_device_uri(c.device_uri);
    if (!uri) throw ConfigError(file + ": at /device/uri: " + uri.status().message());
    return c;
  });
}

}  // namespace traction
