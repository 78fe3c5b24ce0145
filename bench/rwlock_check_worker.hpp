// The worker process of bench/rwlock_check.cpp: the seed's rwlock_check
// workload (../shared/peers/seed-js/bench.mjs, workerRw) with redkit's
// read-write lock. A reader or a writer loops until the deadline: try to
// acquire (on refusal, count it and retry after 0-2 ms), mark itself inside
// in Redis with a script that also reads the other side's count (a violation
// when a writer shares the inside with anybody), hold 1 ms, unmark, release,
// pause (readers 0-8 ms, writers 0-4 ms).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace redkit::bench {

struct RwCheckConfig {
  std::string url;
  std::string resource;        // the lock's name
  std::string readers_inside;  // counter key
  std::string writers_inside;  // counter key
  bool writer_preference = true;
  std::chrono::milliseconds duration{5000};
};

// What one worker saw; intervals are CLOCK_MONOTONIC ns from just after its
// "inside" mark to the end of its 1 ms hold, as the seed records them.
struct RwCheckResult {
  bool writer = false;
  int id = 0;
  long entries = 0;
  long refusals = 0;
  long violations = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> intervals;
};

// Connects, writes one byte to ready_fd, waits until go_fd is closed (the
// deadline counts from then), runs the loop and writes its result to `log`.
// Throws on connection errors.
void run_rw_check_worker(const RwCheckConfig& config, bool writer, int id, int ready_fd, int go_fd,
                         const std::filesystem::path& log);

// The log format: "role id entries refusals violations", then one "a b" line
// per interval.
void write_rw_result(const std::filesystem::path& path, const RwCheckResult& result);
RwCheckResult read_rw_result(const std::filesystem::path& path);

}  // namespace redkit::bench
