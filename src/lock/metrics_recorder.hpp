// MetricsRecorder: counts lock events in memory and adds them to Redis about
// once a second from its own thread, so recording costs no round trip on the
// lock's path and all processes' counts add up in one place.
//
// Redis layout (docs/KEYS.md): <prefix>{lock-metrics} hash of counters and
// histogram fields "<histogram>:le:<bound index>", "<histogram>:count",
// "<histogram>:sum_us"; <prefix>{lock-metrics}:contention zset name -> failed
// attempts, trimmed to the 1000 highest after each flush.
//
// Thread-safety: all members may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "redkit/client.hpp"
#include "redkit/lock_metrics.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {

// Bucket bounds shared by every histogram, in milliseconds.
inline constexpr std::array<double, 16> kLatencyBoundsMs{0.1, 0.25, 0.5, 1,   2.5,  5,    10,    25,
                                                         50,  100,  250, 500, 1000, 2500, 10000, 60000};

class MetricsRecorder {
 public:
  enum class Histogram { wait, handoff, hold };
  enum class Counter { attempts, acquisitions, timeouts, releases, lost, renewals };

  // flush_interval zero: never flushes on its own (flush() still works).
  MetricsRecorder(Client client, std::string prefix, std::chrono::milliseconds flush_interval);
  ~MetricsRecorder();  // flushes what is left, best effort

  void add(Counter counter, std::uint64_t n = 1) noexcept;
  void observe(Histogram histogram, std::chrono::microseconds value) noexcept;
  void contended(const std::string& name) noexcept;

  // Sends the counts gathered since the last flush. Throws ConnectionError;
  // the counts are then kept for the next try.
  void flush();
  // The sum over all processes, as stored in Redis.
  LockMetrics read() const;

  const std::string& hash_key() const noexcept { return hash_key_; }
  const std::string& contention_key() const noexcept { return contention_key_; }

 private:
  struct Pending {
    std::array<std::uint64_t, 6> counters{};
    struct Histo {
      std::array<std::uint64_t, kLatencyBoundsMs.size() + 1> buckets{};
      std::uint64_t count = 0;
      std::uint64_t sum_us = 0;
    };
    std::array<Histo, 3> histograms{};
    std::map<std::string, std::uint64_t> contention;
    bool empty() const;
  };
  void run();

  Client client_;
  const std::string hash_key_;
  const std::string contention_key_;
  const std::chrono::milliseconds flush_interval_;

  Mutex mutex_;
  std::condition_variable changed_;
  Pending pending_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  Mutex flush_mutex_;  // one flush at a time, so no counts are sent twice
  std::thread thread_;
};

}  // namespace redkit::detail
