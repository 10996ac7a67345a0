// SPDX-License-Identifier: Apache-2.0
#include "web/login_sessions.hpp"

#include <sys/random.h>

#include <array>
#include <stdexcept>

namespace traction::web {

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string LoginSessions::create(Login login, Clock::time_point now) {
  expire(now);
  std::string token = random_token();
  logins_[token] = Entry{std::move(login), now};
  return token;
}

std::optional<Login> LoginSessions::find(std::string_view token, Clock::time_point now) {
  expire(now);
  const auto it = logins_.find(token);
  if (token.empty() || it == logins_.end()) return std::nullopt;
  it->second.last_used = now;
  return it->second.login;
}

void LoginSessions::remove(std::string_view token) {
  if (const auto it = logins_.find(token); it != logins_.end()) logins_.erase(it);
}

void LoginSessions::expire(Clock::time_point now) {
  for (auto it = logins_.begin(); it != logins_.end();) {
    it = now - it->second.last_used >= idle_ ? logins_.erase(it) : std::next(it);
  }
}

std::string cookie_value(std::string_view header, std::string_view name) {
  std::size_t from = 0;
  while (from < header.size()) {
    std::size_t end = header.find(';', from);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(from, end - from);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    from = end + 1;
  }
  return "";
}

}  // namespace traction::web
