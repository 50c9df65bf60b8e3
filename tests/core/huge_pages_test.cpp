#include "fundtrail/core/huge_pages.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace fundtrail::core {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// The flags the kernel keeps for the mapping that holds `address` ("hg" = huge pages advised), read from
// /proc/self/smaps; empty when the mapping is not listed.
std::vector<std::string> mapping_flags(const void* address) {
  const auto where = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-' && line.find(':') > line.find(' ')) {
      inside = begin <= where && where < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) {
      std::istringstream words(line.substr(8));
      std::vector<std::string> flags;
      for (std::string flag; words >> flag;) flags.push_back(flag);
      return flags;
    }
  }
  return {};
}

bool advised(const void* address) {
  const std::vector<std::string> flags = mapping_flags(address);
  return std::find(flags.begin(), flags.end(), "hg") != flags.end();
}

class HugePagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled")) {
      GTEST_SKIP() << "this kernel has no transparent huge pages";
    }
    if (!std::filesystem::exists("/proc/self/smaps")) GTEST_SKIP() << "no /proc/self/smaps to check the advice";
  }
};

// The advice is recorded on the whole 2 MiB pages of the range, both for working memory and for a mapped
// file (whose missing parts the kernel then reads in 2 MiB pieces).
TEST_F(HugePagesTest, LargeAnonymousAndFileMappingsAreAdvised) {
  const std::size_t bytes = 16 * kMiB;
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  EXPECT_FALSE(advised(static_cast<char*>(memory) + 8 * kMiB));
  advise_huge_pages(memory, bytes);
  EXPECT_TRUE(advised(static_cast<char*>(memory) + 8 * kMiB));
  ::munmap(memory, bytes);

  test::TempDir dir("fundtrail-huge");
  const std::string path = dir.file("image");
  {
    std::ofstream out(path, std::ios::binary);
    const std::string block(kMiB, 'x');
    for (int i = 0; i < 16; ++i) out << block;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  void* file = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  ASSERT_NE(file, MAP_FAILED);
  EXPECT_FALSE(advised(static_cast<char*>(file) + 8 * kMiB));
  advise_huge_pages(file, bytes);
  EXPECT_TRUE(advised(static_cast<char*>(file) + 8 * kMiB));
  EXPECT_EQ(static_cast<const char*>(file)[bytes - 1], 'x');  // still the file's bytes
  ::munmap(file, bytes);
}

// Below 4 MiB a huge page would be most of the range: nothing is advised. A null range is no error.
TEST_F(HugePagesTest, SmallRangesAreLeftAlone) {
  const std::size_t bytes = 3 * kMiB;
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  advise_huge_pages(memory, bytes);
  EXPECT_FALSE(advised(memory));
  EXPECT_FALSE(advised(static_cast<char*>(memory) + bytes - 1));
  ::munmap(memory, bytes);
  advise_huge_pages(nullptr, 64 * kMiB);
}

// Working arrays from 512 KiB on are whole 2 MiB pages aligned on 2 MiB and advised, so that none of their
// pages has to fault in 4 KiB at a time. Smaller ones come from malloc.
TEST_F(HugePagesTest, LargeWorkingArraysAreWholeAlignedAdvisedHugePages) {
  constexpr std::size_t kHuge = 2 * kMiB;
  for (const std::size_t bytes : {kHugeFrom, 3 * kMiB + 5, 16 * kMiB}) {
    auto* memory = static_cast<unsigned char*>(allocate_huge(bytes));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(memory) % kHuge, 0u) << bytes;
    EXPECT_TRUE(advised(memory)) << bytes;
    EXPECT_TRUE(advised(memory + bytes - 1)) << bytes;
    memory[0] = memory[bytes - 1] = 7;
    free_huge(memory, bytes);
  }
  auto* small = static_cast<unsigned char*>(allocate_huge(1000));
  small[999] = 1;
  free_huge(small, 1000);

  HugeVector<std::uint64_t> grown;
  for (std::uint64_t i = 0; i < 300000; ++i) grown.push_back(i);  // through malloc'd and huge buffers
  EXPECT_EQ(grown[299999], 299999u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(grown.data()) % kHuge, 0u);
  EXPECT_TRUE(advised(grown.data()));
}

// A freed array's pages are handed out again (the smallest kept region that is large enough), so a report
// reuses the pages its trace has just touched instead of the kernel zeroing new ones.
TEST_F(HugePagesTest, FreedArraysAreHandedOutAgain) {
  auto* large = static_cast<unsigned char*>(allocate_huge(40 * kMiB));
  auto* medium = static_cast<unsigned char*>(allocate_huge(6 * kMiB));
  large[0] = medium[0] = 1;
  free_huge(large, 40 * kMiB);
  free_huge(medium, 6 * kMiB);
  auto* again = static_cast<unsigned char*>(allocate_huge(5 * kMiB));
  EXPECT_EQ(again, medium);  // the 6 MiB region fits best
  auto* bigger = static_cast<unsigned char*>(allocate_huge(20 * kMiB));
  EXPECT_EQ(bigger, large);
  bigger[20 * kMiB - 1] = 2;
  auto* fresh = static_cast<unsigned char*>(allocate_huge(8 * kMiB));  // nothing kept is left
  EXPECT_NE(fresh, large);
  EXPECT_NE(fresh, medium);
  EXPECT_TRUE(advised(fresh + 8 * kMiB - 1));
  free_huge(fresh, 8 * kMiB);
  free_huge(bigger, 20 * kMiB);
  free_huge(again, 5 * kMiB);
}

}  // namespace
}  // namespace fundtrail::core
