// The process-wide registry of operation counts: atomics bumped on the hot
// path, and the record of what the monitors have sent.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"
#include "redkit/self_metrics.hpp"

namespace redkit::detail {
namespace {

// One operation's counters, on cache lines of their own so that threads
// busy with different operations do not slow each other down.
struct alignas(64) SelfOpCells {
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> sum_ns{0};
  std::array<std::atomic<std::uint64_t>, kSelfBuckets> buckets{};
};

// Totals since the process started; they only grow. Constant-initialized,
// so recording works from static constructors too.
constinit std::array<SelfOpCells, kSelfOpCount> self_cells{};

// What the monitors have taken so far (self_totals() minus this is what
// nobody has sent yet). Touched only by flushes, never on the hot path.
std::mutex self_taken_mutex;
SelfCounts self_taken;  // guarded by self_taken_mutex

thread_local int self_pause_depth = 0;

}  // namespace

std::size_t self_bucket_of(std::uint64_t ns) noexcept {
  return static_cast<std::size_t>(std::lower_bound(kSelfBoundsNs.begin(), kSelfBoundsNs.end(), ns) -
                                  kSelfBoundsNs.begin());
}

void self_record(SelfOp op, std::chrono::nanoseconds elapsed, bool ok) noexcept {
  if (self_pause_depth > 0) return;
  const auto index = static_cast<std::size_t>(op);
  if (index >= kSelfOpCount) return;
  const std::uint64_t ns = elapsed.count() > 0 ? static_cast<std::uint64_t>(elapsed.count()) : 0;
  SelfOpCells& cells = self_cells[index];
  cells.calls.fetch_add(1, std::memory_order_relaxed);
  if (!ok) cells.errors.fetch_add(1, std::memory_order_relaxed);
  cells.sum_ns.fetch_add(ns, std::memory_order_relaxed);
  cells.buckets[self_bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
}

bool self_recording_suspended() noexcept { return self_pause_depth > 0; }

SelfRecordingPause::SelfRecordingPause() noexcept { ++self_pause_depth; }

SelfRecordingPause::~SelfRecordingPause() { --self_pause_depth; }

bool SelfCounts::empty() const noexcept {
  return std::all_of(ops.begin(), ops.end(), [](const Op& op) { return op.calls == 0; });
}

SelfCounts self_totals() noexcept {
  SelfCounts out;
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    const SelfOpCells& cells = self_cells[i];
    SelfCounts::Op& op = out.ops[i];
    op.calls = cells.calls.load(std::memory_order_relaxed);
    op.errors = cells.errors.load(std::memory_order_relaxed);
    op.sum_ns = cells.sum_ns.load(std::memory_order_relaxed);
    for (std::size_t b = 0; b < kSelfBuckets; ++b) op.buckets[b] = cells.buckets[b].load(std::memory_order_relaxed);
  }
  return out;
}

SelfCounts take_unsent_self_counts() noexcept {
  std::lock_guard lock(self_taken_mutex);
  // Read under the mutex: totals only grow, so each field's total is at
  // least what an earlier take saw and every difference is >= 0. A call
  // recorded while this reads may be in some fields and not yet in others;
  // the next take has the rest.
  const SelfCounts totals = self_totals();
  SelfCounts delta;
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    const SelfCounts::Op& total = totals.ops[i];
    SelfCounts::Op& taken = self_taken.ops[i];
    SelfCounts::Op& d = delta.ops[i];
    d.calls = total.calls - taken.calls;
    d.errors = total.errors - taken.errors;
    d.sum_ns = total.sum_ns - taken.sum_ns;
    for (std::size_t b = 0; b < kSelfBuckets; ++b) d.buckets[b] = total.buckets[b] - taken.buckets[b];
    taken = total;
  }
  return delta;
}

void return_unsent_self_counts(const SelfCounts& counts) noexcept {
  std::lock_guard lock(self_taken_mutex);
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    const SelfCounts::Op& back = counts.ops[i];
    SelfCounts::Op& taken = self_taken.ops[i];
    taken.calls -= back.calls;
    taken.errors -= back.errors;
    taken.sum_ns -= back.sum_ns;
    for (std::size_t b = 0; b < kSelfBuckets; ++b) taken.buckets[b] -= back.buckets[b];
  }
}

SelfMetrics to_self_metrics(const SelfCounts& counts) {
  SelfMetrics out;
  out.operations.reserve(kSelfOpCount);
  const auto bounds = self_latency_bounds_ms();
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    const SelfCounts::Op& op = counts.ops[i];
    SelfOperationMetrics& m = out.operations.emplace_back();
    m.op = static_cast<SelfOp>(i);
    m.calls = op.calls;
    m.errors = op.errors;
    m.latency.bounds_ms.assign(bounds.begin(), bounds.end());
    m.latency.counts.assign(op.buckets.begin(), op.buckets.end());
    for (std::uint64_t n : op.buckets) m.latency.count += n;
    m.latency.sum_ms = static_cast<double>(op.sum_ns) / 1e6;
  }
  return out;
}

}  // namespace redkit::detail

namespace redkit {

std::span<const double> self_latency_bounds_ms() noexcept {
  static constexpr std::array<double, detail::kSelfBoundsNs.size()> kBoundsMs = [] {
    std::array<double, detail::kSelfBoundsNs.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(detail::kSelfBoundsNs[i]) / 1e6;
    return out;
  }();
  return kBoundsMs;
}

SelfMetrics snapshot_self_metrics() { return detail::to_self_metrics(detail::self_totals()); }

const SelfOperationMetrics& SelfMetrics::at(SelfOp op) const {
  for (const SelfOperationMetrics& m : operations) {
    if (m.op == op) return m;
  }
  throw InvalidArgument("self metrics hold no entry for operation " + std::string(to_string(op)));
}

}  // namespace redkit
