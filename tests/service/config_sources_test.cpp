// SPDX-License-Identifier: Apache-2.0
// What the daemon reports about where its config came from holds no machine's path: program
// sources and limit reasons name files as the config names them (relative to the config file), and
// the config file by its name, wherever the checkout is.
#include <gtest/gtest.h>

#include <string>

#include "daemon/daemon_config.hpp"
#include "daemon/service/catalog_loader.hpp"

namespace traction {
namespace {

std::shared_ptr<const Catalog> golden_catalog() {
  ConfigOverrides overrides;
  overrides.device_uri = "tcp://127.0.0.1:9?unit=1";
  auto config = load_daemon_config(
      std::string(TRACTION_SOURCE_DIR) + "/tests/golden/inversion.json", overrides);
  EXPECT_TRUE(config.ok()) << config.status().message();
  if (!config) return nullptr;
  auto catalog = load_catalog(*config);
  EXPECT_TRUE(catalog.ok()) << catalog.status().message();
  return catalog ? *catalog : nullptr;
}

// Every string in the value, with its JSON pointer.
void strings_in(const nlohmann::json& value, const std::string& at,
                std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_string()) out.emplace_back(at, value.get<std::string>());
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) strings_in(item, at + "/" + key, out);
  }
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      strings_in(value[i], at + "/" + std::to_string(i), out);
  }
}

TEST(ConfigSources, when_programs_are_listed_expect_sources_as_the_config_names_them) {
  const auto catalog = golden_catalog();
  ASSERT_TRUE(catalog);
  nlohmann::json program;
  ASSERT_FALSE(catalog->program_get("quick-check", program));
  EXPECT_EQ(program["source"], "../../config/programs/quick-check.json");
  for (const auto& entry : catalog->program_list()) {
    EXPECT_EQ(entry["source"],
              "../../config/programs/" + entry["name"].get<std::string>() + ".json");
  }
}

TEST(ConfigSources, when_limits_are_explained_expect_the_device_file_and_config_by_name) {
  const auto catalog = golden_catalog();
  ASSERT_TRUE(catalog);
  nlohmann::json limits;
  ASSERT_FALSE(catalog->limits_get("", limits));
  EXPECT_EQ(limits["reason"]["max_target"], "site limits in inversion.json");
  EXPECT_EQ(limits["reason"]["max_rate_up"], "device file ../../config/devices/sim-inversion.json");
}

TEST(ConfigSources, when_anything_is_reported_expect_no_absolute_path) {
  const auto catalog = golden_catalog();
  ASSERT_TRUE(catalog);
  nlohmann::json reported = {{"programs", catalog->program_list()}};
  ASSERT_FALSE(catalog->limits_get("alice", reported["limits"]));
  ASSERT_FALSE(catalog->program_get("quick-check", reported["program"]));
  std::vector<std::pair<std::string, std::string>> texts;
  strings_in(reported, "", texts);
  ASSERT_GT(texts.size(), 20U);
  for (const auto& [at, text] : texts) {
    EXPECT_EQ(text.find(TRACTION_SOURCE_DIR), std::string::npos) << at << ": " << text;
    EXPECT_NE(text.rfind('/', 0), 0U) << at << " is an absolute path: " << text;
  }
}

}  // namespace
}  // namespace traction
