// The demo's lock scenarios (see demo_scenarios.hpp). Each one checks its own
// outcome and throws if a property does not hold, so the demo fails loudly.
#include <atomic>
#include <chrono>
#include <latch>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "demo_scenarios.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"

namespace redkit::cli {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Every lock key and the lock metrics go under the run's own prefix, so the
// demo's cleanup removes them with everything else.
LockServiceOptions demo_options(const std::string& prefix) {
  return {.prefix = prefix, .owner_label = "redkit demo", .metrics_flush_interval = 0ms,
          .deadlock_check_interval = 1000ms};
}

// Runs fn(thread index) on n threads; rethrows the first failure.
template <typename Fn>
void on_threads(int n, Fn fn) {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < n; ++t) {
      threads.emplace_back([&, t] {
        try {
          fn(t);
        } catch (...) {
          errors[static_cast<std::size_t>(t)] = std::current_exception();
        }
      });
    }
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

double median_ms(const LatencyHistogram& h) {
  // The bucket holding the middle sample; its upper bound is what is known.
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < h.counts.size(); ++b) {
    seen += h.counts[b];
    if (seen * 2 >= h.count && h.count > 0) return b < h.bounds_ms.size() ? h.bounds_ms[b] : h.bounds_ms.back();
  }
  return 0;
}

}  // namespace

void show_locked_counter(Report& report, const redkit::Client& client, const std::string& prefix) {
  constexpr int kThreads = 8;
  constexpr int kSections = 25;
  LockService locks(client, demo_options(prefix));
  const std::string counter = prefix + "locked-counter";
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<std::uint64_t> last_fence{0};
  std::atomic<int> fence_regressions{0};
  const auto start = Clock::now();
  on_threads(kThreads, [&](int) {
    Lock lock = locks.make("counter", {.ttl = 10s});
    for (int i = 0; i < kSections; ++i) {
      if (!lock.try_lock_for(30s)) throw std::runtime_error("demo lock not acquired within 30 s");
      if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
      // GET then SET: two round trips that only the lock keeps from racing.
      auto value = client.command({"GET", counter}).as_optional_string();
      client.command({"SET", counter, std::to_string(value ? std::stoll(*value) + 1 : 1)});
      const std::uint64_t fence = lock.fence().value;
      if (fence <= last_fence.exchange(fence)) fence_regressions.fetch_add(1);
      inside.fetch_sub(1);
      lock.unlock();
    }
  });
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const long long total = std::stoll(client.command({"GET", counter}).as_string());
  const LockMetrics metrics = locks.metrics();
  if (total != kThreads * kSections || overlaps != 0 || fence_regressions != 0) {
    throw std::runtime_error(fmt::format("locked counter: {} of {} updates, {} overlaps, {} fence regressions",
                                         total, kThreads * kSections, overlaps.load(), fence_regressions.load()));
  }
  report.step("lock", "lock",
              fmt::format("{} threads × {} read-modify-write sections under one lock: {} of {} updates, 0 "
                          "overlaps, fencing tokens always increasing, handoff median ≤ {} ms over {} handoffs, "
                          "{:.0f} ms",
                          kThreads, kSections, total, kThreads * kSections, median_ms(metrics.handoff),
                          metrics.handoff.count, ms),
              {{"threads", kThreads},
               {"sections", kThreads * kSections},
               {"updates", total},
               {"overlaps", 0},
               {"handoffs", metrics.handoff.count},
               {"handoff_median_ms_at_most", median_ms(metrics.handoff)},
               {"elapsed_ms", ms}});
}

