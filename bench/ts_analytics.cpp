// Analysis across many series: redkit's SeriesAnalyzer (every series
// correlated against one reference on 1-minute averages, and IQR outliers of
// every series' raw samples, both over a label filter) against the seed's
// MultiMetricAnalyzer (../shared/seed: getDataPoints by ZRANGEBYSCORE and
// JSON.parse for every metric, then its correlateMetrics pairing and its
// findOutliers IQR), on the same private server in the same process, cases
// alternating round by round.
//
//   build/bench/ts_analytics [--series 1000,10000] [--points 120] [--rounds 5]
//
// Each series holds `points` samples at 10 s (2-decimal gauges with a phase
// of their own, one spike each). Read events are the server's
// total_reads_processed over a case: an upper bound on round trips.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "bench_server.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_analytics.hpp"
#include "ts_seed_layout.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using redkit::Client;
using redkit::bench::Sample;
using redkit::ts::Timestamp;

constexpr Timestamp kStart = 1'700'000'040'000;  // on the minute grid
constexpr Timestamp kStep = 10'000;
constexpr Timestamp kWindow = 60'000;

long long reads_processed(const Client& client) {
  const std::string info = client.command({"INFO", "stats"}).as_string();
  const std::string field = "total_reads_processed:";
  return std::stoll(info.substr(info.find(field) + field.size()));
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::vector<std::size_t> parse_list(const std::string& text) {
  std::vector<std::size_t> out;
  for (std::size_t start = 0; start < text.size();) {
    const auto comma = text.find(',', start);
    out.push_back(std::stoul(text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

double value_at(std::size_t series, int i) {
  if (i == 60) return 500;  // the spike both sides must find
  return std::round(100 * (50 + 20 * std::sin(i / 7.0 + static_cast<double>(series % 13)))) / 100;
}

std::string metric_name(std::size_t i) { return fmt::format("cpu:{}", i); }

void load(const Client& client, redkit::ts::Store& store, const std::string& prefix, std::size_t n, int points) {
  std::vector<redkit::ts::NamedSample> samples;
  for (std::size_t i = 0; i <= n; ++i) {
    // Series n is the reference, outside the filter.
    const std::string name = i == n ? "ref" : metric_name(i);
    store.create(name, {.labels = i == n ? redkit::ts::Labels{} : redkit::ts::Labels{{"metric", "cpu"}}});
    std::vector<Sample> seed;
    for (int k = 0; k < points; ++k) {
      const Timestamp t = kStart + k * kStep;
      samples.push_back({name, t, value_at(i, k)});
      seed.push_back({t, value_at(i, k)});
    }
    redkit::bench::write_seed_zset(client, prefix + "metric:" + name, seed);
  }
  store.add_many(samples);
}

// The seed's calculateCorrelation: raw points aligned by window (the last
// point of data2 in each window pairs with every point of data1 there),
// Pearson over the pairs, 0 when undefined.
double seed_correlation(const std::vector<Sample>& data1, const std::vector<Sample>& data2) {
  std::unordered_map<Timestamp, double> map2;
  for (const Sample& point : data2) map2[point.timestamp / kWindow] = point.value;
  std::vector<double> v1, v2;
  for (const Sample& point : data1) {
    if (auto found = map2.find(point.timestamp / kWindow); found != map2.end()) {
      v1.push_back(point.value);
      v2.push_back(found->second);
    }
  }
  if (v1.size() < 2) return 0;
  double m1 = 0, m2 = 0;
  for (std::size_t i = 0; i < v1.size(); ++i) m1 += v1[i], m2 += v2[i];
  m1 /= static_cast<double>(v1.size());
  m2 /= static_cast<double>(v2.size());
  double num = 0, s1 = 0, s2 = 0;
  for (std::size_t i = 0; i < v1.size(); ++i) {
    num += (v1[i] - m1) * (v2[i] - m2);
    s1 += (v1[i] - m1) * (v1[i] - m1);
    s2 += (v2[i] - m2) * (v2[i] - m2);
  }
  const double denominator = std::sqrt(s1 * s2);
  return denominator == 0 ? 0 : num / denominator;
}

// The seed's findOutliers: quartiles at floor(n * q), fences at threshold x
// IQR.
std::size_t seed_outliers(const std::vector<Sample>& data, double threshold) {
  if (data.size() < 2) return 0;
  std::vector<double> sorted;
  for (const Sample& point : data) sorted.push_back(point.value);
  std::sort(sorted.begin(), sorted.end());
  const double q1 = sorted[sorted.size() / 4];
  const double q3 = sorted[sorted.size() * 3 / 4];
  const double iqr = q3 - q1;
  return static_cast<std::size_t>(std::count_if(data.begin(), data.end(), [&](const Sample& point) {
    return point.value < q1 - threshold * iqr || point.value > q3 + threshold * iqr;
  }));
}

struct Measured {
  double ms = 0;
  double reads = 0;
};

template <typename Fn>
Measured measure(const Client& client, Fn&& fn) {
  const long long before = reads_processed(client);
  const auto started = Clock::now();
  fn();
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return {ms, static_cast<double>(reads_processed(client) - before - 1)};  // less the INFO itself
}

}  // namespace

int main(int argc, char** argv) {
  std::string series_list = "1000,10000";
  int points = 120;
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--series") series_list = argv[i + 1];
    else if (option == "--points") points = std::stoi(argv[i + 1]);
    else if (option == "--rounds") rounds = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: ts_analytics [--series 1000,10000] [--points 120] [--rounds 5]\n");
      return 2;
    }
  }
  redkit::bench::BenchServer server;
  const Client client(server.url());
  fmt::print("{:>7} {:>6} | {:>22} {:>18} {:>8} | {:>22} {:>18} {:>8}\n", "series", "points", "correlate: redkit ms",
             "seed ms (reads)", "seed÷rk", "outliers: redkit ms", "seed ms (reads)", "seed÷rk");
  for (const std::size_t n : parse_list(series_list)) {
    const std::string prefix = fmt::format("bench:analytics:{}:", n);
    redkit::ts::Store store(client, {.prefix = prefix, .default_series = {}});
    load(client, store, prefix, n, points);
    const redkit::ts::SeriesAnalyzer analyzer(client, {.prefix = prefix});
    const Timestamp last = kStart + (points - 1) * kStep;
    std::map<std::string, std::vector<double>> ms;
    std::map<std::string, std::vector<double>> reads;
    auto record = [&](const std::string& key, const Measured& m) {
      ms[key].push_back(m.ms);
      reads[key].push_back(m.reads);
    };
    for (int round = 0; round < rounds; ++round) {
      record("rk correlate", measure(client, [&] {
               const auto column = analyzer.correlate({.filters = {"metric=cpu"}, .against = "ref", .from = kStart,
                                                       .to = last, .window = 1min});
               if (column.rows.size() != n || !column.at(0, 0).coefficient) throw std::runtime_error("correlate");
             }));
      record("seed correlate", measure(client, [&] {
               // correlateMetrics([ref, metric]) for each metric, the
               // reference read once.
               const auto ref = redkit::bench::read_seed_zset(client, prefix + "metric:ref", kStart, last, 1u << 30);
               double sum = 0;
               for (std::size_t i = 0; i < n; ++i) {
                 const auto data = redkit::bench::read_seed_zset(client, prefix + "metric:" + metric_name(i),
                                                                 kStart, last, 1u << 30);
                 sum += seed_correlation(data, ref);
               }
               if (!std::isfinite(sum)) throw std::runtime_error("seed correlate");
             }));
      record("rk outliers", measure(client, [&] {
               const auto found = analyzer.outliers({.filters = {"metric=cpu"}, .from = kStart, .to = last});
               for (const auto& series : found) {
                 if (series.outliers.size() != 1) throw std::runtime_error("outliers: " + series.series);
               }
             }));
      record("seed outliers", measure(client, [&] {
               std::size_t total = 0;
               for (std::size_t i = 0; i < n; ++i) {
                 total += seed_outliers(redkit::bench::read_seed_zset(client, prefix + "metric:" + metric_name(i),
                                                                      kStart, last, 1u << 30),
                                        1.5);
               }
               if (total < n) throw std::runtime_error("seed outliers");
             }));
    }
    fmt::print("{:>7} {:>6} | {:>16.1f} ({:>3.0f}) {:>11.1f} ({:>5.0f}) {:>7.1f}× | {:>16.1f} ({:>3.0f}) {:>11.1f} ({:>5.0f}) "
               "{:>7.1f}×\n",
               n, points, median(ms["rk correlate"]), median(reads["rk correlate"]), median(ms["seed correlate"]),
               median(reads["seed correlate"]), median(ms["seed correlate"]) / median(ms["rk correlate"]),
               median(ms["rk outliers"]), median(reads["rk outliers"]), median(ms["seed outliers"]),
               median(reads["seed outliers"]), median(ms["seed outliers"]) / median(ms["rk outliers"]));
    std::fflush(stdout);
    client.command({"FLUSHDB"});
  }
  return 0;
}
