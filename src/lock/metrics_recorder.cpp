// MetricsRecorder: in-memory counts, periodic flush, reading the totals.
#include "lock/metrics_recorder.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

constexpr const char* kCounterNames[] = {"attempts", "acquisitions", "timeouts", "releases", "lost", "renewals"};
constexpr const char* kHistogramNames[] = {"wait", "handoff", "hold"};
constexpr int kContendedKept = 1000;
constexpr std::size_t kContendedReported = 10;

}  // namespace

bool MetricsRecorder::Pending::empty() const {
  for (auto c : counters) {
    if (c != 0) return false;
  }
  for (const auto& h : histograms) {
    if (h.count != 0) return false;
  }
  return contention.empty();
}

MetricsRecorder::MetricsRecorder(Client client, std::string prefix, std::chrono::milliseconds flush_interval)
    : client_(std::move(client)),
      hash_key_(prefix + "{lock-metrics}"),
      contention_key_(hash_key_ + ":contention"),
      flush_interval_(flush_interval) {
  if (flush_interval_ > std::chrono::milliseconds::zero()) thread_ = std::thread([this] { run(); });
}

MetricsRecorder::~MetricsRecorder() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  try {
    flush();
  } catch (...) {
    // The server is gone: these counts are lost with the process, which is
    // all a metrics sink can do.
  }
}

void MetricsRecorder::add(Counter counter, std::uint64_t n) noexcept {
  MutexLock lock(mutex_);
  pending_.counters[static_cast<std::size_t>(counter)] += n;
}

void MetricsRecorder::observe(Histogram histogram, std::chrono::microseconds value) noexcept {
  const double ms = static_cast<double>(std::max<long long>(value.count(), 0)) / 1000.0;
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kLatencyBoundsMs.begin(), kLatencyBoundsMs.end(), ms) - kLatencyBoundsMs.begin());
  MutexLock lock(mutex_);
  auto& h = pending_.histograms[static_cast<std::size_t>(histogram)];
  ++h.buckets[bucket];
  ++h.count;
  h.sum_us += static_cast<std::uint64_t>(std::max<long long>(value.count(), 0));
}

void MetricsRecorder::contended(const std::string& name) noexcept {
  MutexLock lock(mutex_);
  try {
    // Bounded between flushes too: a burst over many names keeps only those
    // already seen once the map is full.
    if (pending_.contention.size() < static_cast<std::size_t>(kContendedKept) || pending_.contention.contains(name)) {
      ++pending_.contention[name];
    }
  } catch (...) {
    // Out of memory while counting: drop this one event.
  }
}

void MetricsRecorder::run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    lock.wait_for(changed_, flush_interval_);
    if (stopping_) break;
    lock.unlock();
    try {
      flush();
    } catch (...) {
      // Kept for the next round; the lock path never waits on metrics.
    }
    lock.lock();
  }
}

void MetricsRecorder::flush() {
  MutexLock one_at_a_time(flush_mutex_);
  Pending taken;
  {
    MutexLock lock(mutex_);
    if (pending_.empty()) return;
    std::swap(taken, pending_);
  }
  std::vector<Command> commands;
  auto incr = [&](const std::string& field, std::uint64_t n) {
    if (n != 0) commands.push_back(std::move(Command("HINCRBY").key(hash_key_).arg(field).arg(n)));
  };
  for (std::size_t i = 0; i < taken.counters.size(); ++i) incr(kCounterNames[i], taken.counters[i]);
  for (std::size_t i = 0; i < taken.histograms.size(); ++i) {
    const auto& h = taken.histograms[i];
    for (std::size_t b = 0; b < h.buckets.size(); ++b) incr(fmt::format("{}:le:{}", kHistogramNames[i], b), h.buckets[b]);
    incr(fmt::format("{}:count", kHistogramNames[i]), h.count);
    incr(fmt::format("{}:sum_us", kHistogramNames[i]), h.sum_us);
  }
  for (const auto& [name, n] : taken.contention) {
    commands.push_back(std::move(Command("ZINCRBY").key(contention_key_).arg(n).arg(name)));
  }
  if (!taken.contention.empty()) {
    commands.push_back(std::move(Command("ZREMRANGEBYRANK").key(contention_key_).arg(0).arg(-kContendedKept - 1)));
  }
  try {
    auto replies = client_.execute(commands);
    for (const auto& r : replies) r.throw_if_error();
  } catch (...) {
    // Give the counts back so the next flush sends them. (A reply lost after
    // the server applied them would count them twice; a metrics sink prefers
    // that to losing them.)
    MutexLock lock(mutex_);
    for (std::size_t i = 0; i < taken.counters.size(); ++i) pending_.counters[i] += taken.counters[i];
    for (std::size_t i = 0; i < taken.histograms.size(); ++i) {
      auto& into = pending_.histograms[i];
      const auto& from = taken.histograms[i];
      for (std::size_t b = 0; b < from.buckets.size(); ++b) into.buckets[b] += from.buckets[b];
      into.count += from.count;
      into.sum_us += from.sum_us;
    }
    for (const auto& [name, n] : taken.contention) pending_.contention[name] += n;
    throw;
  }
}

LockMetrics MetricsRecorder::read() const {
  auto replies = client_.pipeline()
                     .add(std::move(Command("HGETALL").key(hash_key_)))
                     .add(std::move(Command("ZREVRANGE")
                                        .key(contention_key_)
                                        .arg(0)
                                        .arg(static_cast<long long>(kContendedReported) - 1)
                                        .arg("WITHSCORES")))
                     .exec();
  for (const auto& r : replies) r.throw_if_error();
  std::map<std::string, std::uint64_t> fields;
  const auto& items = replies[0].as_array();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    const std::string& field = items[i].as_string();
    const long long count = items[i + 1].integer_field(fmt::format("lock metrics field {}", field));
    if (count < 0) throw ProtocolError(fmt::format("lock metrics field {}: negative count {}", field, count));
    fields[field] = static_cast<std::uint64_t>(count);
  }

  LockMetrics m;
  std::uint64_t* counters[] = {&m.attempts, &m.acquisitions, &m.timeouts, &m.releases, &m.lost, &m.renewals};
  for (std::size_t i = 0; i < std::size(kCounterNames); ++i) *counters[i] = fields[kCounterNames[i]];
  LatencyHistogram* histograms[] = {&m.wait, &m.handoff, &m.hold};
  for (std::size_t i = 0; i < std::size(kHistogramNames); ++i) {
    LatencyHistogram& h = *histograms[i];
    h.bounds_ms.assign(kLatencyBoundsMs.begin(), kLatencyBoundsMs.end());
    for (std::size_t b = 0; b <= kLatencyBoundsMs.size(); ++b) {
      h.counts.push_back(fields[fmt::format("{}:le:{}", kHistogramNames[i], b)]);
    }
    h.count = fields[fmt::format("{}:count", kHistogramNames[i])];
    h.sum_ms = static_cast<double>(fields[fmt::format("{}:sum_us", kHistogramNames[i])]) / 1000.0;
  }
  const auto& top = replies[1].as_array();
  for (std::size_t i = 0; i + 1 < top.size(); i += 2) {
    m.most_contended.emplace_back(top[i].as_string(), static_cast<std::uint64_t>(top[i + 1].double_field("lock contention score")));
  }
  return m;
}

}  // namespace redkit::detail
