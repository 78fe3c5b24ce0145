// SelfMonitor: sends this process's operation counts to Redis from a thread,
// optionally as series too; reading the totals of every process.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/thread_annotations.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/command.hpp"
#include "redkit/error.hpp"
#include "redkit/reply.hpp"
#include "redkit/self_metrics.hpp"
#include "redkit/time_series.hpp"

namespace redkit {
namespace {

constexpr std::string_view kSelfSeriesPrefix = "redkit:self:";

std::string self_hash_key(std::string_view prefix) { return fmt::format("{}{{self-metrics}}", prefix); }

// The HINCRBY commands that add `counts` to the hash (zero counts left out).
std::vector<Command> self_increments(const std::string& key, const detail::SelfCounts& counts) {
  std::vector<Command> commands;
  auto incr = [&](std::string field, std::uint64_t n) {
    if (n != 0) commands.push_back(std::move(Command("HINCRBY").key(key).arg(field).arg(n)));
  };
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    const detail::SelfCounts::Op& op = counts.ops[i];
    if (op.calls == 0) continue;
    const std::string_view name = to_string(static_cast<SelfOp>(i));
    incr(fmt::format("{}:calls", name), op.calls);
    incr(fmt::format("{}:errors", name), op.errors);
    incr(fmt::format("{}:sum_ns", name), op.sum_ns);
    for (std::size_t b = 0; b < op.buckets.size(); ++b) incr(fmt::format("{}:le:{}", name, b), op.buckets[b]);
  }
  return commands;
}

SelfMonitorOptions validated_self_options(SelfMonitorOptions options) {
  if (options.prefix.empty()) throw InvalidArgument("self metrics key prefix is empty");
  if (options.flush_interval < std::chrono::milliseconds::zero()) {
    throw InvalidArgument(
        fmt::format("self monitor flush_interval {} ms must not be negative", options.flush_interval.count()));
  }
  if (options.series_retention < std::chrono::milliseconds::zero()) {
    throw InvalidArgument(
        fmt::format("self monitor series_retention {} ms must not be negative", options.series_retention.count()));
  }
  return options;
}

}  // namespace

SelfMetrics read_self_metrics(const Client& client, std::string_view prefix) {
  if (prefix.empty()) throw InvalidArgument("self metrics key prefix is empty");
  const std::string key = self_hash_key(prefix);
  const Reply reply = client.command(std::move(Command("HGETALL").key(key)));
  std::map<std::string, std::uint64_t, std::less<>> fields;
  const auto& items = reply.as_array();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    const std::string& field = items[i].as_string();
    const long long count = items[i + 1].integer_field(fmt::format("self metrics field {}", field));
    if (count < 0) throw ProtocolError(fmt::format("self metrics field {}: negative count {}", field, count));
    fields[field] = static_cast<std::uint64_t>(count);
  }
  auto field = [&](std::string_view name) {
    auto it = fields.find(name);
    return it == fields.end() ? std::uint64_t{0} : it->second;
  };
  detail::SelfCounts counts;
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    const std::string_view name = to_string(static_cast<SelfOp>(i));
    detail::SelfCounts::Op& op = counts.ops[i];
    op.calls = field(fmt::format("{}:calls", name));
    op.errors = field(fmt::format("{}:errors", name));
    op.sum_ns = field(fmt::format("{}:sum_ns", name));
    for (std::size_t b = 0; b < op.buckets.size(); ++b) op.buckets[b] = field(fmt::format("{}:le:{}", name, b));
  }
  return detail::to_self_metrics(counts);
}

struct SelfMonitor::Impl {
  Impl(Client c, SelfMonitorOptions o)
      : options(validated_self_options(std::move(o))), client(std::move(c)), hash_key(self_hash_key(options.prefix)) {}

  void run();
  void flush();
  void write_series(const detail::SelfCounts& delta) REQUIRES(flush_mutex);

  const SelfMonitorOptions options;
  const Client client;
  const std::string hash_key;

  detail::Mutex mutex;
  std::condition_variable changed;
  bool stopping GUARDED_BY(mutex) = false;

