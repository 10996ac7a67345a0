// SPDX-License-Identifier: Apache-2.0
// tractiond-web's configuration: a JSON file (tractiond-web(8) explains every key; unknown keys are
// refused with a hint) and the command line, which overrides it. The security rules that depend
// on the address are checked here, once, before anything listens.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "web/listen_address.hpp"

namespace traction::web {

struct WebLimits {
  std::size_t max_browsers = 16;          // pages connected at once (each uses a daemon connection)
  std::size_t max_message_bytes = 65536;  // one page message (the daemon's line cap)
  double messages_per_second = 20;        // per page, with a burst of message_burst
  double message_burst = 40;
  double login_attempts_per_minute = 10;    // per remote address, with a burst of 5
  double login_idle_hours = 12;             // a login ends after this long without a request
  std::size_t max_queued_bytes = 32 << 20;  // replies and updates waiting for one page
};

struct WebConfig {
  std::string listen = "127.0.0.1:8480";
  std::string socket_path = "/run/tractiond/tractiond.sock";
  std::string kiosk_role;  // "" = none; else every page gets this role without a login (loopback)
  std::string users_file;  // "" = no logins
  std::string tls_certificate;  // PEM chain; with tls_key, the panel serves HTTPS only
  std::string tls_key;
  std::vector<std::string> server_names;     // host names the panel is reached by (besides IPs)
  std::vector<std::string> allowed_origins;  // extra page origins allowed to connect
  std::string panel_dir;  // "" = the installed panel, else the source tree's web/panel
  std::string chart_js = "/usr/share/javascript/chart.js/chart.min.js";
  WebLimits limits;

  ListenAddress address;  // parsed `listen` (filled by finish_web_config)
  bool tls() const { return !tls_certificate.empty(); }
};

// Reads the config file (strict). Errors name the file, the JSON path and the rule.
Result<WebConfig> load_web_config(const std::string& file);

// Parses `listen`, fills defaults and checks the rules: --kiosk only on a loopback address; any
// other address needs a users file; a certificate needs its key (and the reverse); roles are
// none, observer, operator or admin.
Status finish_web_config(WebConfig& config);

// What a page gets without logging in: the kiosk role, "observer" on loopback without a users
// file, nothing (a login is required) otherwise.
std::optional<std::string> anonymous_role(const WebConfig& config);

}  // namespace traction::web
