// SPDX-License-Identifier: Apache-2.0
// Logged-in browsers: a random token in an HttpOnly cookie names a login (user and role). Tokens
// live in memory only: restarting tractiond-web logs everyone out. Time is a parameter.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace traction::web {

struct Login {
  std::string user;
  std::string role;  // none, observer, operator or admin: what the daemon connection is lowered to
};

class LoginSessions {
 public:
  using Clock = std::chrono::steady_clock;

  // A login ends after `idle` without a request that presented its token.
  explicit LoginSessions(Clock::duration idle) : idle_(idle) {}

  // A new login; returns its token (64 hex digits from the system's random source).
  std::string create(Login login, Clock::time_point now);
  // The login of `token` when it exists and has not expired; refreshes its idle time.
  std::optional<Login> find(std::string_view token, Clock::time_point now);
  void remove(std::string_view token);
  std::size_t size() const { return logins_.size(); }

 private:
  struct Entry {
    Login login;
    Clock::time_point last_used;
  };
  void expire(Clock::time_point now);

  Clock::duration idle_;
  std::map<std::string, Entry, std::less<>> logins_;
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"); "" when absent.
std::string cookie_value(std::string_view header, std::string_view name);

// 32 bytes from getrandom(2), as 64 hex digits.
std::string random_token();

}  // namespace traction::web