void show_bank_transfers(Report& report, const redkit::Client& client, const std::string& prefix) {
  constexpr int kAccounts = 4;
  constexpr int kThreads = 6;
  constexpr int kTransfers = 20;
  LockService locks(client, demo_options(prefix));
  for (int a = 0; a < kAccounts; ++a) client.command({"SET", fmt::format("{}balance:{}", prefix, a), "1000"});
  on_threads(kThreads, [&](int t) {
    std::minstd_rand random(static_cast<unsigned>(t) + 1);
    for (int i = 0; i < kTransfers; ++i) {
      const int from = static_cast<int>(random() % kAccounts);
      const int to = (from + 1 + static_cast<int>(random() % (kAccounts - 1))) % kAccounts;
      // Threads lock the same pairs in opposite orders: no deadlock, since a
      // multi-lock never holds one account while waiting for the other.
      MultiLock pair = locks.make_multi({fmt::format("account:{}", from), fmt::format("account:{}", to)});
      if (!pair.try_lock_for(30s)) throw std::runtime_error("demo accounts not locked within 30 s");
      const std::string from_key = fmt::format("{}balance:{}", prefix, from);
      const std::string to_key = fmt::format("{}balance:{}", prefix, to);
      const long long from_balance = std::stoll(client.command({"GET", from_key}).as_string());
      const long long to_balance = std::stoll(client.command({"GET", to_key}).as_string());
      const long long amount = std::min<long long>(from_balance, 10 + static_cast<long long>(random() % 50));
      client.command({"SET", from_key, std::to_string(from_balance - amount)});
      client.command({"SET", to_key, std::to_string(to_balance + amount)});
      pair.unlock();
    }
  });
  long long total = 0;
  for (int a = 0; a < kAccounts; ++a) {
    total += std::stoll(client.command({"GET", fmt::format("{}balance:{}", prefix, a)}).as_string());
  }
  if (total != kAccounts * 1000) {
    throw std::runtime_error(fmt::format("bank transfers: money is {} instead of {}", total, kAccounts * 1000));
  }
  report.step("multilock", "multilock",
              fmt::format("{} threads × {} transfers between {} accounts, both locked at once in any order: "
                          "balance total stays {}, no deadlock",
                          kThreads, kTransfers, kAccounts, total),
              {{"transfers", kThreads * kTransfers}, {"accounts", kAccounts}, {"total", total}});
}

void show_renewal(Report& report, const redkit::Client& client, const std::string& prefix) {
  constexpr auto kTtl = 200ms;
  constexpr auto kJob = 1500ms;
  LockService locks(client, demo_options(prefix));
  Lock job = locks.make("long-job", {.ttl = kTtl});
  Lock rival = locks.make("long-job", {.auto_renew = false});
  if (!job.try_lock()) throw std::runtime_error("demo renewal lock not acquired");
  const auto end = Clock::now() + kJob;
  int refused = 0;
  while (Clock::now() < end) {
    if (rival.try_lock()) throw std::runtime_error("a rival took the renewed lock");
    ++refused;
    std::this_thread::sleep_for(50ms);  // the job's own work, not a synchronisation
  }
  if (job.lost() || job.stop_token().stop_requested()) throw std::runtime_error("the renewed lock was lost");
  const LockOutcome outcome = job.release();
  const std::uint64_t renewals = locks.metrics().renewals;
  report.step("renewal", "renewal",
              fmt::format("a {} ms job under a {} ms lock: renewed {} times, {} rival attempts refused, released: {}",
                          kJob.count(), kTtl.count(), renewals, refused, to_string(outcome)),
              {{"job_ms", kJob.count()}, {"ttl_ms", kTtl.count()}, {"renewals", renewals}, {"rival_refused", refused}});
}

