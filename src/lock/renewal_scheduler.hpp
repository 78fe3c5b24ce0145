// RenewalScheduler: one thread per LockService that keeps every held lock
// alive. Each lock is renewed at a third of its TTL; locks due together are
// renewed in one pipeline (one round trip for thousands of locks). A renewal
// the server refuses, or a server unreachable until the lock's validity has
// run out, marks the lock lost: its stop token fires and its callback runs.
//
// Entries hold locks weakly: a Lock destroyed or released simply drops out.
//
// Thread-safety: schedule() and stop() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "lock/lock_state.hpp"
#include "lock/metrics_recorder.hpp"
#include "redkit/client.hpp"

namespace redkit::detail {

class RenewalScheduler {
 public:
  using Clock = std::chrono::steady_clock;

  RenewalScheduler(Client client, MetricsRecorder& metrics);
  ~RenewalScheduler();

  // Renews state's lock (acquisition `generation`) from `at` on.
  void schedule(const std::shared_ptr<LockState>& state, std::uint64_t generation, Clock::time_point at);
  void stop() noexcept;
  bool stopped() const noexcept;

  // Renewal rounds run and locks renewed, for tests and metrics.
  std::uint64_t rounds() const noexcept;
  std::uint64_t renewals() const noexcept;

 private:
  struct Entry {
    Clock::time_point due;
    std::weak_ptr<LockState> state;
    std::uint64_t generation;
    bool operator>(const Entry& other) const { return due > other.due; }
  };
  void run();
  void renew(std::vector<Entry>& due);

  Client client_;
  MetricsRecorder& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;  // guarded by mutex_
  bool stopping_ = false;                                                // guarded by mutex_
  std::uint64_t rounds_ = 0;                                             // guarded by mutex_
  std::uint64_t renewals_ = 0;                                           // guarded by mutex_
  std::thread thread_;
};

// Marks state lost (once) and tells its owner: stop token, then callback.
void mark_lost(LockState& state, std::uint64_t generation, MetricsRecorder& metrics) noexcept;

}  // namespace redkit::detail
