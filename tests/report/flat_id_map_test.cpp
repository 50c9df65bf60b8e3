// FlatIdMap: behaves like a map from ids to values through growth, collisions and dense or sparse ids.
#include "fundtrail/report/flat_id_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace fundtrail::report {
namespace {

TEST(FlatIdMap, AgreesWithStdMapForDenseAndScatteredIds) {
  std::mt19937_64 random(7);
  FlatIdMap<std::string> flat;
  std::map<std::int64_t, std::string> reference;
  EXPECT_EQ(flat.find(0), nullptr);  // empty map
  for (int i = 0; i < 20000; ++i) {
    // Dense ids (as the store hands out) mixed with large scattered ones and repeats.
    const std::int64_t id = i % 3 == 0 ? static_cast<std::int64_t>(random() >> 2) : i / 2;
    const std::string value = "v" + std::to_string(i);
    const std::string& stored = flat.insert(id, value);
    const auto [it, inserted] = reference.emplace(id, value);
    EXPECT_EQ(stored, it->second) << id;  // an existing id keeps its first value
  }
  EXPECT_EQ(flat.size(), reference.size());
  for (const auto& [id, value] : reference) {
    const std::string* found = flat.find(id);
    ASSERT_NE(found, nullptr) << id;
    EXPECT_EQ(*found, value);
  }
  for (std::int64_t absent : {std::int64_t{20001}, std::int64_t{1} << 62}) {
    if (!reference.contains(absent)) EXPECT_FALSE(flat.contains(absent)) << absent;
  }
}

TEST(FlatIdMap, ReserveKeepsEntries) {
  FlatIdMap<int> flat;
  flat.insert(5, 50);
  flat.reserve(100000);
  flat.insert(6, 60);
  EXPECT_EQ(*flat.find(5), 50);
  EXPECT_EQ(*flat.find(6), 60);
  EXPECT_EQ(flat.size(), 2u);
}

}  // namespace
}  // namespace fundtrail::report
