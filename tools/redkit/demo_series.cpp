// The demo's time-series scenarios (see demo_scenarios.hpp): the seed's
// TimeSeriesManager, TimeSeriesAggregator, DataRetentionManager and
// multi-metric queries, each checking its own outcome.
#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "demo_scenarios.hpp"
#include "redkit/time_series.hpp"

namespace redkit::cli {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ts::Sample;
using ts::Timestamp;

constexpr Timestamp kStart = 1'700'006'400'000;  // a midnight, UTC

// A CPU-like gauge in hundredths, one sample a second, like the seed's data.
std::vector<Sample> gauge(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> step(0, 5);
  std::vector<Sample> samples;
  long long cents = 4217;
  for (std::size_t i = 0; i < n; ++i) {
    cents = std::llabs(cents + std::llround(step(random)));
    samples.push_back({kStart + static_cast<Timestamp>(i) * 1000, static_cast<double>(cents) / 100});
  }
  return samples;
}

void check(bool holds, const std::string& what) {
  if (!holds) throw std::runtime_error(what);
}

}  // namespace

void show_series_store(Report& report, const redkit::Client& client, const std::string& prefix) {
  ts::Store store(client, {.prefix = prefix, .default_series = {}});
  const auto day = gauge(86'400, 42);
  store.create("cpu:web-1", {.retention = {}, .duplicate_policy = {}, .labels = {{"host", "web-1"}}});
  const auto started = Clock::now();
  store.add_many("cpu:web-1", day);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const ts::SeriesInfo info = store.info("cpu:web-1");
  check(info.samples == day.size(), "time series: samples were lost");
  const double per_sample = static_cast<double>(info.memory_bytes) / static_cast<double>(info.samples);
  report.step("ts_ingest", "ts ingest",
              fmt::format("one day at 1 s ({} samples) in {:.0f} ms; {:.2f} bytes per sample in Redis "
                          "(the seed's JSON in a sorted set: about 150)",
                          day.size(), seconds * 1000, per_sample),
              {{"samples", info.samples}, {"memory_bytes", info.memory_bytes}, {"chunks", info.chunks},
               {"ingest_ms", std::llround(seconds * 1000)}});

  const auto all = store.range("cpu:web-1");
  check(all == day, "time series: the range read differs from what was written");
  const auto hourly = store.range(
      "cpu:web-1", {.aggregation = ts::Aggregation{.aggregator = ts::Aggregator::avg, .bucket = 1h}});
  check(hourly.size() == 24, "time series: expected 24 hourly buckets");
  const ts::SeriesStats stats = store.stats("cpu:web-1");
  check(stats.count == day.size() && stats.latest == day.back(), "time series: stats disagree");
  // A late sample lands in its place inside a compressed chunk.
  store.add("cpu:web-1", kStart + 500, 99.99);
  const auto late = store.range("cpu:web-1", {.from = kStart, .to = kStart + 1000});
  check(late.size() == 3 && late[1].value == 99.99, "time series: a late sample was not placed");
  report.step("ts_query", "ts query",
              fmt::format("full read {} samples; 24 hourly averages (first {:.2f}); stats min {:.2f} max {:.2f} "
                          "avg {:.2f}; a late sample placed inside a compressed chunk",
                          all.size(), hourly.front().value, stats.min, stats.max, stats.avg),
              {{"read", all.size()}, {"hourly_buckets", hourly.size()}, {"min", stats.min}, {"max", stats.max},
               {"avg", stats.avg}});
}

void show_retention_and_labels(Report& report, const redkit::Client& client, const std::string& prefix) {
  ts::Store store(client, {.prefix = prefix, .default_series = {}});
  const auto destinations = store.apply_retention_preset("requests");
  const auto samples = gauge(3 * 3600, 7);
  for (std::size_t begin = 0; begin < samples.size(); begin += 600) {  // ten minutes at a time
    store.add_many("requests", std::span(samples).subspan(begin, std::min<std::size_t>(600, samples.size() - begin)));
  }
  const auto minutes = store.range("requests:1m");
  const auto hours = store.range("requests:1h");
  check(minutes.size() == 179 && hours.size() == 2, "retention preset: the rules did not keep up");
  report.step("ts_rules", "ts rules",
              fmt::format("retention preset: raw 24h, {} fed by rules; 3 h of data left {} 1-minute and {} "
                          "hourly averages (the open bucket waits for its end)",
                          fmt::join(destinations, ", "), minutes.size(), hours.size()),
              {{"destinations", destinations}, {"minute_points", minutes.size()}, {"hour_points", hours.size()}});

  for (const std::string host : {"web-1", "web-2", "db-1"}) {
    const std::string dc = host == "web-2" ? "us" : "eu";
    store.create("load:" + host, {.retention = {}, .duplicate_policy = {}, .labels = {{"metric", "load"}, {"host", host}, {"dc", dc}}});
    store.add_many("load:" + host, gauge(600, std::hash<std::string>{}(host)));
  }
  const auto per_dc = store.mrange({"metric=load"}, {.aggregation = ts::Aggregation{.aggregator = ts::Aggregator::max, .bucket = 5min}},
                                   ts::GroupBy{.label = "dc", .reducer = ts::Aggregator::max});
  check(per_dc.size() == 2 && per_dc[0].name == "dc=eu", "labels: expected one series per data centre");
  report.step("ts_labels", "ts labels",
              fmt::format("3 series found by label metric=load (an index, no KEYS); max per 5 min grouped by dc: "
                          "eu {:.2f}, us {:.2f}",
                          per_dc[0].samples.front().value, per_dc[1].samples.front().value),
              {{"groups", per_dc.size()}});
}

}  // namespace redkit::cli
