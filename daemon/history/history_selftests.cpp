// SPDX-License-Identifier: Apache-2.0
// The self-tests' table: one row per finished self-test, with every step's result and figures.
#include "daemon/history/history_store.hpp"

namespace traction::history {

void HistoryStore::add_selftest(const SelfTestRow& row) {
  Statement s = db_.prepare(
      "INSERT INTO selftests (ended_utc, passed, summary, seconds, steps_json) "
      "VALUES (?, ?, ?, ?, ?)");
  s.bind(1, row.ended_utc).bind(2, row.passed ? 1 : 0).bind(3, row.summary);
  s.bind(4, row.seconds).bind(5, row.steps.dump()).run();
}

std::optional<SelfTestRow> HistoryStore::last_selftest(bool passed_only) {
  Statement s = db_.prepare(
      "SELECT ended_utc, passed, summary, seconds, steps_json FROM selftests "
      "WHERE (?1 = 0 OR passed = 1) ORDER BY ended_utc DESC, id DESC LIMIT 1");
  s.bind(1, passed_only ? 1 : 0);
  if (!s.step()) return std::nullopt;
  SelfTestRow row;
  row.ended_utc = s.text(0);
  row.passed = s.integer(1) != 0;
  row.summary = s.text(2);
  row.seconds = s.optional_real(3).value_or(0.0);
  row.steps = nlohmann::json::parse(s.text(4), nullptr, false);
  return row;
}

}  // namespace traction::history
