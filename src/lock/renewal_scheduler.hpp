// RenewalScheduler: one thread per LockService that keeps every held lock
// alive. Each lock is renewed at a third of its current lease; locks due together are
// renewed in one pipeline (one round trip for thousands of locks). A renewal
// the server refuses, or a server unreachable until the lock's validity has
// run out, marks the lock lost: its stop token fires and its callback runs.
//
// Entries hold locks weakly: a Lock destroyed without a release simply drops
// out at its renewal time. A release cancels its entry at once, so the
// scheduler holds entries only for locks actually held, not for every lock
// released within the last third of a TTL.
//
// Thread-safety: schedule() and stop() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <map>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lock/lock_state.hpp"
#include "lock/metrics_recorder.hpp"
#include "redkit/client.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {

class RenewalScheduler {
 public:
  using Clock = std::chrono::steady_clock;

  RenewalScheduler(Client client, MetricsRecorder& metrics);
  ~RenewalScheduler();

  // Renews state's lock (acquisition `generation`) from `at` on, replacing
  // the state's pending entry if it has one for the same or an earlier
  // acquisition (an entry of a later one stays: `generation` is stale).
  void schedule(const std::shared_ptr<LockState>& state, std::uint64_t generation, Clock::time_point at);
  // Forgets state's pending renewal, if any (its lock was released).
  void cancel(const LockState* state) noexcept;
  void stop() noexcept;
  bool stopped() const noexcept;

  // The acquisition whose renewal is pending for state, if any (for tests).
  std::optional<std::uint64_t> pending_generation(const LockState* state) const;
  // Renewal rounds run and locks renewed, for tests and metrics.
  std::uint64_t rounds() const noexcept;
  std::uint64_t renewals() const noexcept;

 private:
  struct Entry {
    std::weak_ptr<LockState> state;
    std::uint64_t generation;
    // The state's address, the key of pending_; only compared, never followed.
    const LockState* key;
  };
  // Entries by due time; pending_ finds a state's entry to replace or cancel.
  using Queue = std::multimap<Clock::time_point, Entry>;
  void run();
  void renew(std::vector<Entry>& due);

  Client client_;
  MetricsRecorder& metrics_;
  mutable Mutex mutex_;
  std::condition_variable changed_;
  Queue queue_ GUARDED_BY(mutex_);
  std::unordered_map<const LockState*, Queue::iterator> pending_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::uint64_t rounds_ GUARDED_BY(mutex_) = 0;
  std::uint64_t renewals_ GUARDED_BY(mutex_) = 0;
  std::thread thread_;
};

// When to renew a lease of `lease` granted now: at a third of it, so two more
// attempts fit before it runs out.
inline std::chrono::milliseconds renew_after(std::chrono::milliseconds lease) { return lease / 3; }

// Marks state lost (once) and tells its owner: stop token, then callback.
void mark_lost(LockState& state, std::uint64_t generation, MetricsRecorder& metrics) noexcept;

}  // namespace redkit::detail
