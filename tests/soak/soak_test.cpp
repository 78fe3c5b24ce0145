// Load over time: 16 threads of one process share one Client, LockService
// and Store and mix lock and time-series work against one server for 60 s
// (REDKIT_SOAK_SECONDS to change it). Nothing may fail, every sample added
// must be stored once, and the process must end as it started: no threads or
// connections left behind, resident memory flat after the warm-up.
#include <gtest/gtest.h>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/time_series.hpp"
#include "support/redis_test.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

std::chrono::seconds soak_length() {
  if (const char* text = std::getenv("REDKIT_SOAK_SECONDS"); text != nullptr && *text != '\0') {
    return std::chrono::seconds(std::stoi(text));
  }
  // A sanitizer multiplies the cost of every operation and keeps freed memory
  // in quarantine: a shorter run still exercises every path.
  return kSanitized ? 15s : 60s;
}

std::size_t thread_count() {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                                                std::filesystem::directory_iterator{}));
}

long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Bytes the allocator has handed out and not had back: unlike the resident
// size, it does not move when the allocator keeps freed memory for reuse.
long in_use_kib() { return static_cast<long>(mallinfo2().uordblks / 1024); }

class SoakTest : public RedisTest {};

struct Worker {
  long long operations = 0;
  long long samples_added = 0;
  ts::Timestamp next_timestamp = 1'000'000;
};

TEST_F(SoakTest, SixteenThreadsOfMixedLockAndSeriesWorkStayCleanAndFlat) {
  constexpr int kThreads = 16;
  const auto length = soak_length();
  const std::string p = prefix();
  const std::size_t threads_before = thread_count();
  {
    Client client(redis().url());
    LockService locks(client, {.prefix = p, .owner_label = "soak", .metrics_flush_interval = 1s,
                               .deadlock_check_interval = 1s});
    ts::Store store(client, {.prefix = p, .default_series = {}});
    for (int t = 0; t < kThreads; ++t) {
      store.create("soak." + std::to_string(t), {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::block,
                                                 .labels = {{"soak", "1"}, {"thread", std::to_string(t)}}});
    }

    std::atomic<bool> stop{false};
    std::atomic<long long> errors{0};
    std::mutex first_error_mutex;
    std::string first_error;
    std::vector<Worker> workers(kThreads);
    auto work = [&](int t) {
      std::mt19937 random(static_cast<unsigned>(1000 + t));
      Worker& me = workers[static_cast<std::size_t>(t)];
      const std::string series = "soak." + std::to_string(t);
      while (!stop.load()) {
        try {
          switch (random() % 9) {
            case 0: {
              Lock lock = locks.make("soak-lock-" + std::to_string(random() % 4), {.ttl = 5s});
              if (lock.try_lock_for(50ms) && lock.release() != LockOutcome::done) throw std::runtime_error("release");
              break;
            }
            case 1: {
              Lock reader = locks.make_reader("soak-rw", {.ttl = 5s});
              if (reader.try_lock_for(50ms)) reader.unlock();
              break;
            }
            case 2: {
              Lock writer = locks.make_writer("soak-rw", {.ttl = 5s});
              if (writer.try_lock_for(50ms)) writer.unlock();
              break;
            }
            case 3: {
              Lock permit = locks.make_semaphore("soak-permits", 3, {.ttl = 5s});
              if (permit.try_lock_for(50ms)) permit.unlock();
              break;
            }
            case 4:
              store.add(series, me.next_timestamp++, static_cast<double>(random() % 1000));
              ++me.samples_added;
              break;
            case 5: {
              std::vector<ts::Sample> batch;
              for (int i = 0; i < 100; ++i) batch.push_back({me.next_timestamp++, static_cast<double>(i)});
              store.add_many(series, batch);
              me.samples_added += 100;
              break;
            }
            case 6:
              store.range(series, {.from = me.next_timestamp - 1000, .to = ts::kLatest, .count = {},
                                   .timestamps = {}, .min_value = {}, .max_value = {}, .aggregation = {}});
              break;
            case 7:
              store.mget({"soak=1"});
              break;
            default:
              locks.with_lock("soak-job", 50ms, [](std::stop_token) {});
              break;
          }
          ++me.operations;
        } catch (const std::exception& e) {
          if (errors.fetch_add(1) == 0) {
            std::lock_guard lock(first_error_mutex);
            first_error = e.what();
          }
        }
      }
    };

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(work, t);
    Client admin(redis().url());
    auto connected_clients = [&] {
      const std::string info = admin.command({"INFO", "clients"}).as_string();
      const auto at = info.find("connected_clients:");
      return std::stol(info.substr(at + 18));
    };
    // Warm-up: a quarter of the run fills the pool and the allocator's caches.
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_until(start + length / 4);
    const long rss_warm = resident_kib();
    const long heap_warm = in_use_kib();
    // Threads a client starts on first need (the pub/sub subscriber) exist by
    // now; from here on the count must not move.
    const std::size_t threads_warm = thread_count();
    long clients_warm = 0;
    long clients_late = 0;
    while (std::chrono::steady_clock::now() < start + length) {
      const long now_clients = connected_clients();
      if (std::chrono::steady_clock::now() < start + length / 2) {
        clients_warm = std::max(clients_warm, now_clients);
      } else {
        clients_late = std::max(clients_late, now_clients);
      }
      std::this_thread::sleep_for(250ms);
    }
    const long rss_end = resident_kib();
    const long heap_end = in_use_kib();
    const std::size_t threads_end = thread_count();
    stop = true;
    for (auto& thread : threads) thread.join();

    long long operations = 0;
    for (const Worker& w : workers) operations += w.operations;
    EXPECT_EQ(errors.load(), 0) << "first: " << first_error;
    EXPECT_GT(operations, 1000);
    for (int t = 0; t < kThreads; ++t) {
      const auto stats = store.stats("soak." + std::to_string(t));
      EXPECT_EQ(static_cast<long long>(stats.count), workers[static_cast<std::size_t>(t)].samples_added)
          << "series soak." << t;
    }
    EXPECT_LE(clients_late, clients_warm) << "connections grew during the run";
    EXPECT_EQ(threads_end, threads_warm) << "threads started during the run";
    if (!kSanitized) {
      // What the allocator has handed out must stay flat: growth there is a
      // leak or an unbounded structure. Resident memory may also grow while
      // the 16 threads' allocator arenas keep freed memory for reuse; that
      // is bounded by their peaks, hence the looser limit.
      EXPECT_LE(heap_end - heap_warm, 1024) << "heap in use KiB after warm-up " << heap_warm << ", at the end "
                                            << heap_end;
      EXPECT_LE(rss_end - rss_warm, 16 * 1024) << "resident KiB after warm-up " << rss_warm << ", at the end "
                                                << rss_end;
    }
    std::cout << operations << " operations in " << length.count() << " s; resident " << rss_warm << " -> "
              << rss_end << " KiB; heap in use " << heap_warm << " -> " << heap_end << " KiB; connections "
              << clients_warm << " -> " << clients_late << "\n";
  }
  EXPECT_EQ(thread_count(), threads_before) << "threads left behind by the client and services";
}

}  // namespace
}  // namespace redkit
