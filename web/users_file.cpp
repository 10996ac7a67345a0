// SPDX-License-Identifier: Apache-2.0
#include "web/users_file.hpp"

#include <crypt.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

namespace traction::web {
namespace {

const std::array<const char*, 4> kRoles{"none", "observer", "operator", "admin"};

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.' || c == '@';
  });
}

// Why crypt_checksalt refuses `hash`, or "" when it is a current scheme.
std::string hash_problem(const std::string& hash) {
  switch (crypt_checksalt(hash.c_str())) {
    case CRYPT_SALT_OK:
      return "";
    case CRYPT_SALT_METHOD_LEGACY:
      return "the password hash uses a legacy scheme (make a new one with tractiond-web "
             "--hash-password)";
    case CRYPT_SALT_METHOD_DISABLED:
    case CRYPT_SALT_TOO_CHEAP:
      return "the password hash's scheme is disabled or too cheap";
    default:
      return "the password hash is not a crypt(5) string (e.g. $y$... from tractiond-web "
             "--hash-password)";
  }
}

// crypt_r of `password` with `setting`; "" when it fails. The work area is large: on the heap.
std::string crypt_with(std::string_view password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const std::string phrase(password);
  const char* out = crypt_r(phrase.c_str(), setting.c_str(), data.get());
  if (out == nullptr || out[0] == '*') return "";
  return out;
}

bool same_text(const std::string& a, const std::string& b) {
  // Constant time for equal lengths; lengths of crypt strings of one setting are equal anyway.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Result<std::vector<WebUser>> parse_users(std::string_view text, const std::string& source) {
  std::vector<WebUser> users;
  std::set<std::string> seen;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto fail = [&](const std::string& why) {
      return Result<std::vector<WebUser>>(Errc::config,
                                          source + " line " + std::to_string(number) + ": " + why);
    };
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const std::size_t a = line.find(':');
    const std::size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos || line.find(':', b + 1) != std::string::npos) {
      return fail("expected name:hash:role");
    }
    WebUser user{line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1)};
    if (!valid_name(user.name)) {
      return fail("user name \"" + user.name + "\" must be 1 to 64 of A-Z a-z 0-9 _ - . @");
    }
    if (std::find(kRoles.begin(), kRoles.end(), user.role) == kRoles.end()) {
      return fail("role \"" + user.role + "\" of " + user.name +
                  " must be none, observer, operator or admin");
    }
    if (const std::string problem = hash_problem(user.hash); !problem.empty()) {
      return fail(user.name + ": " + problem);
    }
    if (!seen.insert(user.name).second) return fail("user " + user.name + " is listed twice");
    users.push_back(std::move(user));
  }
  return users;
}

Result<std::vector<WebUser>> load_users_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Result<std::vector<WebUser>>(Errc::config, path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parse_users(text.str(), path);
}

std::optional<WebUser> check_login(const std::vector<WebUser>& users, std::string_view name,
                                   std::string_view password) {
  const auto found = std::find_if(users.begin(), users.end(),
                                  [&](const WebUser& user) { return user.name == name; });
  if (found == users.end()) {
    // The same work as a real check, against a hash nobody's password matches.
    static const std::string decoy = [] {
      auto made = hash_password("decoy password");
      return made.ok() ? *made : std::string("$y$j9T$decoy");
    }();
    crypt_with(password, decoy);
    return std::nullopt;
  }
  const std::string computed = crypt_with(password, found->hash);
  if (computed.empty() || !same_text(computed, found->hash)) return std::nullopt;
  return *found;
}

Result<std::string> hash_password(std::string_view password) {
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> setting{};
  // "$y$" with the default cost and salt bytes from the system's random source.
  if (crypt_gensalt_rn("$y$", 0, nullptr, 0, setting.data(), setting.size()) == nullptr) {
    return Result<std::string>(Errc::internal, "crypt_gensalt_rn: no yescrypt setting");
  }
  std::string hash = crypt_with(password, setting.data());
  if (hash.empty()) return Result<std::string>(Errc::internal, "crypt_r failed");
  return hash;
}

}  // namespace traction::web
