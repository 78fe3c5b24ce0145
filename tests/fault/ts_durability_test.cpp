// A bulk import into a time series while its redis-server is killed with
// SIGKILL, then restarted from its append-only file. With appendfsync always
// every acknowledged sample must come back; with everysec the test measures
// how many acknowledged samples were lost and the time they span. Either
// way what survives must be exactly a prefix of what was sent (no hole, no
// duplicate, every value right) and every chunk must read, pass its summary
// cross-check and take new samples, older ones included.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/time_series.hpp"
#include "support/redis_server.hpp"
#include "support/wait_for.hpp"

// A named namespace, not an anonymous one: unity builds join test files.
namespace redkit::test::ts_durability {

using namespace std::chrono_literals;
using ts::Sample;
using ts::Timestamp;
using Clock = std::chrono::steady_clock;

constexpr Timestamp kStart = 1'700'000'000'000;
constexpr Timestamp kStep = 250;
constexpr std::size_t kBulk = 5'000;   // per add_many: compressed on the client, several pieces
constexpr std::size_t kSingles = 40;  // single adds after each bulk batch: the head path
const std::string kPrefix = "durable:";
const std::string kSeries = "import";

double value_at(std::size_t i) { return static_cast<double>((i * 37) % 10'000) / 100; }

// What the importer sent, in order, and when each sample was acknowledged.
struct Import {
  std::vector<Sample> sent;
  std::vector<Clock::time_point> acknowledged_at;  // one per acknowledged sample
  std::atomic<std::size_t> acknowledged{0};
  std::atomic<bool> in_bulk{false};  // an add_many is on its way
  std::string stopped_by;
};

// Imports until a command fails (the server was killed): bulk batches, then
// single samples, as `redkit ts import` and a live feed would.
void run_import(const std::string& url, Import& import) {
  Client client(url);
  ts::Store store(client, {.prefix = kPrefix, .default_series = {}});
  auto next = [&] {
    const std::size_t i = import.sent.size();
    import.sent.push_back({kStart + static_cast<Timestamp>(i) * kStep, value_at(i)});
    return import.sent.back();
  };
  auto acknowledge = [&] {
    const auto now = Clock::now();
    import.acknowledged_at.resize(import.sent.size(), now);
    import.acknowledged.store(import.sent.size());
  };
  try {
    for (;;) {
      const std::size_t begin = import.sent.size();
      for (std::size_t i = 0; i < kBulk; ++i) next();
      import.in_bulk.store(true);
      store.add_many(kSeries, std::span(import.sent).subspan(begin));
      import.in_bulk.store(false);
      acknowledge();
      for (std::size_t i = 0; i < kSingles; ++i) {
        const Sample sample = next();
        store.add(kSeries, sample.timestamp, sample.value);
        acknowledge();
      }
    }
  } catch (const Error& error) {
    import.stopped_by = error.what();
  }
}

struct Outcome {
  std::size_t acknowledged = 0;
  std::size_t sent = 0;
  std::size_t stored = 0;
  double lost_window_ms = 0;  // between the last surviving and the last acknowledged sample
};

// Imports, kills the server once `kill_after` samples were acknowledged,
// restarts it from its AOF and checks what came back.
Outcome import_and_kill(const std::string& appendfsync, std::size_t kill_after) {
  auto redis = start_redis({.appendonly = true, .appendfsync = appendfsync});
  {
    Client client(redis->url());
    ts::Store(client, {.prefix = kPrefix, .default_series = {}}).create(kSeries);
  }
  Import import;
  std::thread importer([&] { run_import(redis->url(), import); });
  // Killed while a bulk add is on its way (the poll may miss a short one
  // and catch the next).
  const bool reached = wait_for(
      [&] { return import.acknowledged.load() >= kill_after && import.in_bulk.load(); }, 20s,
      std::chrono::milliseconds(0));
  redis->kill_hard();
  importer.join();
  EXPECT_TRUE(reached) << "only " << import.acknowledged.load() << " samples acknowledged in 20 s";
  EXPECT_FALSE(import.stopped_by.empty());

  redis->start();
  Client client(redis->url());
  ts::Store store(client, {.prefix = kPrefix, .default_series = {}});
  Outcome outcome{.acknowledged = import.acknowledged.load(), .sent = import.sent.size()};
  const std::vector<Sample> stored = store.range(kSeries);  // throws ProtocolError on a damaged chunk
  outcome.stored = stored.size();

  // Exactly a prefix of what was sent: nothing made up, no hole, no
  // duplicate, every value as sent.
  EXPECT_LE(stored.size(), import.sent.size());
  for (std::size_t i = 0; i < std::min(stored.size(), import.sent.size()); ++i) {
    if (stored[i] != import.sent[i]) {
      ADD_FAILURE() << "sample " << i << " is " << stored[i].timestamp << "=" << stored[i].value << ", sent "
                    << import.sent[i].timestamp << "=" << import.sent[i].value;
      break;
    }
  }
  const ts::SeriesInfo info = store.info(kSeries);
  EXPECT_EQ(info.samples, stored.size());
  EXPECT_EQ(store.stats(kSeries).count, stored.size());
  EXPECT_GT(info.chunks, 0u);
  if (!stored.empty()) {
    EXPECT_EQ(info.last_timestamp, stored.back().timestamp);
  }
  if (outcome.acknowledged > outcome.stored && outcome.stored > 0) {
    outcome.lost_window_ms = std::chrono::duration<double, std::milli>(
                                 import.acknowledged_at[outcome.acknowledged - 1] -
                                 import.acknowledged_at[outcome.stored - 1])
                                 .count();
  }

  // The series takes new samples, and older ones into its sealed chunks
  // (a rewrite decodes and checks the chunk).
  const Timestamp newest = stored.empty() ? kStart : stored.back().timestamp;
  store.add(kSeries, newest + kStep, 1.5);
  store.add(kSeries, kStart + kStep / 2, 2.5);
  EXPECT_EQ(store.range(kSeries).size(), stored.size() + 2);
  std::cout << "appendfsync " << appendfsync << ": " << outcome.sent << " samples sent, " << outcome.acknowledged
            << " acknowledged, " << outcome.stored << " after the restart; lost "
            << (outcome.acknowledged > outcome.stored ? outcome.acknowledged - outcome.stored : 0)
            << " acknowledged samples spanning " << outcome.lost_window_ms << " ms\n";
  return outcome;
}

TEST(TsDurability, AppendfsyncAlwaysKeepsEveryAcknowledgedSample) {
  const Outcome outcome = import_and_kill("always", 30'000);
  EXPECT_GE(outcome.stored, outcome.acknowledged);
}

TEST(TsDurability, AppendfsyncEverysecLosesAtMostASuffix) {
  // What SIGKILL can lose here is what Redis had not yet written to the
  // file: the OS keeps what was written even when it was not fsynced (power
  // loss would also take up to about two seconds of fsyncs). The checks
  // above hold either way; the loss is printed, not asserted.
  const Outcome outcome = import_and_kill("everysec", 30'000);
  RecordProperty("acknowledged_lost", static_cast<int>(outcome.acknowledged > outcome.stored
                                                          ? outcome.acknowledged - outcome.stored
                                                          : 0));
  RecordProperty("lost_window_ms", static_cast<int>(outcome.lost_window_ms));
}

}  // namespace redkit::test::ts_durability
