// SPDX-License-Identifier: Apache-2.0
// Schema versions: a new file, a file of every earlier version (with data), and a newer file.
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon/history/history_store.hpp"
#include "daemon/history/migrations.hpp"
#include "tests/history/history_test_support.hpp"

namespace traction::history {
namespace {

using testing::TempDir;

std::vector<std::string> columns_of(Database& db, const std::string& table) {
  std::vector<std::string> out;
  Statement s = db.prepare("SELECT name FROM pragma_table_info(?)");
  s.bind(1, table);
  while (s.step()) out.push_back(s.text(0));
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

TEST(HistoryMigrations, an_empty_file_gets_the_current_schema_in_wal_mode) {
  TempDir dir;
  Database db(dir.db(), true);
  EXPECT_EQ(db.user_version(), 0);
  migrate(db);
  EXPECT_EQ(db.user_version(), kSchemaVersion);
  Statement mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  const auto sessions = columns_of(db, "sessions");
  for (const char* column : {"id", "plan_json", "limits_json", "started_utc", "ended_utc",
                             "outcome", "peak", "mean", "time_at_target_s", "duration_s",
                             "comfort_before", "comfort_after", "note", "progression_json"}) {
    EXPECT_TRUE(has(sessions, column)) << column;
  }
  EXPECT_TRUE(has(columns_of(db, "events"), "detail_json"));
  EXPECT_TRUE(has(columns_of(db, "samples"), "velocity"));
}

TEST(HistoryMigrations, a_version_1_file_keeps_its_sessions_and_gains_feedback) {
  TempDir dir;
  {
    Database v1(dir.db(), true);
    migrate(v1, 1);
    ASSERT_EQ(v1.user_version(), 1);
    EXPECT_FALSE(has(columns_of(v1, "sessions"), "comfort_before"));
    v1.exec(
        "INSERT INTO sessions (id, profile, program, plan_json, limits_json, started_utc, "
        "ended_utc, outcome, reason, peak, mean, time_at_target_s, duration_s) VALUES ('s1', "
        "'ann', 'quick-check', '{\"unit\":\"deg\"}', '{}', '2026-01-05T08:00:00.000Z', "
        "'2026-01-05T08:00:15.000Z', 'completed', 'program completed', 15, 9.5, 5, 15)");
    v1.exec("INSERT INTO samples VALUES ('s1', 0.1, 0.5, 0.4, 5.0, 0)");
    v1.exec(
        "INSERT INTO events (session_id, time_utc, kind, detail_json) VALUES ('s1', "
        "'2026-01-05T08:00:00.000Z', 'session_started', '{}')");
  }
  HistoryStore store(dir.db());  // opens and migrates
  EXPECT_EQ(store.db().user_version(), kSchemaVersion);
  const auto list = store.list({});
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0]["id"], "s1");
  EXPECT_EQ(list[0]["outcome"], "completed");
  EXPECT_EQ(list[0]["unit"], "deg");
  EXPECT_TRUE(list[0]["comfort_before"].is_null());
  ASSERT_TRUE(store.feedback("s1", {3, 6, std::string("easier than last week")}));
  const auto got = store.get("s1", true);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ((*got)["comfort_before"], 3);
  EXPECT_EQ((*got)["comfort_after"], 6);
  EXPECT_EQ((*got)["samples"]["rows"].size(), 1U);
  EXPECT_EQ((*got)["events"].size(), 1U);
}

TEST(HistoryMigrations, every_earlier_version_upgrades_to_the_current_one) {
  for (int from = 0; from < kSchemaVersion; ++from) {
    TempDir dir;
    {
      Database old(dir.db(), true);
      migrate(old, from);
      EXPECT_EQ(old.user_version(), from);
    }
    Database db(dir.db(), false);
    migrate(db);
    EXPECT_EQ(db.user_version(), kSchemaVersion) << "from version " << from;
    EXPECT_TRUE(has(columns_of(db, "sessions"), "progression_json")) << "from version " << from;
  }
}

TEST(HistoryMigrations, a_file_from_a_newer_tractiond_is_refused_and_left_alone) {
  TempDir dir;
  {
    Database db(dir.db(), true);
    db.set_user_version(kSchemaVersion + 7);
  }
  Database db(dir.db(), false);
  EXPECT_THROW(migrate(db), SqliteError);
  EXPECT_EQ(db.user_version(), kSchemaVersion + 7);
  auto refused = recover_history(dir.db());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("newer"), std::string::npos)
      << refused.status().message();
}

TEST(HistoryMigrations, feedback_scores_outside_0_to_10_are_refused_by_the_schema) {
  TempDir dir;
  HistoryStore store(dir.db());
  store.db().exec(
      "INSERT INTO sessions (id, profile, program, plan_json, limits_json, started_utc) VALUES "
      "('s1', '', 'p', '{}', '{}', '2026-01-05T08:00:00.000Z')");
  EXPECT_THROW(store.feedback("s1", {11, std::nullopt, std::nullopt}), SqliteError);
}

}  // namespace
}  // namespace traction::history
