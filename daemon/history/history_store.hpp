// SPDX-License-Identifier: Apache-2.0
// The history database's operations, synchronous, on one connection: the recorder's writer thread
// and the query thread each own a store. Throws SqliteError; callers turn it into a value.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "daemon/engine/progression.hpp"
#include "daemon/history/history_records.hpp"
#include "daemon/history/sqlite_db.hpp"

namespace traction::history {

class HistoryStore {
 public:
  // Opens (creating) the database at `path` and migrates it to the current schema.
  explicit HistoryStore(const std::string& path);

  Database& db() { return db_; }

  // Writer operations; the caller groups them in transactions (db().transaction).
  void begin_session(const SessionBegin& session);
  void add_event(const EventRecord& event);
  void add_sample(const SampleRecord& sample);
  // Closes the session row: end time, outcome, reason and the figures computed from its samples.
  void end_session(const SessionEnd& end);
  // At start-up: every session without an end is closed as `interrupted` at the time of its last
  // sample (or its start when it has none), with an event saying so. Returns how many.
  int close_unfinished();
  // history_selftests.cpp: a finished self-test; the newest one (passed only, when asked).
  void add_selftest(const SelfTestRow& row);
  std::optional<SelfTestRow> last_selftest(bool passed_only);

  // Queries for the socket. Sessions newest first.
  nlohmann::json list(const ListQuery& query);
  // The session with its plan, limits, progression and events; samples when asked. nullopt when
  // there is no such session.
  std::optional<nlohmann::json> get(const std::string& id, bool with_samples);
  // Stores feedback; false when there is no such session.
  bool feedback(const std::string& id, const Feedback& feedback);
  // Ended sessions of a program and profile, oldest first, for progression.
  std::vector<PastSession> past_sessions(const std::string& program, const std::string& profile);

 private:
  nlohmann::json session_json(Statement& row);
  nlohmann::json events_json(const std::string& id);
  nlohmann::json samples_json(const std::string& id);

  Database db_;
};

// At start-up, before any session: opens (creating and migrating) the database at `path` and
// closes unfinished sessions as interrupted (HistoryStore::close_unfinished). Returns how many.
Result<int> recover_history(const std::string& path);

}  // namespace traction::history
