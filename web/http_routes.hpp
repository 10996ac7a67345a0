// SPDX-License-Identifier: Apache-2.0
// What tractiond-web answers over HTTP, apart from the sockets' I/O: the panel's files, the login
// API, the HTTP fallback of STOP, and the checks before a WebSocket upgrade. Every request passes
// the Host check; every state-changing one the Origin check (web/request_guard.hpp).
//
//   GET  /, /panel.css, /js/*.js, /lib/chart.min.js   the panel (fixed list, from memory)
//   GET  /api/session   who this browser is: {user, role, login_required, logins, kiosk, tls}
//   POST /api/login     {"user", "password"} → a session cookie; rate-limited per address
//   POST /api/logout
//   POST /api/estop     device.estop through the estop path (when the page's sockets are down)
//   GET  /ws            upgrade: the page's relay to the daemon (JSON-RPC)
//   GET  /ws/stop       upgrade: the page's STOP socket (device.estop only)
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <optional>
#include <string>

#include "web/panel_context.hpp"

namespace traction::web {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

enum class SocketKind { relay, stop };

class PanelRoutes {
 public:
  explicit PanelRoutes(PanelContext& context) : context_(context) {}

  // Answers a request that is not a WebSocket upgrade; `reply` is called once, maybe later (a
  // login is checked off the I/O thread).
  void handle(const HttpRequest& request, const std::string& remote,
              std::function<void(HttpResponse)> reply);

  // For a WebSocket upgrade of `request`: which socket, and who; or the refusal to send instead.
  struct Upgrade {
    std::optional<HttpResponse> refusal;
    SocketKind kind = SocketKind::relay;
    Identity who;
  };
  Upgrade check_upgrade(const HttpRequest& request, const std::string& remote);

 private:
  std::optional<Identity> identify(const HttpRequest& request, const std::string& remote);
  HttpResponse session_info(const HttpRequest& request, const std::string& remote);
  void login(const HttpRequest& request, const std::string& remote,
             std::function<void(HttpResponse)> reply);
  HttpResponse logout(const HttpRequest& request);
  void estop(const HttpRequest& request, const std::string& remote,
             std::function<void(HttpResponse)> reply);
  HttpResponse asset(const HttpRequest& request);
  // Host and (for state-changing requests) Origin; the refusal when they fail.
  std::optional<HttpResponse> guard(const HttpRequest& request, bool changes_state);

  PanelContext& context_;
};

// A response with the panel's security headers (CSP, nosniff, frame and referrer policies).
HttpResponse make_response(const HttpRequest& request, http::status status, std::string body,
                           const std::string& content_type, bool tls);
HttpResponse json_response(const HttpRequest& request, http::status status,
                           const nlohmann::json& body, bool tls);

}  // namespace traction::web
