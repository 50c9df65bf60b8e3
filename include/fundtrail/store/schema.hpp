#pragma once
// The case store's schema, versioned with PRAGMA user_version. docs/schema.md documents every table.
#include <string_view>
#include <vector>

namespace fundtrail::store {

class Database;

// migrations()[i] upgrades a store from user_version i to i + 1.
const std::vector<std::string_view>& migrations();
int latest_schema_version();

// Brings the store to the latest version inside one transaction per step. Throws
// fundtrail::Error(Corruption) when the store's version is newer than this build knows.
// `target` < latest is for tests that need an old schema.
void migrate(Database& db, int target = -1);
int schema_version(Database& db);

}  // namespace fundtrail::store
