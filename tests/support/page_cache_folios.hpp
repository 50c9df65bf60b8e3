#pragma once
// How the page cache holds a file, for tests of what fundtrail writes to be mapped in 2 MiB pieces (the graph
// snapshot, the label index). Header-only (core level).
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace fundtrail::test {

inline constexpr std::size_t kPage = 4096;
inline constexpr std::size_t kFolioChunk = std::size_t{2} << 20;

// How many of the whole 2 MiB-aligned chunks of `path` the page cache holds as one 2 MiB folio each, from
// /proc/self/pagemap and /proc/kpageflags; std::nullopt when those cannot be read (they need root).
inline std::optional<std::size_t> chunks_in_2mib_folios(const std::string& path) {
  constexpr std::uint64_t kHead = std::uint64_t{1} << 15;  // KPF_COMPOUND_HEAD
  constexpr std::uint64_t kTail = std::uint64_t{1} << 16;  // KPF_COMPOUND_TAIL
  const int fd = ::open(path.c_str(), O_RDONLY);
  const int pagemap = ::open("/proc/self/pagemap", O_RDONLY);
  const int flags = ::open("/proc/kpageflags", O_RDONLY);
  const auto size = static_cast<std::size_t>(std::filesystem::file_size(path));
  void* data = fd < 0 ? MAP_FAILED : ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  std::optional<std::size_t> whole;
  if (data != MAP_FAILED && pagemap >= 0 && flags >= 0) {
    whole = 0;
    const auto* bytes = static_cast<const volatile char*>(data);
    const auto first_page = reinterpret_cast<std::uintptr_t>(data) / kPage;
    const auto page_flags = [&](std::size_t page) -> std::optional<std::uint64_t> {
      (void)bytes[page * kPage];  // mapped now, so pagemap knows its frame
      std::uint64_t entry = 0;
      std::uint64_t value = 0;
      if (::pread(pagemap, &entry, 8, static_cast<off_t>((first_page + page) * 8)) != 8) return std::nullopt;
      const std::uint64_t frame = entry & ((std::uint64_t{1} << 55) - 1);
      if (!(entry >> 63) || frame == 0) return std::nullopt;  // no frame number: not root
      if (::pread(flags, &value, 8, static_cast<off_t>(frame * 8)) != 8) return std::nullopt;
      return value;
    };
    for (std::size_t chunk = 0; whole && (chunk + 1) * kFolioChunk <= size; ++chunk) {
      bool one_folio = true;
      for (std::size_t page = chunk * kFolioChunk / kPage; page < (chunk + 1) * kFolioChunk / kPage; ++page) {
        const std::optional<std::uint64_t> value = page_flags(page);
        if (!value) {
          whole.reset();
          break;
        }
        one_folio = one_folio && (*value & (page == chunk * kFolioChunk / kPage ? kHead : kTail)) != 0;
      }
      if (whole && one_folio) ++*whole;
    }
  }
  if (data != MAP_FAILED) ::munmap(data, size);
  for (const int open_fd : {fd, pagemap, flags}) {
    if (open_fd >= 0) ::close(open_fd);
  }
  return whole;
}

// Why a test of how fundtrail's own files sit in the page cache must skip here, or nullopt when it can run:
// the page flags need root, and where even a file written in one aligned piece (at `scratch_path`) is not kept
// in 2 MiB folios, the kernel or file system does not do it at all.
inline std::optional<std::string> why_folios_cannot_be_checked(const std::string& scratch_path) {
  {
    const int fd = ::open(scratch_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return "cannot write " + scratch_path;
    const std::string bytes(4 * kFolioChunk, 'x');
    const bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    ::close(fd);
    if (!written) return "cannot write " + scratch_path;
  }
  const std::optional<std::size_t> whole = chunks_in_2mib_folios(scratch_path);
  if (!whole) return "page flags are not readable here (they need root)";
  if (*whole == 0) return "this kernel and file system keep written files in smaller folios";
  return std::nullopt;
}

}  // namespace fundtrail::test
