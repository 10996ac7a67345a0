// SPDX-License-Identifier: Apache-2.0
// The strict config reader: unknown keys are refused with a hint, and "$comment" is the one key
// every object may carry without a getter.
#include "core/config_reader.hpp"

#include <gtest/gtest.h>

namespace traction {
namespace {

std::string error_of(const nlohmann::json& object) {
  try {
    ObjectReader reader(object, "test.json", "/section");
    reader.number_or("rate", 1.0, 0.0, 10.0);
    reader.finish();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigReader, a_comment_string_needs_no_getter_in_any_object) {
  EXPECT_EQ(error_of({{"rate", 2.0}, {"$comment", "why the rate is 2"}}), "");
}

TEST(ConfigReader, a_comment_that_is_not_a_string_is_refused_with_its_path) {
  EXPECT_EQ(error_of({{"$comment", 3}}),
            "test.json: at /section/$comment: must be a string (an explanation)");
}

TEST(ConfigReader, an_unknown_key_is_refused_with_a_hint) {
  EXPECT_EQ(error_of({{"rat", 2.0}}),
            "test.json: at /section/rat: unknown key \"rat\" (did you mean \"rate\"?)");
}

}  // namespace
}  // namespace traction