  detail::Mutex flush_mutex;  // one flush of this monitor at a time
  std::unique_ptr<ts::Store> store GUARDED_BY(flush_mutex);  // made at the first series write
  std::set<std::string> created GUARDED_BY(flush_mutex);     // series known to exist with their labels

  std::thread thread;
};

void SelfMonitor::Impl::run() {
  detail::MutexLock lock(mutex);
  while (!stopping) {
    lock.wait_for(changed, options.flush_interval);
    if (stopping) break;
    lock.unlock();
    try {
      flush();
    } catch (...) {
      // Counts are kept for the next round; series samples of this one are
      // lost. Nothing the application does waits on this thread.
    }
    lock.lock();
  }
}

void SelfMonitor::Impl::flush() {
  // The monitor's own round trips (and the series writes) are not counted:
  // otherwise every flush would leave counts behind for the next one.
  detail::SelfRecordingPause pause;
  detail::MutexLock one_at_a_time(flush_mutex);
  const detail::SelfCounts delta = detail::take_unsent_self_counts();
  if (delta.empty()) return;
  try {
    const std::vector<Command> commands = self_increments(hash_key, delta);
    auto replies = client.execute(commands);
    for (const auto& r : replies) r.throw_if_error();
  } catch (...) {
    // Given back for the next flush. (A reply lost after the server applied
    // them would count them twice; a metrics sink prefers that to losing
    // them.)
    detail::return_unsent_self_counts(delta);
    throw;
  }
  if (options.record_series) write_series(delta);
}

void SelfMonitor::Impl::write_series(const detail::SelfCounts& delta) {
  if (!store) {
    ts::StoreOptions store_options;
    store_options.prefix = options.prefix;
    store_options.default_series.retention = options.series_retention;
    store_options.default_series.duplicate_policy = ts::DuplicatePolicy::last;
    store = std::make_unique<ts::Store>(client, std::move(store_options));
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const SelfMetrics interval = detail::to_self_metrics(delta);
  std::vector<ts::NamedSample> samples;
  for (const SelfOperationMetrics& op : interval.operations) {
    if (op.calls == 0) continue;
    const std::string_view name = to_string(op.op);
    // Two processes flushing in the same millisecond write the same sample:
    // their counts add up; of two latencies the higher is kept.
    const std::pair<std::string_view, double> measures[] = {{"calls", static_cast<double>(op.calls)},
                                                            {"errors", static_cast<double>(op.errors)},
                                                            {"mean_ms", mean_ms(op.latency)},
                                                            {"p99_ms", quantile_ms(op.latency, 0.99)}};
    for (const auto& [measure, value] : measures) {
      std::string series = fmt::format("{}{}:{}", kSelfSeriesPrefix, name, measure);
      if (!created.contains(series)) {
        const bool is_count = measure == "calls" || measure == "errors";
        store->create_if_missing(
            series, ts::SeriesOptions{.retention = options.series_retention,
                                      .duplicate_policy = is_count ? ts::DuplicatePolicy::sum : ts::DuplicatePolicy::max,
                                      .labels = {{"redkit_self", "1"},
                                                 {"op", std::string(name)},
                                                 {"measure", std::string(measure)}}});
        created.insert(series);
      }
      samples.push_back(ts::NamedSample{.series = std::move(series), .timestamp = now, .value = value});
    }
  }
  store->add_many(samples);
}

SelfMonitor::SelfMonitor(Client client, SelfMonitorOptions options)
    : impl_(std::make_unique<Impl>(std::move(client), std::move(options))) {
  if (impl_->options.flush_interval > std::chrono::milliseconds::zero()) {
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
  }
}

SelfMonitor::~SelfMonitor() {
  {
    detail::MutexLock lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->changed.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  try {
    impl_->flush();
  } catch (...) {
    // The server is gone: these counts are lost with the process (or sent by
    // another monitor of it), which is all a metrics sink can do.
  }
}

void SelfMonitor::flush() { impl_->flush(); }

SelfMetrics SelfMonitor::read() const { return read_self_metrics(impl_->client, impl_->options.prefix); }

const std::string& SelfMonitor::hash_key() const noexcept { return impl_->hash_key; }

}  // namespace redkit
