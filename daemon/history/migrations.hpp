// SPDX-License-Identifier: Apache-2.0
// The history's schema, versioned with PRAGMA user_version (docs/history.md "Schema"). Each
// version is one migration applied in its own transaction, so a file of any earlier version is
// brought up to date at open and a crash mid-migration leaves the previous version intact.
#pragma once

#include "daemon/history/sqlite_db.hpp"

namespace traction::history {

// The schema version this build writes.
inline constexpr int kSchemaVersion = 3;

// Brings `db` from its user_version up to `target` (default: the current version). Throws
// SqliteError when the file is newer than this build knows (downgrades are refused) or a
// migration fails.
void migrate(Database& db, int target = kSchemaVersion);

}  // namespace traction::history
