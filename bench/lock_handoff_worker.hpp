// The worker process of the handoff benchmark: its own client and
// LockService, a critical section guarded by redkit's Lock, a pause, repeat.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace redkit::bench {

struct HandoffConfig {
  std::string url;
  std::string lock_name;
  std::string counter_key;
  int workers = 8;
  int sections = 50;
  std::chrono::milliseconds critical_section{1};
  std::chrono::milliseconds think{20};
  std::chrono::milliseconds wait{10'000};
  // When set, every worker runs sections until this much time has passed
  // instead of a fixed number: the per-process counts then show how fairly
  // the lock shares itself out.
  std::chrono::seconds duration{0};
  // LockService::make_fair (FIFO grants) instead of make.
  bool fair = false;
};

// Connects, writes one byte to ready_fd, waits for go_fd to close, runs
// config.sections sections (or sections for config.duration) and writes them
// to `log`. Returns the number of
// try_lock_for calls that timed out; throws on connection errors.
int run_handoff_worker(const HandoffConfig& config, int id, int ready_fd, int go_fd,
                       const std::filesystem::path& log);

}  // namespace redkit::bench
