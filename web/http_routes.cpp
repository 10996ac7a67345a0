// SPDX-License-Identifier: Apache-2.0
#include "web/http_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "web/request_guard.hpp"

namespace traction::web {
namespace {

constexpr const char* kCookie = "tractiond_session";
constexpr const char* kPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

std::string header(const HttpRequest& request, http::field field) {
  const auto it = request.find(field);
  return it == request.end() ? std::string() : std::string(it->value());
}

std::string session_cookie(const std::string& token, bool tls, bool expire) {
  return std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
         (tls ? "; Secure" : "") + (expire ? "; Max-Age=0" : "");
}

}  // namespace

HttpResponse make_response(const HttpRequest& request, http::status status, std::string body,
                           const std::string& content_type, bool tls) {
  HttpResponse response{status, request.version()};
  response.set(http::field::server, "tractiond-web");
  response.set(http::field::content_type, content_type);
  response.set("Content-Security-Policy", kPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  if (tls) response.set("Strict-Transport-Security", "max-age=31536000");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpResponse json_response(const HttpRequest& request, http::status status,
                           const nlohmann::json& body, bool tls) {
  HttpResponse response = make_response(
      request, status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      "application/json", tls);
  response.set(http::field::cache_control, "no-store");
  return response;
}

std::optional<HttpResponse> PanelRoutes::guard(const HttpRequest& request, bool changes_state) {
  const bool tls = context_.config.tls();
  if (!host_allowed(header(request, http::field::host), context_.config.server_names)) {
    return json_response(request, http::status::misdirected_request,
                         {{"error", "unknown host name: add it to server_names"}}, tls);
  }
  if (changes_state &&
      !origin_allowed(header(request, http::field::origin), header(request, http::field::host), tls,
                      context_.config.allowed_origins)) {
    return json_response(request, http::status::forbidden,
                         {{"error", "this request must come from the panel's own page"}}, tls);
  }
  return std::nullopt;
}

std::optional<Identity> PanelRoutes::identify(const HttpRequest& request,
                                              const std::string& remote) {
  const std::string token = cookie_value(header(request, http::field::cookie), kCookie);
  if (!token.empty()) {
    if (auto login = context_.logins.find(token, LoginSessions::Clock::now())) {
      return Identity{login->user, login->role, remote, true, false};
    }
  }
  if (auto role = anonymous_role(context_.config)) {
    const bool kiosk = !context_.config.kiosk_role.empty();
    return Identity{kiosk ? "kiosk" : "local", *role, remote, false, kiosk};
  }
  return std::nullopt;
}

void PanelRoutes::handle(const HttpRequest& request, const std::string& remote,
                         std::function<void(HttpResponse)> reply) {
  const std::string target(request.target());
  const bool post = request.method() == http::verb::post;
  if (!post && request.method() != http::verb::get && request.method() != http::verb::head) {
    return reply(json_response(request, http::status::method_not_allowed,
                               {{"error", "only GET and POST"}}, context_.config.tls()));
  }
  if (auto refusal = guard(request, post)) return reply(std::move(*refusal));
  if (post && target == "/api/login") return login(request, remote, std::move(reply));
  if (post && target == "/api/logout") return reply(logout(request));
  if (post && target == "/api/estop") return estop(request, remote, std::move(reply));
  if (!post && target == "/api/session") return reply(session_info(request, remote));
  if (!post) return reply(asset(request));
  reply(json_response(request, http::status::not_found, {{"error", "no such request"}},
                      context_.config.tls()));
}

HttpResponse PanelRoutes::asset(const HttpRequest& request) {
  const std::string target(request.target());
  std::string_view path = target;
  path = path.substr(0, path.find('?'));
  const Asset* found = context_.assets.find(path);
  if (found == nullptr) {
    return make_response(request, http::status::not_found, "not found\n",
                         "text/plain; charset=utf-8", context_.config.tls());
  }
  if (header(request, http::field::if_none_match) == found->etag) {
    HttpResponse response = make_response(request, http::status::not_modified, "",
                                          found->content_type, context_.config.tls());
    response.set(http::field::etag, found->etag);
    return response;
  }
  HttpResponse response = make_response(request, http::status::ok,
                                        request.method() == http::verb::head ? "" : found->body,
                                        found->content_type, context_.config.tls());
  response.set(http::field::etag, found->etag);
  response.set(http::field::cache_control, "no-cache");
  return response;
}

HttpResponse PanelRoutes::session_info(const HttpRequest& request, const std::string& remote) {
  const auto who = identify(request, remote);
  nlohmann::json body = {{"login_required", !who.has_value()},
                         {"logins", !context_.users.empty()},
                         {"tls", context_.config.tls()}};
  if (who) {
    body["user"] = who->user;
    body["role"] = who->role;
    body["login"] = who->login;
    body["kiosk"] = who->kiosk;
  }
  return json_response(request, http::status::ok, body, context_.config.tls());
}

void PanelRoutes::login(const HttpRequest& request, const std::string& remote,
                        std::function<void(HttpResponse)> reply) {
  const bool tls = context_.config.tls();
  if (context_.users.empty()) {
    return reply(json_response(request, http::status::not_found,
                               {{"error", "this panel has no users file: no logins"}}, tls));
  }
  if (!context_.login_attempt_allowed(remote)) {
    spdlog::warn("login attempts from {} over the limit", remote);
    return reply(json_response(request, http::status::too_many_requests,
                               {{"error", "too many login attempts; wait a minute"}}, tls));
  }
  const nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, false);
  if (!body.is_object() || !body.value("user", nlohmann::json()).is_string() ||
      !body.value("password", nlohmann::json()).is_string()) {
    return reply(json_response(request, http::status::bad_request,
                               {{"error", "expected {\"user\": ..., \"password\": ...}"}}, tls));
  }
  // The hash check takes tens of milliseconds: on the worker, never on the I/O thread where it
  // would delay other pages' STOPs.
  boost::asio::post(context_.password_worker, [this, request, remote, body, reply, tls] {
    const std::string user = body["user"].get<std::string>();
    auto found = check_login(context_.users, user, body["password"].get<std::string>());
    boost::asio::post(context_.io, [this, request, remote, user, found, reply, tls] {
      if (!found) {
        spdlog::warn("login refused for \"{}\" from {}", user, remote);
        return reply(json_response(request, http::status::unauthorized,
                                   {{"error", "Wrong user name or password."}}, tls));
      }
      spdlog::info("login: {} ({}) from {}", found->name, found->role, remote);
      const std::string token =
          context_.logins.create(Login{found->name, found->role}, LoginSessions::Clock::now());
      HttpResponse response = json_response(request, http::status::ok,
                                            {{"user", found->name}, {"role", found->role}}, tls);
      response.set(http::field::set_cookie, session_cookie(token, tls, false));
      reply(std::move(response));
    });
  });
}

HttpResponse PanelRoutes::logout(const HttpRequest& request) {
  const std::string token = cookie_value(header(request, http::field::cookie), kCookie);
  context_.logins.remove(token);
  HttpResponse response =
      json_response(request, http::status::ok, {{"logged_out", true}}, context_.config.tls());
  response.set(http::field::set_cookie, session_cookie("", context_.config.tls(), true));
  return response;
}

void PanelRoutes::estop(const HttpRequest& request, const std::string& remote,
                        std::function<void(HttpResponse)> reply) {
  const auto who = identify(request, remote);
  if (!who) {
    return reply(json_response(request, http::status::unauthorized, {{"error", "log in first"}},
                               context_.config.tls()));
  }
  context_.estop->estop(who->describe() + " over HTTP",
                        [request, reply, tls = context_.config.tls()](const nlohmann::json& r) {
                          reply(json_response(request, http::status::ok, r, tls));
                        });
}

PanelRoutes::Upgrade PanelRoutes::check_upgrade(const HttpRequest& request,
                                                const std::string& remote) {
  Upgrade out;
  const std::string target(request.target());
  if (target != "/ws" && target != "/ws/stop") {
    out.refusal = json_response(request, http::status::not_found, {{"error", "no such socket"}},
                                context_.config.tls());
    return out;
  }
  out.kind = target == "/ws" ? SocketKind::relay : SocketKind::stop;
  if (auto refusal = guard(request, true)) {
    spdlog::warn("WebSocket from {} refused: Origin \"{}\", Host \"{}\"", remote,
                 header(request, http::field::origin), header(request, http::field::host));
    out.refusal = std::move(refusal);
    return out;
  }
  auto who = identify(request, remote);
  if (!who) {
    out.refusal = json_response(request, http::status::unauthorized, {{"error", "log in first"}},
                                context_.config.tls());
    return out;
  }
  if (out.kind == SocketKind::relay && *context_.browsers >= context_.config.limits.max_browsers) {
    out.refusal =
        json_response(request, http::status::service_unavailable,
                      {{"error", "too many pages are connected (" +
                                     std::to_string(context_.config.limits.max_browsers) + ")"}},
                      context_.config.tls());
    return out;
  }
  out.who = std::move(*who);
  return out;
}

}  // namespace traction::web
