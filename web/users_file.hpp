// SPDX-License-Identifier: Apache-2.0
// The panel's users file: who may log in, with which password and which role.
//
//   # name:password hash:role
//   therapist:$y$j9T$...:operator
//
// One user per line; blank lines and lines starting with # are ignored. The hash is a crypt(5)
// string of a current scheme (yescrypt "$y$", the default of `tractiond-web --hash-password` and of
// Debian's passwd; gost-yescrypt, scrypt, bcrypt or sha512crypt "$6$" are accepted too); legacy and
// weak schemes (DES, MD5, sha256crypt with few rounds...) are refused as libxcrypt's
// crypt_checksalt(3) judges them. The role is one of the daemon's: none, observer, operator, admin;
// the daemon enforces it (tractiond-web lowers each user's connection to it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace traction::web {

struct WebUser {
  std::string name;
  std::string hash;  // crypt(5) string
  std::string role;  // none, observer, operator or admin
};

// Parses the text of a users file named `source`. Errors name the file, the line and the rule.
Result<std::vector<WebUser>> parse_users(std::string_view text, const std::string& source);
// Reads and parses the file at `path`.
Result<std::vector<WebUser>> load_users_file(const std::string& path);

// The user named `name` when `password` is theirs. An unknown name costs as much as a wrong
// password (a hash is computed either way), so the answer's time does not tell which names exist.
// Slow by design (tens of milliseconds): never call it on the network thread.
std::optional<WebUser> check_login(const std::vector<WebUser>& users, std::string_view name,
                                   std::string_view password);

// A new yescrypt hash of `password` with a random salt (for --hash-password).
Result<std::string> hash_password(std::string_view password);

}  // namespace traction::web
