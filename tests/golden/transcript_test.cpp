// SPDX-License-Identifier: Apache-2.0
// The golden comparison does not depend on where the checkout is: a transcript recorded in one
// directory compares equal to a run in another, and to a daemon that shows paths relative to its
// config; the words around the paths, and what is not a path, still count.
#include "tests/golden/transcript.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace traction::golden {
namespace {

// Two real checkouts' roots on this machine: this one, and another under the temporary directory.
const std::string kHere = TRACTION_SOURCE_DIR;
const std::string kElsewhere =
    (std::filesystem::temp_directory_path() / "another-checkout" / "tractiond").string();

TEST(GoldenPaths, when_checkouts_differ_expect_equal_text) {
  const std::string device = "/config/devices/sim-inversion.json";
  EXPECT_EQ(normalize_text("device file " + kHere + device),
            normalize_text("device file " + kElsewhere + device));
  EXPECT_EQ(normalize_text("device file " + kHere + device),
            normalize_text("device file ../.." + device));
  EXPECT_EQ(normalize_text("site limits in " + kElsewhere + "/tests/golden/inversion.json"),
            normalize_text("site limits in inversion.json"));
  const auto state = std::filesystem::temp_directory_path() / "tractiond-e2e.Ab12" / "state";
  EXPECT_EQ(normalize_text((state / "history.db").string() + ": cannot open"),
            "history.db: cannot open");
}

TEST(GoldenPaths, when_files_or_words_differ_expect_different_text) {
  EXPECT_NE(normalize_text("device file " + kHere + "/config/devices/sim-inversion.json"),
            normalize_text("device file " + kHere + "/config/devices/sim-traction.json"));
  EXPECT_NE(normalize_text("device file " + kHere + "/x.json"),
            normalize_text("site limits in " + kHere + "/x.json"));
}

TEST(GoldenPaths, when_text_is_not_a_path_expect_it_kept) {
  const std::string pointer = "request: at /definition/kinds: is required";
  EXPECT_EQ(normalize_text(pointer), pointer);
  EXPECT_EQ(mask_paths("tcp://127.0.0.1:9?unit=1 at 5 deg/s, see ./scripts/demo"),
            "tcp://127.0.0.1:9?unit=1 at 5 deg/s, see ./scripts/demo");
}

TEST(GoldenPaths, when_a_program_source_moves_expect_equal_objects) {
  const nlohmann::json recorded = {{"name", "quick-check"},
                                   {"source", kHere + "/config/programs/quick-check.json"}};
  const nlohmann::json live = {{"name", "quick-check"},
                               {"source", "../../config/programs/quick-check.json"}};
  EXPECT_EQ(normalize(recorded), normalize(live));
}

}  // namespace
}  // namespace traction::golden