void show_read_write(Report& report, const redkit::Client& client, const std::string& prefix) {
  constexpr int kReaders = 4;
  constexpr int kWriters = 2;
  constexpr auto kDuration = 1000ms;
  LockService locks(client, demo_options(prefix));
  std::atomic<int> readers_inside{0};
  std::atomic<int> writers_inside{0};
  std::atomic<int> violations{0};
  std::atomic<int> reads{0};
  std::atomic<int> writes{0};
  const auto end = Clock::now() + kDuration;
  on_threads(kReaders + kWriters, [&](int t) {
    const bool writer = t < kWriters;
    Lock lock = writer ? locks.make_writer("document", {.ttl = 5s}) : locks.make_reader("document", {.ttl = 5s});
    while (Clock::now() < end) {
      if (!lock.try_lock_for(2s)) continue;
      if (writer) {
        if (writers_inside.fetch_add(1) != 0 || readers_inside.load() != 0) violations.fetch_add(1);
        std::this_thread::sleep_for(2ms);
        writers_inside.fetch_sub(1);
        writes.fetch_add(1);
        lock.unlock();
        std::this_thread::sleep_for(20ms);  // writes are the rarer event, as in most read-mostly data
        continue;
      } else {
        readers_inside.fetch_add(1);
        if (writers_inside.load() != 0) violations.fetch_add(1);
        std::this_thread::sleep_for(2ms);
        readers_inside.fetch_sub(1);
        reads.fetch_add(1);
      }
      lock.unlock();
    }
  });
  if (violations != 0) throw std::runtime_error(fmt::format("read-write lock: {} overlaps", violations.load()));
  report.step("rwlock", "rwlock",
              fmt::format("{} readers and {} writers for {} ms: {} reads, {} writes, 0 reader/writer overlaps "
                          "(the seed's check-then-act version overlaps hundreds of times)",
                          kReaders, kWriters, kDuration.count(), reads.load(), writes.load()),
              {{"reads", reads.load()}, {"writes", writes.load()}, {"overlaps", 0}});
}

void show_registry_and_deadlock(Report& report, const redkit::Client& client, const std::string& prefix) {
  LockServiceOptions options = demo_options(prefix);
  options.owner_label = "billing worker";
  options.deadlock_check_interval = 100ms;
  LockService locks(client, options);
  // The registry: who holds what, from the holder keys (never KEYS).
  {
    Lock first = locks.make("invoice:1001");
    Lock second = locks.make("invoice:1002");
    if (!first.try_lock() || !second.try_lock()) throw std::runtime_error("registry: locks not acquired");
    const std::vector<LockInfo> held = locks.list();
    if (held.size() != 2 || held[0].name != "invoice:1001" || held[0].label != "billing worker" ||
        held[0].pid != held[1].pid) {
      throw std::runtime_error("registry: the listing does not show both holders");
    }
    report.step("registry", "registry",
                fmt::format("2 locks held, listed with their owner: {} and {} by {} pid {} (\"{}\"), ttl left {} ms",
                            held[0].name, held[1].name, held[0].host, held[0].pid, held[0].label,
                            held[0].ttl_left.count()),
                {{"held", held.size()}, {"label", held[0].label}});
  }
  // Two workers lock two accounts in opposite orders: each holds one and
  // waits for the other's. The youngest wait of the cycle is refused with a
  // DeadlockError, its guard releases, and the other worker goes on.
  std::latch both_hold(2);
  std::atomic<int> broken{0};
  std::atomic<int> finished{0};
  std::size_t cycle_length = 0;
  on_threads(2, [&](int t) {
    Lock mine = locks.make(t == 0 ? "account:a" : "account:b", {.ttl = 10s});
    Lock theirs = locks.make(t == 0 ? "account:b" : "account:a", {.ttl = 10s});
    if (!mine.try_lock_for(5s)) throw std::runtime_error("deadlock: first lock not acquired");
    both_hold.arrive_and_wait();
    try {
      if (theirs.try_lock_for(10s)) finished.fetch_add(1);
    } catch (const DeadlockError& error) {
      cycle_length = error.cycle().size();
      broken.fetch_add(1);
    }
  });
  if (broken != 1 || finished != 1 || cycle_length != 2) {
    throw std::runtime_error(fmt::format("deadlock: {} broken, {} finished", broken.load(), finished.load()));
  }
  const LockMetrics metrics = locks.metrics();
  report.step("deadlock", "deadlock",
              fmt::format("two workers locking two accounts in opposite orders: the cycle of {} waits was found, "
                          "the younger wait refused, the other worker finished",
                          cycle_length),
              {{"broken", 1}, {"finished", 1}});
  report.step("metrics", "metrics",
              fmt::format("lock metrics over every process of this prefix: {} attempts, {} acquisitions, {} "
                          "releases, {} renewals, {} timeouts; {} holds measured",
                          metrics.attempts, metrics.acquisitions, metrics.releases, metrics.renewals,
                          metrics.timeouts, metrics.hold.count),
              {{"attempts", metrics.attempts}, {"acquisitions", metrics.acquisitions}});
}

}  // namespace redkit::cli
