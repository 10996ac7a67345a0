// SPDX-License-Identifier: Apache-2.0
// docs/safety.md's safety table is the code's (daemon/engine/safety_rules.cpp): one row per rule,
// in precedence order, with the same scope, response, release rate, latch and condition, and the
// tests it names exist.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/engine/safety_rules.hpp"

namespace traction {
namespace {

std::vector<std::string> table_rows() {
  std::ifstream in(std::string(TRACTION_SOURCE_DIR) + "/docs/safety.md");
  std::vector<std::string> rows;
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.find("<!-- safety-table:") == 0) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (line.empty()) break;
    if (line.rfind("| ", 0) == 0 && line.find("| # |") != 0) rows.push_back(line);
  }
  return rows;
}

const char* rate_name(ReleaseRate r) {
  switch (r) {
    case ReleaseRate::stop:
      return "stop";
    case ReleaseRate::patient:
      return "patient";
    case ReleaseRate::fault:
      return "fault";
  }
  return "?";
}

// The columns the code decides, as the docs print them.
std::string expected_prefix(const RuleSpec& r) {
  std::ostringstream out;
  out << "| " << r.precedence << " | `" << r.name << "` | " << to_string(r.scope) << " | "
      << to_string(r.response) << " | " << rate_name(r.rate) << " | " << (r.latch ? "yes" : "no")
      << " | " << r.trips_when << " | ";
  return out.str();
}

// Whether a test named like "Suite.name_prefix_*" or "Suite.*" is registered in this binary;
// true for a suite this binary does not have (another test binary's).
bool test_exists(const std::string& pattern) {
  const std::string suite = pattern.substr(0, pattern.find('.'));
  std::string name = pattern.substr(pattern.find('.') + 1);
  if (!name.empty() && name.back() == '*') name.pop_back();
  const auto* unit = ::testing::UnitTest::GetInstance();
  bool suite_here = false;
  for (int i = 0; i < unit->total_test_suite_count(); ++i) {
    const auto* s = unit->GetTestSuite(i);
    const std::string s_name = s->name();
    // Parametrised suites print as "Prefix/Suite".
    const std::string base =
        s_name.substr(s_name.find('/') == std::string::npos ? 0 : s_name.find('/') + 1);
    if (base != suite) continue;
    suite_here = true;
    for (int j = 0; j < s->total_test_count(); ++j) {
      if (std::string(s->GetTestInfo(j)->name()).rfind(name, 0) == 0) return true;
    }
  }
  return !suite_here;
}

TEST(SafetyTable, every_rule_has_its_row_in_docs_safety_md_in_precedence_order) {
  const std::vector<std::string> rows = table_rows();
  ASSERT_EQ(rows.size(), kRuleCount) << "one row per rule in docs/safety.md";
  for (std::size_t i = 0; i < kRuleCount; ++i) {
    const RuleSpec& r = rule_table()[i];
    const std::string prefix = expected_prefix(r);
    EXPECT_EQ(rows[i].substr(0, prefix.size()), prefix) << "docs/safety.md row " << i + 1;
    const std::string tests = rows[i].size() > prefix.size() ? rows[i].substr(prefix.size()) : "";
    EXPECT_GT(tests.size(), 4U) << r.name << " names no test";
  }
}

TEST(SafetyTable, the_tests_each_row_names_exist) {
  for (const std::string& row : table_rows()) {
    std::size_t at = row.rfind(" | ", row.size() - 3);
    const std::string tests = row.substr(at);
    for (std::size_t open = tests.find('`'); open != std::string::npos;
         open = tests.find('`', tests.find('`', open + 1) + 1)) {
      const std::size_t close = tests.find('`', open + 1);
      const std::string token = tests.substr(open + 1, close - open - 1);
      if (token.find('.') == std::string::npos || token.find(' ') != std::string::npos) continue;
      EXPECT_TRUE(test_exists(token)) << token << " in: " << row.substr(0, 40);
    }
  }
}

}  // namespace
}  // namespace traction
