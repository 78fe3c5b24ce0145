// redkit/lock_metrics.hpp — how locks behave across every process that uses
// them: attempts, acquisitions, timeouts, lost locks, renewals, histograms of
// wait time, handoff latency and hold time, and the most contended names.
//
// Each LockService counts in memory and adds its counts to Redis about once a
// second (and when it is destroyed), so LockService::metrics() reports the
// sum over all processes. Space in Redis is bounded: fixed histogram buckets
// and at most 1000 contended names (the least contended are dropped).
// A MultiLock counts as its locks do one by one (an attempt, an acquisition,
// a release and a hold time per lock); its wait and a timeout count once.
//
//   redkit::LockMetrics m = locks.metrics();
//   std::cout << redkit::to_prometheus(m);   // text exposition format 0.0.4
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace redkit {

struct LatencyHistogram {
  // Upper bounds of the buckets in milliseconds, ascending; a last bucket
  // without bound (+Inf) follows them.
  std::vector<double> bounds_ms{};
  // Samples per bucket (not cumulative); bounds_ms.size() + 1 entries.
  std::vector<std::uint64_t> counts{};
  std::uint64_t count = 0;
  double sum_ms = 0;
};

struct LockMetrics {
  std::uint64_t attempts = 0;      // acquire requests sent
  std::uint64_t acquisitions = 0;  // successful acquisitions
  std::uint64_t timeouts = 0;      // waits that ended without the lock
  std::uint64_t releases = 0;
  std::uint64_t lost = 0;          // locks found lost while held
  std::uint64_t renewals = 0;      // successful renewals by the schedulers
  // From the start of an acquisition to getting the lock (0 when it was free).
  LatencyHistogram wait{};
  // From a release to the acquisition by a waiter, on the server's clock.
  LatencyHistogram handoff{};
  // From acquisition to release.
  LatencyHistogram hold{};
  // Names with the most failed attempts, most contended first (top 10).
  std::vector<std::pair<std::string, std::uint64_t>> most_contended{};
};

// The Prometheus text exposition of m, metric names prefixed redkit_lock_.
std::string to_prometheus(const LockMetrics& m);

}  // namespace redkit
