// PragmaOverride: a connection setting changed for a scope and given back its earlier value, whatever it was.
#include <gtest/gtest.h>

#include <string>

#include "fundtrail/store/sqlite.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::store {
namespace {

std::int64_t pragma(Database& db, const std::string& name) {
  auto statement = db.prepare("PRAGMA " + name);
  statement.step();
  return statement.column_int64(0);
}

TEST(PragmaOverride, SetsThePragmaForItsScopeAndRestoresTheEarlierValue) {
  test::TempDir dir;
  Database db(dir.file("p.db"), true);
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA foreign_keys = OFF");
  {
    PragmaOverride temp_storage(db, "temp_store", "FILE");
    PragmaOverride foreign_keys(db, "foreign_keys", "ON");
    EXPECT_EQ(pragma(db, "temp_store"), 1);
    EXPECT_EQ(pragma(db, "foreign_keys"), 1);
  }
  EXPECT_EQ(pragma(db, "temp_store"), 2) << "restored to what it was, not to a fixed value";
  EXPECT_EQ(pragma(db, "foreign_keys"), 0);
}

TEST(PragmaOverride, NestedOverridesUnwindInOrder) {
  test::TempDir dir;
  Database db(dir.file("p.db"), true);
  db.exec("PRAGMA foreign_keys = ON");
  {
    PragmaOverride outer(db, "foreign_keys", "OFF");
    {
      PragmaOverride inner(db, "foreign_keys", "ON");
      EXPECT_EQ(pragma(db, "foreign_keys"), 1);
    }
    EXPECT_EQ(pragma(db, "foreign_keys"), 0);
  }
  EXPECT_EQ(pragma(db, "foreign_keys"), 1);
}

}  // namespace
}  // namespace fundtrail::store
