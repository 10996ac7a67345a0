// SPDX-License-Identifier: Apache-2.0
#include "daemon/history/migrations.hpp"

#include <array>

namespace traction::history {
namespace {

// Version n is reached by running kMigrations[n - 1]. Never edit a shipped entry: add one.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 1: sessions with their plan and limits, events, samples at 10 Hz.
    R"sql(
CREATE TABLE sessions (
  id               TEXT PRIMARY KEY,
  profile          TEXT NOT NULL,
  program          TEXT NOT NULL,
  plan_json        TEXT NOT NULL,
  limits_json      TEXT NOT NULL,
  started_utc      TEXT NOT NULL,
  ended_utc        TEXT,
  outcome          TEXT,
  reason           TEXT,
  peak             REAL,
  mean             REAL,
  time_at_target_s REAL,
  duration_s       REAL
);
CREATE INDEX sessions_started ON sessions(started_utc);
CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  session_id  TEXT REFERENCES sessions(id),
  time_utc    TEXT NOT NULL,
  kind        TEXT NOT NULL,
  detail_json TEXT NOT NULL
);
CREATE INDEX events_session ON events(session_id);
CREATE TABLE samples (
  session_id TEXT NOT NULL REFERENCES sessions(id),
  t_s        REAL NOT NULL,
  target     REAL NOT NULL,
  actual     REAL NOT NULL,
  velocity   REAL,
  phase      INTEGER
);
CREATE INDEX samples_session ON samples(session_id, t_s);
)sql",
    // 2: comfort feedback and a note per session; the progression applied; lookups by program.
    R"sql(
ALTER TABLE sessions ADD COLUMN comfort_before INTEGER CHECK (comfort_before BETWEEN 0 AND 10);
ALTER TABLE sessions ADD COLUMN comfort_after INTEGER CHECK (comfort_after BETWEEN 0 AND 10);
ALTER TABLE sessions ADD COLUMN note TEXT;
ALTER TABLE sessions ADD COLUMN progression_json TEXT;
CREATE INDEX sessions_program ON sessions(program, profile, started_utc);
)sql",
    // 3: commissioning self-tests with each step's result and figures.
    R"sql(
CREATE TABLE selftests (
  id         INTEGER PRIMARY KEY,
  ended_utc  TEXT NOT NULL,
  passed     INTEGER NOT NULL CHECK (passed IN (0, 1)),
  summary    TEXT NOT NULL,
  seconds    REAL,
  steps_json TEXT NOT NULL
);
CREATE INDEX selftests_ended ON selftests(ended_utc);
)sql",
};

}  // namespace

void migrate(Database& db, int target) {
  const int current = db.user_version();
  if (current > kSchemaVersion) {
    throw SqliteError(SQLITE_ERROR, db.path() + " has schema version " + std::to_string(current) +
                                        ", newer than this tractiond knows (" +
                                        std::to_string(kSchemaVersion) + "); refusing to touch it");
  }
  for (int version = current + 1; version <= target; ++version) {
    db.transaction([&] {
      db.exec(kMigrations[static_cast<std::size_t>(version - 1)]);
      db.set_user_version(version);
    });
  }
}

}  // namespace traction::history
