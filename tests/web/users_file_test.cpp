// SPDX-License-Identifier: Apache-2.0
// The users file: parsing with errors that name the line, current hash schemes only, logins.
#include "web/users_file.hpp"

#include <gtest/gtest.h>

namespace traction::web {
namespace {

// One hash per process: yescrypt is slow by design.
const std::string& therapist_hash() {
  static const std::string hash = *hash_password("correct horse");
  return hash;
}

TEST(UsersFile, when_valid_expect_users_with_roles_and_comments_skipped) {
  const std::string text = "# name:hash:role\n\ntherapist:" + therapist_hash() +
                           ":operator\r\nviewer:" + therapist_hash() + ":observer\n";
  auto users = parse_users(text, "users");
  ASSERT_TRUE(users.ok()) << users.status().message();
  ASSERT_EQ(users->size(), 2U);
  EXPECT_EQ((*users)[0].name, "therapist");
  EXPECT_EQ((*users)[0].role, "operator");
  EXPECT_EQ((*users)[1].role, "observer");
}

TEST(UsersFile, when_role_unknown_expect_error_naming_file_and_line) {
  auto users = parse_users("\nalice:" + therapist_hash() + ":superuser\n", "web-users");
  ASSERT_FALSE(users.ok());
  EXPECT_NE(users.status().message().find("web-users line 2"), std::string::npos);
  EXPECT_NE(users.status().message().find("superuser"), std::string::npos);
}

TEST(UsersFile, when_shape_wrong_expect_error) {
  EXPECT_FALSE(parse_users("alice:operator\n", "f").ok());
  EXPECT_FALSE(parse_users("al ice:" + therapist_hash() + ":operator\n", "f").ok());
  EXPECT_FALSE(parse_users("a:" + therapist_hash() + ":operator:x\n", "f").ok());
}

TEST(UsersFile, when_user_listed_twice_expect_error) {
  const std::string line = "alice:" + therapist_hash() + ":operator\n";
  EXPECT_FALSE(parse_users(line + line, "f").ok());
}

TEST(UsersFile, when_legacy_or_plain_hash_expect_refused) {
  // MD5-crypt of "password" (a legacy scheme), and a clear-text password.
  auto md5 = parse_users("alice:$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/:admin\n", "f");
  ASSERT_FALSE(md5.ok());
  EXPECT_NE(md5.status().message().find("legacy"), std::string::npos);
  EXPECT_FALSE(parse_users("alice:hunter2:admin\n", "f").ok());
}

TEST(UsersFile, when_sha512crypt_expect_accepted) {
  // openssl passwd -6 -salt abcdefgh secret
  auto users = parse_users(
      "bob:$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/"
      "cZ/1GM/O6IND4WQhG.:observer\n",
      "f");
  ASSERT_TRUE(users.ok()) << users.status().message();
  EXPECT_TRUE(check_login(*users, "bob", "secret").has_value());
}

TEST(CheckLogin, when_password_right_expect_user_else_nothing) {
  const std::vector<WebUser> users{{"therapist", therapist_hash(), "operator"}};
  const auto ok = check_login(users, "therapist", "correct horse");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->role, "operator");
  EXPECT_FALSE(check_login(users, "therapist", "correct horse ").has_value());
  EXPECT_FALSE(check_login(users, "therapist", "").has_value());
  EXPECT_FALSE(check_login(users, "nobody", "correct horse").has_value());
}

TEST(HashPassword, when_hashed_twice_expect_different_salts_of_yescrypt) {
  const auto a = hash_password("x");
  const auto b = hash_password("x");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->rfind("$y$", 0), 0U);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace traction::web
