// SPDX-License-Identifier: Apache-2.0
#include "web/web_config.hpp"

#include <filesystem>

#include "core/config_reader.hpp"

namespace traction::web {
namespace {

const std::vector<std::string> kRoles{"none", "observer", "operator", "admin"};

std::string default_panel_dir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // <prefix>/sbin/tractiond-web → <prefix>/share/tractiond/web
    const fs::path installed = exe.parent_path().parent_path() / "share" / "tractiond" / "web";
    if (fs::exists(installed / "index.html", ec)) return installed.string();
  }
  return std::string(TRACTION_SOURCE_DIR) + "/web/panel";
}

void read_limits(ObjectReader& in, WebLimits& limits) {
  limits.max_browsers = static_cast<std::size_t>(in.integer_or("max_browsers", 16, 1, 256));
  limits.max_message_bytes =
      static_cast<std::size_t>(in.integer_or("max_message_bytes", 65536, 1024, 65536));
  limits.messages_per_second = in.number_or("messages_per_second", 20, 1, 1000);
  limits.message_burst = in.number_or("message_burst", 40, 1, 10000);
  limits.login_attempts_per_minute = in.number_or("login_attempts_per_minute", 10, 1, 600);
  limits.login_idle_hours = in.number_or("login_idle_hours", 12, 0.01, 24 * 30);
  in.finish();
}

}  // namespace

Result<WebConfig> load_web_config(const std::string& file) {
  return parse_config<WebConfig>([&] {
    const nlohmann::json root = load_json_file(file);
    ObjectReader in(root, file);
    WebConfig config;
    config.listen = in.string_or("listen", config.listen);
    config.socket_path = in.string_or("socket", config.socket_path);
    config.kiosk_role =
        in.choice_or("kiosk_role", "", {"", "none", "observer", "operator", "admin"});
    config.users_file = in.string_or("users_file", "");
    if (auto tls = in.optional_object("tls")) {
      config.tls_certificate = tls->string("certificate");
      config.tls_key = tls->string("key");
      tls->finish();
    }
    config.server_names = in.string_list_or("server_names");
    config.allowed_origins = in.string_list_or("allowed_origins");
    config.panel_dir = in.string_or("panel_dir", "");
    config.chart_js = in.string_or("chart_js", config.chart_js);
    if (auto limits = in.optional_object("limits")) read_limits(*limits, config.limits);
    in.finish();
    return config;
  });
}

Status finish_web_config(WebConfig& config) {
  auto address = parse_listen_address(config.listen);
  if (!address) return address.status();
  config.address = *address;
  const bool loopback = is_loopback(config.address);
  if (!config.kiosk_role.empty()) {
    if (std::find(kRoles.begin(), kRoles.end(), config.kiosk_role) == kRoles.end()) {
      return Status(Errc::config, "kiosk role \"" + config.kiosk_role +
                                      "\" must be none, observer, operator or admin");
    }
    if (!loopback) {
      return Status(Errc::config,
                    "--kiosk grants a role without a login: it is allowed only on a "
                    "loopback address (127.0.0.1, ::1), not " +
                        config.listen);
    }
  }
  if (!loopback && config.users_file.empty()) {
    return Status(Errc::config, "listening on " + config.listen +
                                    " (not loopback) needs a users file (users_file): every "
                                    "page must log in");
  }
  if (config.tls_certificate.empty() != config.tls_key.empty()) {
    return Status(Errc::config, "tls needs both certificate and key");
  }
  if (config.panel_dir.empty()) config.panel_dir = default_panel_dir();
  return Status::success();
}

std::optional<std::string> anonymous_role(const WebConfig& config) {
  if (!config.kiosk_role.empty()) return config.kiosk_role;
  if (config.users_file.empty() && is_loopback(config.address)) return std::string("observer");
  return std::nullopt;
}

}  // namespace traction::web
