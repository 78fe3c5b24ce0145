// The library's side of self-monitoring (redkit/self_metrics.hpp): recording
// an operation's duration into the process-wide registry, and taking the
// counts no monitor has sent yet.
//
//   void Store::add(...) {
//     detail::SelfTimer timer(SelfOp::ts_add);  // records when it goes out of scope
//     ...
//   }
//
// Recording costs two clock reads and three or four relaxed atomic
// increments: no lock, no allocation, no round trip. A thread can suspend
// recording for a scope (SelfRecordingPause), which is how a monitor keeps
// its own flushes, and the series it writes, out of the counts.
//
// Thread-safety: everything here may be used from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>

#include "redkit/self_metrics.hpp"

namespace redkit::detail {

// Bucket bounds in nanoseconds (self_latency_bounds_ms() in milliseconds).
inline constexpr std::array<std::uint64_t, 20> kSelfBoundsNs{
    25'000,         50'000,         100'000,         250'000,         500'000,
    1'000'000,      2'500'000,      5'000'000,       10'000'000,      25'000'000,
    50'000'000,     100'000'000,    250'000'000,     500'000'000,     1'000'000'000,
    2'500'000'000,  5'000'000'000,  10'000'000'000,  25'000'000'000,  60'000'000'000};
// Buckets per histogram: one per bound and +Inf.
inline constexpr std::size_t kSelfBuckets = kSelfBoundsNs.size() + 1;

// The bucket a duration of `ns` falls in: the first whose bound is >= ns.
std::size_t self_bucket_of(std::uint64_t ns) noexcept;

// Counts one call of `op` lasting `elapsed` (negative counts as zero); an
// error when !ok. Does nothing while this thread's recording is suspended.
void self_record(SelfOp op, std::chrono::nanoseconds elapsed, bool ok) noexcept;

// Whether recording is suspended on this thread.
bool self_recording_suspended() noexcept;

// Suspends recording on this thread for its scope (nests).
class SelfRecordingPause {
 public:
  SelfRecordingPause() noexcept;
  ~SelfRecordingPause();
  SelfRecordingPause(const SelfRecordingPause&) = delete;
  SelfRecordingPause& operator=(const SelfRecordingPause&) = delete;
};

// Times its scope as one call of `op`. The call is an error when the scope
// is left by an exception, or after fail(). With `enabled` false (or while
// recording is suspended) it records nothing.
class SelfTimer {
 public:
  explicit SelfTimer(SelfOp op, bool enabled = true) noexcept
      : op_(op),
        enabled_(enabled && !self_recording_suspended()),
        exceptions_(std::uncaught_exceptions()),
        start_(enabled_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{}) {}
  ~SelfTimer() {
    if (!enabled_) return;
    const bool ok = !failed_ && std::uncaught_exceptions() <= exceptions_;
    self_record(op_, std::chrono::steady_clock::now() - start_, ok);
  }
  SelfTimer(const SelfTimer&) = delete;
  SelfTimer& operator=(const SelfTimer&) = delete;

  void fail() noexcept { failed_ = true; }

 private:
  SelfOp op_;
  bool enabled_;
  bool failed_ = false;
  int exceptions_;
  std::chrono::steady_clock::time_point start_;
};

// Counts of every operation as plain numbers: a snapshot, or a delta.
struct SelfCounts {
  struct Op {
    std::uint64_t calls = 0;
    std::uint64_t errors = 0;
    std::uint64_t sum_ns = 0;
    std::array<std::uint64_t, kSelfBuckets> buckets{};
  };
  std::array<Op, kSelfOpCount> ops{};
  bool empty() const noexcept;
};

// Everything this process has counted since it started.
SelfCounts self_totals() noexcept;
// The counts no one has taken yet, now marked taken: each count is taken
// once however many monitors ask.
SelfCounts take_unsent_self_counts() noexcept;
// Gives back counts taken but not delivered, so the next take has them again.
void return_unsent_self_counts(const SelfCounts& counts) noexcept;

// The public form of counts (bounds in milliseconds, sums as doubles).
SelfMetrics to_self_metrics(const SelfCounts& counts);

}  // namespace redkit::detail
