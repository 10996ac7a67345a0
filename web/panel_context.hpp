// SPDX-License-Identifier: Apache-2.0
// What every HTTP request and every page connection of tractiond-web shares: the configuration,
// the panel's files, the users and their logins, the estop path, and the interfaces between a
// WebSocket and what relays its messages. Everything here lives on the I/O thread; password
// checks run on `password_worker` and post their answer back.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "web/estop_service.hpp"
#include "web/login_sessions.hpp"
#include "web/static_assets.hpp"
#include "web/token_bucket.hpp"
#include "web/users_file.hpp"
#include "web/web_config.hpp"

namespace traction::web {

// Who is behind a page: a logged-in user, the kiosk, or an anonymous loopback observer.
struct Identity {
  std::string user;    // the users file's name, "kiosk" or "local"
  std::string role;    // what the page's daemon connection is lowered to
  std::string remote;  // the browser's address, for the log
  bool login = false;  // from a login (can log out)
  bool kiosk = false;  // the kiosk role of a screen on this machine
  std::string describe() const { return user + "@" + remote + " (" + role + ")"; }
};

// The WebSocket side of a page, as seen by what relays its messages.
class PageSink {
 public:
  virtual ~PageSink() = default;
  // Queues one text message; a page that stops reading is closed (bounded queue).
  virtual void send_text(std::string text) = 0;
  // Closes the WebSocket with `why` as the close reason (cut to 120 bytes).
  virtual void close_page(const std::string& why) = 0;
};

// What a page's WebSocket messages go to: the relay to the daemon (/ws) or the STOP path
// (/ws/stop).
class PageHandler {
 public:
  virtual ~PageHandler() = default;
  virtual void on_open(std::weak_ptr<PageSink> sink) = 0;
  virtual void on_message(std::string_view text) = 0;
  virtual void on_close() = 0;
};

struct PanelContext {
  PanelContext(asio::io_context& io_context, WebConfig web_config, StaticAssets panel_assets,
               std::vector<WebUser> web_users)
      : io(io_context),
        config(std::move(web_config)),
        assets(std::move(panel_assets)),
        users(std::move(web_users)),
        logins(std::chrono::duration_cast<LoginSessions::Clock::duration>(
            std::chrono::duration<double>(config.limits.login_idle_hours * 3600))),
        password_worker(1),
        estop(EstopService::create(io_context, config.socket_path)) {}

  // A login attempt from `remote` within the rate limit (per address).
  bool login_attempt_allowed(const std::string& remote) {
    if (login_buckets.size() > 4096) login_buckets.clear();  // bounded: forget old addresses
    auto it = login_buckets.find(remote);
    if (it == login_buckets.end()) {
      it = login_buckets
               .emplace(remote, TokenBucket(config.limits.login_attempts_per_minute / 60.0, 5))
               .first;
    }
    return it->second.take(TokenBucket::Clock::now());
  }

  asio::io_context& io;
  const WebConfig config;
  const StaticAssets assets;
  const std::vector<WebUser> users;
  LoginSessions logins;
  asio::thread_pool password_worker;
  std::shared_ptr<EstopService> estop;
  std::map<std::string, TokenBucket> login_buckets;
  // /ws pages connected now. Shared: a relay destroyed with the I/O context's handlers may outlive
  // this context.
  std::shared_ptr<std::size_t> browsers = std::make_shared<std::size_t>(0);
};

}  // namespace traction::web
