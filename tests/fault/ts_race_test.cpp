// Two writer processes (tests/fault/ts_fault_worker) on one series for a
// bounded time, racing to seal the head, append compressed runs and rewrite
// sealed chunks with older samples. Processes rather than threads: each has
// its own connections, pool and thread-local codec scratch, as two services
// feeding one series would. Afterwards every acknowledged sample must be
// there exactly once with its value, and nothing else.
//
// 20 s by default; REDKIT_SOAK_SECONDS=N runs longer.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "devserver/temp_dir.hpp"
#include "redkit/client.hpp"
#include "redkit/time_series.hpp"
#include "support/child_process.hpp"
#include "support/redis_test.hpp"

// A named namespace, not an anonymous one: unity builds join test files.
namespace redkit::test::ts_race {

using ts::Sample;
using ts::Timestamp;

double value_at(Timestamp t) { return static_cast<double>(t % 100'003) / 100; }  // as the worker

double soak_seconds() {
  const char* text = std::getenv("REDKIT_SOAK_SECONDS");
  if (text == nullptr || *text == '\0') {
    return 20;
  }
  const double seconds = std::atof(text);
  return seconds > 0 ? seconds : 20;
}

class TsRace : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    dir_ = devserver::make_temp_dir("ts-race-");
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // The acknowledged timestamps a writer logged; fails unless it finished.
  std::vector<Timestamp> acknowledged_by(int writer) {
    std::ifstream log(dir_ / ("writer-" + std::to_string(writer) + ".log"));
    std::vector<Timestamp> timestamps;
    std::string line;
    bool done = false;
    while (std::getline(log, line)) {
      if (line.starts_with("done ")) {
        done = std::stoull(line.substr(5)) == timestamps.size();
      } else {
        timestamps.push_back(std::stoll(line));
      }
    }
    EXPECT_TRUE(done) << "writer " << writer << " did not finish its log";
    return timestamps;
  }

  std::filesystem::path dir_;
};

TEST_F(TsRace, TwoWriterProcessesLoseAndDuplicateNoSample) {
  const double seconds = soak_seconds();
  const std::string series = "shared";
  const auto origin_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  std::vector<std::unique_ptr<ChildProcess>> writers;
  for (int writer = 0; writer < 2; ++writer) {
    const std::string id = std::to_string(writer);
    writers.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{TS_FAULT_WORKER_PATH, "--url", redis().url(), "--prefix", prefix(), "--series",
                                 series, "--writer", id, "--seconds", std::to_string(seconds), "--origin-us",
                                 std::to_string(origin_us), "--log", (dir_ / ("writer-" + id + ".log")).string()},
        dir_ / ("writer-" + id + ".out")));
  }
  for (int writer = 0; writer < 2; ++writer) {
    const auto status = writers[writer]->wait_exit(std::chrono::milliseconds(static_cast<long>(seconds * 1000)) +
                                                   std::chrono::seconds(60));
    ASSERT_EQ(status, 0) << "writer " << writer << ": " << writers[writer]->output();
  }

  std::map<Timestamp, int> expected;
  for (int writer = 0; writer < 2; ++writer) {
    for (const Timestamp t : acknowledged_by(writer)) {
      EXPECT_TRUE(t % 4 == writer || t % 4 == writer + 2) << t;
      ++expected[t];
    }
  }
  Client client(redis().url());
  ts::Store store(client, {.prefix = prefix(), .default_series = {}});
  const std::vector<Sample> stored = store.range(series);
  const ts::SeriesInfo info = store.info(series);

  std::size_t missing = 0;
  std::size_t duplicated = 0;
  std::size_t unexpected = 0;
  std::size_t wrong_value = 0;
  std::map<Timestamp, int> seen;
  for (const Sample& sample : stored) {
    if (++seen[sample.timestamp] > 1) ++duplicated;
    if (!expected.contains(sample.timestamp)) ++unexpected;
    if (sample.value != value_at(sample.timestamp)) ++wrong_value;
  }
  for (const auto& [t, times] : expected) {
    EXPECT_EQ(times, 1) << "timestamp " << t << " acknowledged " << times << " times";
    if (!seen.contains(t)) ++missing;
  }
  const auto gaps_filled = std::count_if(expected.begin(), expected.end(), [](const auto& entry) {
    return entry.first % 4 >= 2;  // a gap a writer left and filled later
  });
  std::cout << seconds << " s: " << expected.size() << " samples acknowledged (" << gaps_filled
            << " of them older, filling gaps), " << stored.size() << " stored in " << info.chunks << " chunks\n";
  EXPECT_GT(gaps_filled, 0);
  EXPECT_GT(expected.size(), 10'000u);
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(duplicated, 0u);
  EXPECT_EQ(unexpected, 0u);
  EXPECT_EQ(wrong_value, 0u);
  EXPECT_EQ(stored.size(), expected.size());
  EXPECT_EQ(info.samples, expected.size());
  EXPECT_EQ(store.stats(series).count, expected.size());
}

}  // namespace redkit::test::ts_race
