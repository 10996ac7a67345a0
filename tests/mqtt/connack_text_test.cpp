// SPDX-License-Identifier: Apache-2.0
// A broker's refusal in words: a refused user name or password says that authentication failed,
// for whom, and which configuration keys to check.
#include "mqtt/connack_text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace traction::mqtt {
namespace {

using ::testing::HasSubstr;

TEST(ConnackText, not_authorised_names_authentication_the_user_and_the_keys) {
  const std::string text = connack_refusal_text(5, "tractiond", "tractiond-mqtt-t1");
  EXPECT_THAT(text, HasSubstr("connection refused"));
  EXPECT_THAT(text, HasSubstr("authentication failed"));
  EXPECT_THAT(text, HasSubstr("not authorised"));
  EXPECT_THAT(text, HasSubstr("user \"tractiond\""));
  EXPECT_THAT(text, HasSubstr("username and password"));
}

TEST(ConnackText, bad_user_name_or_password_says_so) {
  EXPECT_THAT(connack_refusal_text(4, "tractiond", "c"),
              HasSubstr("authentication failed (bad user name or password)"));
}

TEST(ConnackText, anonymous_refusal_says_no_username_is_configured) {
  EXPECT_THAT(connack_refusal_text(5, "", "c"),
              HasSubstr("an anonymous client (no username configured)"));
}

TEST(ConnackText, other_codes_are_named) {
  EXPECT_THAT(connack_refusal_text(2, "u", "tractiond-mqtt-t1"),
              HasSubstr("client id \"tractiond-mqtt-t1\""));
  EXPECT_THAT(connack_refusal_text(1, "u", "c"), HasSubstr("protocol version"));
  EXPECT_THAT(connack_refusal_text(3, "u", "c"), HasSubstr("unavailable"));
  EXPECT_THAT(connack_refusal_text(42, "u", "c"), HasSubstr("CONNACK code 42"));
}

}  // namespace
}  // namespace traction::mqtt
