// redkit/self_metrics.hpp — how redkit itself performs in this process and
// across every process that reports to the same Redis: per operation (series
// adds and reads, seals, rule updates, lock acquire/wait/hold/renew/release,
// client round trips, connects and reconnects) a call count, an error count
// and a latency histogram.
//
// The library counts every operation in memory, always: a few relaxed atomic
// increments per call, no lock and no round trip. snapshot_self_metrics()
// reads this process's totals. A SelfMonitor adds what was counted since its
// last flush to a hash in Redis about once a second (HINCRBY), so
// SelfMonitor::read() and read_self_metrics() report the sum over every
// process; with record_series it also writes per-interval samples as series
// "redkit:self:<op>:<measure>", so the store charts itself.
//
//   redkit::Client client;
//   redkit::SelfMonitor monitor(client);  // flushes every second from a thread
//   ...                                   // use locks and series as usual
//   redkit::SelfMetrics all = monitor.read();
//   std::cout << redkit::to_prometheus(all);  // redkit_operation_calls_total{op="ts_add"} ...
//
// Redis layout (docs/KEYS.md): <prefix>{self-metrics}, a hash of fields
// "<op>:calls", "<op>:errors", "<op>:sum_ns" and "<op>:le:<bucket index>"
// (per-bucket counts, not cumulative; the index is into
// self_latency_bounds_ms(), its size meaning +Inf).
//
// Thread-safety: the free functions may be called from any thread at any
// time. A SelfMonitor's members may be called from any thread. Counts are
// process-wide and every count is sent once, by whichever monitor flushes
// first, so several monitors in one process never send a count twice (give
// them the same Redis and prefix, or some counts land in each).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/lock_metrics.hpp"

namespace redkit {

// The operations redkit measures. Each call of one is counted once, with its
// duration; a call that ends with an exception counts as an error too.
enum class SelfOp {
  ts_add,             // ts::Store::add / add_now
  ts_add_many,        // ts::Store::add_many (either form), one call per batch
  ts_range,           // ts::Store::range / reverse_range
  ts_latest,          // ts::Store::latest
  ts_mget,            // ts::Store::mget
  ts_mrange,          // ts::Store::mrange
  ts_seal,            // sealing a head into a compressed chunk (one head, or
                      // the heads an add_many filled, together)
  ts_rule_update,     // recomputing the compaction buckets that adds touched
  lock_acquire,       // one acquisition attempt (a round trip, or one round
                      // of a Redlock's masters); a busy lock is not an error
  lock_wait,          // a whole acquisition with waiting; an error when it
                      // ended without the lock (timeout)
  lock_hold,          // from acquisition to release
  lock_renew,         // one lock's renewal by the scheduler, or a Redlock
                      // lease's extend(); an error when it failed (the lock
                      // was lost or the server unreachable)
  lock_release,       // one release round trip
  client_round_trip,  // commands written on a connection and their replies read
  client_connect,     // opening a connection (connect, TLS, AUTH, SELECT)
  client_reconnect,   // a connection opened to replace one that broke,
                      // including the backoff before it
};
inline constexpr std::size_t kSelfOpCount = 16;

// "ts_add", "lock_wait", ...: the op label in every exposition.
std::string_view to_string(SelfOp op) noexcept;

// Upper bounds of the latency buckets in milliseconds, ascending, log-spaced
// from 0.025 ms (a loopback round trip is about 0.03 ms) to 60 s; a last
// bucket without bound (+Inf) follows them.
std::span<const double> self_latency_bounds_ms() noexcept;

struct SelfOperationMetrics {
  SelfOp op{};
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;  // calls that threw (see SelfOp for exceptions)
  // One sample per call, bounds self_latency_bounds_ms().
  LatencyHistogram latency{};
};

struct SelfMetrics {
  // One entry per SelfOp, in declaration order.
  std::vector<SelfOperationMetrics> operations{};
  // The entry of `op`. Throws InvalidArgument when operations has none.
  const SelfOperationMetrics& at(SelfOp op) const;
};

// The mean of h's samples in milliseconds; 0 without samples.
double mean_ms(const LatencyHistogram& h) noexcept;
// An estimate of the q-quantile (0 <= q <= 1) of h's samples in
// milliseconds, interpolated linearly inside the bucket that holds it as
// Prometheus' histogram_quantile does; the highest bound when it falls in
// the +Inf bucket; 0 without samples. q outside [0, 1] is taken as the
// nearer end, NaN as 0.
double quantile_ms(const LatencyHistogram& h, double q) noexcept;

// Everything this process has counted since it started (in memory; no
// round trip), whether or not a SelfMonitor has sent it.
SelfMetrics snapshot_self_metrics();

// The sum over every process, as stored in Redis under `prefix`. Throws
// InvalidArgument for an empty prefix, ConnectionError, and ProtocolError
// for a malformed hash.
SelfMetrics read_self_metrics(const Client& client, std::string_view prefix = "redkit:");

// The Prometheus text exposition (format 0.0.4): redkit_operation_calls_total,
// redkit_operation_errors_total and the histogram redkit_operation_seconds,
// each with an op label. Operations without calls are left out of the
// histogram but keep their zero counters.
std::string to_prometheus(const SelfMetrics& m);
// One JSON object: {"bounds_ms": [...], "operations": {"ts_add": {"calls": N,
// "errors": N, "sum_ms": x, "mean_ms": x, "p50_ms": x, "p99_ms": x,
// "buckets": [per-bucket counts, +Inf last]}, ...}}. Counts are integers.
std::string to_json(const SelfMetrics& m);

struct SelfMonitorOptions {
  // Prepended to the hash key (and to the keys of the series it writes).
  std::string prefix = "redkit:";
  // How often the monitor's thread flushes. Zero: no thread; only flush()
  // and the destructor send counts. Shorter intervals cost one round trip
  // each (when something was counted) and finer series.
  std::chrono::milliseconds flush_interval{1000};
  // Also write, per flush and per operation called in the interval, samples
  // of the series redkit:self:<op>:calls, :errors (counts in the interval),
  // :mean_ms and :p99_ms, labelled redkit_self=1 op=<op> measure=<measure>.
  // An interval without calls writes nothing. Costs one round trip per
  // flush (more the first time, to create the series). The monitor's own
  // writes are never counted.
  bool record_series = false;
  // Retention of the series it creates (record_series). Zero keeps every
  // sample.
  std::chrono::milliseconds series_retention{std::chrono::hours(24)};
};

class SelfMonitor {
 public:
  // Starts the flush thread (unless flush_interval is zero). Throws
  // InvalidArgument for an empty prefix or a negative interval or retention.
  explicit SelfMonitor(Client client, SelfMonitorOptions options = {});
  // Stops the thread and flushes what is left, best effort: counts that
  // cannot be sent then are lost with the process.
  ~SelfMonitor();
  SelfMonitor(const SelfMonitor&) = delete;
  SelfMonitor& operator=(const SelfMonitor&) = delete;

  // Adds the counts of this process not yet sent by any monitor to Redis,
  // then (record_series) writes the interval's samples. Throws
  // ConnectionError when the counts cannot be added: they are kept for the
  // next flush. A failure to write the samples throws Error after the counts
  // were added; that interval's samples are lost.
  void flush();
  // The sum over every process (read_self_metrics with this prefix).
  SelfMetrics read() const;
  // <prefix>{self-metrics}
  const std::string& hash_key() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace redkit
