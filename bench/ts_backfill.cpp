// Building a rule's destination from history: redkit's backfill_rule (the
// rule added after the source holds its samples) against the seed layout's
// equivalent, which has no backfill of its own: every raw JSON point read
// back by ZRANGEBYSCORE an hour at a time, bucketed here, and each bucket
// written as TimeSeriesAggregator.updateAggregation stores it (a hash per
// bucket with its JSON summary, and an EXPIRE), pipelined. Same private
// server, same process, cases alternating.
//
//   build/bench/ts_backfill [--samples 1000000] [--reps 3]
//
// A 2-decimal gauge at 1 s; 1-minute averages.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_server.hpp"
#include "redkit/time_series.hpp"
#include "ts_seed_layout.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using redkit::Client;
using redkit::ts::Timestamp;

constexpr Timestamp kStart = 1'700'000'040'000;  // on the minute grid
constexpr Timestamp kMinute = 60'000;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double gauge(std::size_t i) { return std::round(100 * (50 + 20 * std::sin(static_cast<double>(i) / 300.0))) / 100; }

// The seed layout's rebuild: returns the buckets written.
std::size_t seed_rebuild(const Client& client, Timestamp last) {
  std::size_t written = 0;
  for (Timestamp from = kStart; from <= last; from += 60 * kMinute) {
    const auto points =
        redkit::bench::read_seed_zset(client, "metric:gauge", from, std::min(last, from + 60 * kMinute - 1), 1u << 30);
    std::map<Timestamp, std::pair<double, std::size_t>> buckets;
    for (const auto& point : points) {
      auto& [sum, count] = buckets[point.timestamp - point.timestamp % kMinute];
      sum += point.value;
      ++count;
    }
    std::vector<redkit::Command> commands;
    for (const auto& [bucket, totals] : buckets) {
      const std::string key = fmt::format("agg:gauge:1m:{}", bucket);
      commands.push_back(redkit::Command::raw(
          {"HSET", key, "data",
           fmt::format(R"({{"count":{},"sum":{},"avg":{}}})", totals.second, totals.first,
                       totals.first / static_cast<double>(totals.second)),
           "timestamp", std::to_string(bucket)}));
      commands.push_back(redkit::Command::raw({"EXPIRE", key, "2592000"}));
    }
    if (!commands.empty()) client.execute(commands);
    written += buckets.size();
  }
  return written;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t samples = 1'000'000;
  int reps = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--samples") samples = std::stoul(argv[i + 1]);
    else if (option == "--reps") reps = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: ts_backfill [--samples 1000000] [--reps 3]\n");
      return 2;
    }
  }
  redkit::bench::BenchServer server;
  const Client client(server.url());
  redkit::ts::Store store(client, {.prefix = "bench:backfill:", .default_series = {}});
  store.create("gauge");
  std::vector<redkit::ts::Sample> points;
  std::vector<redkit::bench::Sample> seed_points;
  for (std::size_t i = 0; i < samples; ++i) {
    points.push_back({kStart + static_cast<Timestamp>(i) * 1'000, gauge(i)});
    seed_points.push_back({points.back().timestamp, points.back().value});
  }
  store.add_many("gauge", points);
  redkit::bench::write_seed_zset(client, "metric:gauge", seed_points);
  const Timestamp last = points.back().timestamp;
  std::vector<double> redkit_s, seed_s;
  std::size_t buckets = 0;
  for (int rep = 0; rep < reps; ++rep) {
    store.remove("gauge:1m");
    store.create("gauge:1m");
    store.create_rule("gauge", "gauge:1m", {.aggregator = redkit::ts::Aggregator::avg, .bucket = std::chrono::minutes(1)});
    auto started = Clock::now();
    const auto done = store.backfill_rule("gauge", "gauge:1m");
    redkit_s.push_back(std::chrono::duration<double>(Clock::now() - started).count());
    buckets = done.buckets;
    const auto filled = store.range("gauge:1m");
    const auto expected = store.range(
        "gauge", {.to = done.to - 1,
                  .aggregation = redkit::ts::Aggregation{.aggregator = redkit::ts::Aggregator::avg,
                                                         .bucket = std::chrono::minutes(1)},
                  .use_compactions = false});
    if (filled != expected) throw std::runtime_error("backfilled destination differs from the source's averages");
    started = Clock::now();
    if (seed_rebuild(client, last) < buckets) throw std::runtime_error("seed rebuild wrote too few buckets");
    seed_s.push_back(std::chrono::duration<double>(Clock::now() - started).count());
  }
  const double rk = median(redkit_s);
  const double seed = median(seed_s);
  fmt::print("{} samples, {} one-minute buckets, median of {}\n", samples, buckets, reps);
  fmt::print("redkit backfill_rule: {:.3f} s = {:.2f} M samples/s\n", rk, static_cast<double>(samples) / rk / 1e6);
  fmt::print("seed layout rebuild:  {:.3f} s = {:.2f} M samples/s\n", seed, static_cast<double>(samples) / seed / 1e6);
  fmt::print("seed / redkit: {:.1f} x\n", seed / rk);
  return 0;
}
