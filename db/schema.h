#pragma once
// The store's schema as a list of forward-only migration steps. Step k turns a database at
// version k-1 into version k; PRAGMA user_version holds the version reached. Never edit a
// released step: add a new one.
#include <SQLiteCpp/Database.h>

namespace tbdb::schema {

// Latest version this build writes.
int latest_version();

// Applies the steps from the database's current user_version up to `target` (<= latest) in
// one transaction, setting user_version. Exposed so tests can build databases of every
// earlier version. Throws SQLite::Exception (the transaction rolls back).
void migrate(SQLite::Database& db, int target);

// The steps from `from` + 1 up to `target` and the new user_version, inside the CALLER's write
// transaction (so the caller can check the file and migrate it under one lock).
void apply_steps(SQLite::Database& db, int from, int target);

}  // namespace tbdb::schema
