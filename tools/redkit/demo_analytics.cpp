// The demo's analysis scenarios (see demo_scenarios.hpp): the seed's
// MultiMetricAnalyzer (correlation, outliers), a counter's rate across a
// reset, latency percentiles (exact, and merged from sketches), a rule
// backfilled from history, and TimeSeriesMonitor's storage stats and
// operation metrics, each checking its own outcome.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>
#include <cmath>
#include <stdexcept>

#include <fmt/core.h>

#include "demo_scenarios.hpp"
#include "redkit/self_metrics.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_analytics.hpp"

namespace redkit::cli {
namespace {

using namespace std::chrono_literals;
using ts::Sample;
using ts::Timestamp;

constexpr Timestamp kDay = 1'700'006'400'000;  // a midnight, UTC

void expect(bool holds, const std::string& what) {
  if (!holds) throw std::runtime_error(what);
}

// Two hours at 10 s: requests with a daily-like swell, the CPU they cause,
// and a batch job's disk use that follows neither.
void load_related_metrics(ts::Store& store) {
  for (const std::string name : {"req:api", "cpu:api", "disk:batch"}) {
    store.create(name, {.retention = {}, .duplicate_policy = {}, .labels = {{"demo", "analysis"}}});
  }
  std::vector<Sample> requests, cpu, disk;
  for (int i = 0; i < 720; ++i) {
    const Timestamp t = kDay + i * 10'000;
    const double load = 200 + 150 * std::sin(i / 90.0) + (i % 7) * 3;
    requests.push_back({t, std::round(load)});
    cpu.push_back({t, std::round(100 * (5 + load * 0.2 + (i % 5) * 0.4)) / 100});
    disk.push_back({t, std::round(100 * (40 + 10 * std::sin(i / 4.0))) / 100});
  }
  store.add_many("req:api", requests);
  store.add_many("cpu:api", cpu);
  store.add_many("disk:batch", disk);
}

// Two hours of request latencies at one a second, a long tail as real
// latencies have; a 1-minute p99 rule and an hourly p99 fed from it.
void show_percentiles(Report& report, ts::Store& store) {
  const auto p99 = [](std::chrono::milliseconds width) {
    return ts::Aggregation{.aggregator = ts::Aggregator::percentile, .bucket = width, .quantile = 0.99};
  };
  for (const std::string name : {"latency:web", "latency:web:p99:1m", "latency:web:p99:1h"}) store.create(name);
  store.create_rule("latency:web", "latency:web:p99:1m", p99(1min));
  store.create_rule("latency:web:p99:1m", "latency:web:p99:1h", p99(1h));
  std::vector<Sample> latencies;
  std::uint64_t state = 42;
  for (int i = 0; i < 7'200; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // a fixed pseudo-random sequence
    const double uniform = static_cast<double>(state >> 11) / 9007199254740992.0;
    latencies.push_back({kDay + i * 1'000, std::round(100 * 12 * std::exp(1.1 * std::sqrt(-2 * std::log(1 - uniform)) *
                                                                           std::cos(6.283185307 * uniform * 977)))
                                               / 100});
  }
  store.add_many("latency:web", latencies);
  // Two samples past the second hour close its last minute, then the hour.
  store.add("latency:web", kDay + 7'200'000, 10);
  store.add("latency:web", kDay + 7'260'000, 10);
  const auto of_range = [&](double q) {
    return store.range("latency:web", {.to = kDay + 7'199'999,
                                       .aggregation = ts::Aggregation{.aggregator = ts::Aggregator::percentile,
                                                                      .bucket = 2h, .quantile = q}})
        .at(0)
        .value;
  };
  const double p50 = of_range(0.5), p90 = of_range(0.9), p99_all = of_range(0.99);
  const auto minutes = store.range("latency:web:p99:1m", {.to = kDay + 7'199'999});
  expect(minutes.size() == 120 &&
             minutes == store.range("latency:web", {.to = kDay + 7'199'999, .aggregation = p99(1min),
                                                   .use_compactions = false}),
         "percentiles: the 1-minute p99 rule differs from the exact p99");
  const auto hours = store.range("latency:web:p99:1h");
  expect(hours.size() == 2, "percentiles: expected two hourly p99 buckets");
  std::vector<double> first_hour;
  for (int i = 0; i < 3'600; ++i) first_hour.push_back(latencies[static_cast<std::size_t>(i)].value);
  std::sort(first_hour.begin(), first_hour.end());
  const double exact = first_hour[static_cast<std::size_t>(0.99 * 3'599)];
  const double error = std::abs(hours[0].value - exact) / exact;
  expect(error <= ts::kSketchRelativeAccuracy * (1 + 1e-9), "percentiles: the hourly p99 is outside its bound");
  double largest_minute = 0;
  for (int i = 0; i < 60; ++i) largest_minute = std::max(largest_minute, minutes[static_cast<std::size_t>(i)].value);
  report.step("ts_percentile", "ts pctl",
              fmt::format("2 h of latencies: p50 {:.1f}, p90 {:.1f}, p99 {:.1f} ms; the hourly p99 fed from 1-minute "
                          "p99 sketches is {:.1f} ms, {:.2f}% from the exact {:.1f} (bound 1%; the largest minute's "
                          "p99 is {:.1f})",
                          p50, p90, p99_all, hours[0].value, 100 * error, exact, largest_minute),
              {{"p50", p50}, {"p90", p90}, {"p99", p99_all}, {"hourly_p99", hours[0].value}, {"exact_p99", exact},
               {"relative_error", error}});
}

// The seed's TimeSeriesMonitor: what this process's operations cost, counted
// in memory as they ran, sent to Redis once and charted as series.
void show_self_monitoring(Report& report, const redkit::Client& client, const std::string& prefix,
                          ts::Store& store) {
  SelfMonitor monitor(client, {.prefix = prefix, .flush_interval = 0ms, .record_series = true});
  monitor.flush();
  const SelfMetrics all = monitor.read();
  const SelfOperationMetrics& trips = all.at(SelfOp::client_round_trip);
  const SelfOperationMetrics& adds = all.at(SelfOp::ts_add_many);
  const SelfOperationMetrics& reads = all.at(SelfOp::ts_range);
  const auto charted = store.query_index({"redkit_self=1", "op=client_round_trip"});
  expect(trips.calls > 0 && adds.calls > 0 && reads.calls > 0 && charted.size() == 4,
         "self-monitoring: the operations this run made were not counted or not charted");
  const std::string exposition = to_prometheus(all);
  report.step("ts_self", "ts self",
              fmt::format("redkit watching itself: {} round trips (p99 {:.2f} ms), {} bulk adds, {} range reads "
                          "(mean {:.2f} ms), {} rule updates; sent with one pipeline, charted as redkit:self:* "
                          "series, {} lines of Prometheus text",
                          trips.calls, quantile_ms(trips.latency, 0.99), adds.calls, reads.calls,
                          mean_ms(reads.latency), all.at(SelfOp::ts_rule_update).calls,
                          std::count(exposition.begin(), exposition.end(), '\n')),
              {{"round_trips", trips.calls}, {"bulk_adds", adds.calls}, {"range_reads", reads.calls}});
}

}  // namespace

void show_analysis(Report& report, const redkit::Client& client, const std::string& prefix) {
  ts::Store store(client, {.prefix = prefix, .default_series = {}});
  const ts::SeriesAnalyzer analyzer(client, {.prefix = prefix});
  load_related_metrics(store);
  const auto matrix = analyzer.correlate({.filters = {"demo=analysis"}, .window = 5min});
  // Rows and columns: cpu:api, disk:batch, req:api.
  const auto related = matrix.at(0, 2).coefficient;
  const auto unrelated = matrix.at(1, 2).coefficient;
  expect(related && *related > 0.95, "correlation: CPU should follow requests");
  expect(unrelated && std::abs(*unrelated) < 0.3, "correlation: the batch job's disk should follow nothing");
  report.step("ts_correlate", "ts corr",
              fmt::format("5-minute averages over 2 h: cpu:api vs req:api r = {:+.3f}, disk:batch vs req:api "
                          "r = {:+.3f} ({} windows each)",
                          *related, *unrelated, matrix.at(0, 2).windows),
              {{"related", *related}, {"unrelated", *unrelated}, {"windows", matrix.at(0, 2).windows}});

  store.create("latency:checkout");
  std::vector<Sample> latency;
  for (int i = 0; i < 360; ++i) latency.push_back({kDay + i * 10'000, 20.0 + (i * 13) % 9});
  latency[100].value = 480;
  latency[250].value = 2.5;
  store.add_many("latency:checkout", latency);
  const auto outliers = analyzer.outliers({.series = {"latency:checkout"}, .method = ts::OutlierMethod::iqr});
  expect(outliers.size() == 1 && outliers[0].outliers == std::vector<Sample>{latency[100], latency[250]},
         "outliers: expected exactly the spike and the dip");
  report.step("ts_outliers", "ts outl",
              fmt::format("IQR fences [{:.1f}, {:.1f}] over {} samples of latency:checkout: the spike ({}) and the dip "
                          "({}) stand out, nothing else",
                          *outliers[0].lower, *outliers[0].upper, outliers[0].values, latency[100].value,
                          latency[250].value),
              {{"lower", *outliers[0].lower}, {"upper", *outliers[0].upper}, {"outliers", 2}});

  // A request counter growing 10 a second, sampled every 10 s, that
  // restarts from 0 at 00:05:30.
  store.create("requests_total");
  std::vector<Sample> counter;
  double value = 0;
  for (int i = 0; i < 60; ++i) {
    value = i == 33 ? 100 : value + 100;
    counter.push_back({kDay + i * 10'000, value});
  }
  store.add_many("requests_total", counter);
  const auto rates = store.range(
      "requests_total",
      {.aggregation = ts::Aggregation{.aggregator = ts::Aggregator::rate, .bucket = 1min}});
  expect(rates.size() == 10, "rate: expected ten one-minute buckets");
  for (const Sample& bucket : rates) expect(std::abs(bucket.value - 10) < 1e-9, "rate: a reset was not handled");
  const auto increases = store.range(
      "requests_total",
      {.aggregation = ts::Aggregation{.aggregator = ts::Aggregator::increase, .bucket = 1min}});
  report.step("ts_rate", "ts rate",
              fmt::format("a counter restarting from 0 at 00:05:30: rate 10/s and increase {} in every minute, the "
                          "reset's included (its last − first alone: {})",
                          increases[5].value, counter[35].value - counter[30].value),
              {{"buckets", rates.size()}, {"rate", rates.front().value}});

  show_percentiles(report, store);

  // A rule added after the history, then filled from it.
  store.create("req:api:5m");
  store.create_rule("req:api", "req:api:5m", {.aggregator = ts::Aggregator::max, .bucket = 5min});
  const ts::RuleBackfill filled = store.backfill_rule("req:api", "req:api:5m");
  const auto expected = store.range("req:api", {.to = filled.to - 1,
                                                .aggregation = ts::Aggregation{.aggregator = ts::Aggregator::max,
                                                                               .bucket = 5min},
                                                .use_compactions = false});
  expect(filled.buckets == 23 && store.range("req:api:5m") == expected, "backfill: the destination differs");
  report.step("ts_backfill", "ts fill",
              fmt::format("a 5-minute max rule added after 2 h of data: backfilled {} buckets from the stored "
                          "samples",
                          filled.buckets),
              {{"buckets", filled.buckets}});

  const ts::StorageStats stats = store.storage_stats("demo", 3);
  expect(stats.total.series >= 7 && stats.by_label.at("analysis").series == 3, "stats: series miscounted");
  report.step("ts_stats", "ts stats",
              fmt::format("the store: {} series, {} samples, {:.1f} MB ({:.2f} B/sample); largest {} ({} samples); "
                          "no KEYS, no SCAN",
                          stats.total.series, stats.total.samples,
                          static_cast<double>(stats.total.memory_bytes) / 1e6,
                          static_cast<double>(stats.total.memory_bytes) / static_cast<double>(stats.total.samples),
                          stats.largest.front().name, stats.largest.front().samples),
              {{"series", stats.total.series}, {"samples", stats.total.samples},
               {"memory_bytes", stats.total.memory_bytes}});

  show_self_monitoring(report, client, prefix, store);
}

}  // namespace redkit::cli
