// SPDX-License-Identifier: Apache-2.0
// tractiond's configuration file (docs/configuration.md). Paths inside it are relative to the file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "daemon/server/server_config.hpp"
#include "drivers/device_file.hpp"

namespace traction {

// Paths are opened resolved; users read them as the config wrote them (the *_name fields), so what
// the daemon reports (program sources, limit reasons) is the same wherever the files are.
struct DaemonConfig {
  std::string source;            // the config file, as given
  std::string device_file;       // absolute path of the device file
  std::string device_file_name;  // the device file as the config names it
  DeviceFile device;
  std::string device_uri;  // tcp://HOST:PORT?unit=N or rtu:///dev/ttyUSB0?baud=...
  double rate_hz = 100.0;
  int realtime_priority = 0;                   // control.realtime_priority: 0 off, 1..99 SCHED_FIFO
  std::vector<std::string> program_dirs;       // absolute
  std::vector<std::string> program_dir_names;  // as the config names them, one per program_dirs
  nlohmann::json site_limits = nlohmann::json::object();
  nlohmann::json profiles = nlohmann::json::array();
  ServerConfig server;
  std::string state_dir = "/var/lib/tractiond";
  // commissioning.require_selftest_days: session.start needs a passed self-test at most this many
  // days old (0: no such rule).
  double require_selftest_days = 0.0;
};

struct ConfigOverrides {
  std::string device_uri;
  std::string socket_path;
  std::string state_dir;
};

// Loads, validates and applies command-line overrides. Errc::config names file, path, value, rule.
Result<DaemonConfig> load_daemon_config(const std::string& file, const ConfigOverrides& overrides);

}  // namespace traction
