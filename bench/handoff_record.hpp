// One critical section of the handoff benchmark as a worker process logs it,
// and the log format: one line per section, so the parent can merge the
// workers' files after they exit (no shared memory, no IPC while timing).
//
// Times are CLOCK_MONOTONIC nanoseconds, one clock for every process on the
// machine, so sections logged by different processes can be put in order.
#pragma once

#include <time.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace redkit::bench {

inline std::int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

struct Section {
  int worker = 0;
  std::int64_t requested = 0;     // try_lock_for called
  std::int64_t acquired = 0;      // try_lock_for returned true
  std::int64_t releasing = 0;     // unlock called
  std::int64_t released = 0;      // unlock returned
  std::uint64_t fence = 0;
};

inline void write_sections(const std::filesystem::path& path, const std::vector<Section>& sections) {
  std::ofstream out(path);
  for (const Section& s : sections) {
    out << s.worker << ' ' << s.requested << ' ' << s.acquired << ' ' << s.releasing << ' ' << s.released << ' '
        << s.fence << '\n';
  }
}

inline std::vector<Section> read_sections(const std::filesystem::path& path) {
  std::vector<Section> sections;
  std::ifstream in(path);
  Section s;
  while (in >> s.worker >> s.requested >> s.acquired >> s.releasing >> s.released >> s.fence) sections.push_back(s);
  return sections;
}

}  // namespace redkit::bench
