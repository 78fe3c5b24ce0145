// The cost of evaluating one alert rule over many series per interval:
// redkit's AlertEngine (a label-filter rule: multi-series reads, every
// transition recorded in one pipeline) against the seed's
// TimeSeriesAlertManager.checkAlert run for every metric (GET of the alert,
// ZRANGEBYSCORE of the window's JSON points, an average), on the same
// private server in the same process.
//
//   build/bench/alert_evaluation [--series 1000,10000] [--rounds 10]
//
// Each series holds the last 5 minutes at 10 s; the rule averages the 5 min
// window (the seed's default) and fires above 90. "steady" evaluates with
// no transition; "all fire" with every series crossing the line at once, so
// every instance records a transition. Read events are the server's
// total_reads_processed over the evaluation: an upper bound on round trips.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_server.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_alerts.hpp"
#include "ts_seed_layout.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using redkit::Client;
using redkit::ts::Timestamp;

constexpr Timestamp kNow = 1'700'000'300'000;
constexpr Timestamp kStep = 10'000;
constexpr int kSamplesPerSeries = 30;

long long info_field(const Client& client, const std::string& field) {
  const std::string info = client.command({"INFO", "stats"}).as_string();
  const auto at = info.find(field + ":");
  return std::stoll(info.substr(at + field.size() + 1));
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::vector<std::size_t> parse_list(const std::string& text) {
  std::vector<std::size_t> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto comma = text.find(',', start);
    out.push_back(std::stoul(text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

struct Measured {
  double ms = 0;
  double reads = 0;
};

// Loads n series (redkit) and n seed metrics with the same points; `level`
// is every sample's value.
void load(const Client& client, redkit::ts::Store& store, const std::string& prefix, std::size_t n,
          double level) {
  std::vector<redkit::ts::NamedSample> samples;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = fmt::format("cpu:{}", i);
    if (!store.exists(name)) {
      store.create(name, {.retention = {}, .duplicate_policy = redkit::ts::DuplicatePolicy::last,
                          .labels = {{"metric", "cpu"}, {"host", fmt::format("h{}", i)}}});
    }
    std::vector<redkit::bench::Sample> points;
    for (int k = 0; k < kSamplesPerSeries; ++k) {
      const Timestamp t = kNow - (kSamplesPerSeries - 1 - k) * kStep;
      samples.push_back({name, t, level});
      points.push_back({t, level});
    }
    const std::string seed_key = prefix + "metric:" + name;
    client.command({"DEL", seed_key});
    redkit::bench::write_seed_zset(client, seed_key, points);
    client.command({"SET", prefix + "alert:" + name,
                    fmt::format(R"({{"metric":"{}","condition":"above","threshold":90,"windowMinutes":5,)"
                                R"("active":true,"createdAt":"2023-11-14T22:13:20.000Z"}})",
                                name)});
  }
  store.add_many(samples, redkit::ts::DuplicatePolicy::last);
}

// The seed's checkAlert for every metric, one after the other, as its
// per-metric intervals would run them.
std::size_t seed_interval(const Client& client, const std::string& prefix, std::size_t n) {
  std::size_t firing = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = fmt::format("cpu:{}", i);
    const auto alert = client.command({"GET", prefix + "alert:" + name});
    if (alert.is_nil()) continue;
    const auto points =
        redkit::bench::read_seed_zset(client, prefix + "metric:" + name, kNow - 5 * 60'000, kNow, 1'000'000);
    if (points.empty()) continue;
    double sum = 0;
    for (const auto& p : points) sum += p.value;
    if (sum / static_cast<double>(points.size()) > 90) ++firing;
  }
  return firing;
}

template <typename Fn>
Measured measure(const Client& client, Fn&& fn) {
  const long long reads_before = info_field(client, "total_reads_processed");
  const auto started = Clock::now();
  fn();
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  // The INFO that reads the counter is itself one read event.
  const long long reads = info_field(client, "total_reads_processed") - reads_before - 1;
  return {ms, static_cast<double>(reads)};
}

}  // namespace

int main(int argc, char** argv) {
  std::string series_list = "1000,10000";
  int rounds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--series") series_list = argv[i + 1];
    else if (option == "--rounds") rounds = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: alert_evaluation [--series 1000,10000] [--rounds 10]\n");
      return 2;
    }
  }
  redkit::bench::BenchServer server;
  const Client client(server.url());
  fmt::print("{:>7} | {:>12} {:>7} | {:>14} {:>7} | {:>12} {:>8} | {:>7}\n", "series", "redkit ms", "reads",
             "all fire ms", "reads", "seed ms", "reads", "seed÷rk");
  for (const std::size_t n : parse_list(series_list)) {
    const std::string prefix = fmt::format("bench:alerts:{}:", n);
    redkit::ts::Store store(client, {.prefix = prefix, .default_series = {}});
    const redkit::ts::AlertRulesOptions options{.prefix = prefix};
    redkit::ts::AlertRules(client, options)
        .add({.name = "cpu-high", .filters = {"metric=cpu"}, .window = 5min, .threshold = 90, .repeat_interval = 0ms});
    const redkit::ts::AlertEngine engine(client, options);
    load(client, store, prefix, n, 50);
    std::vector<double> redkit_ms, redkit_reads, seed_ms, seed_reads;
    for (int round = 0; round < rounds; ++round) {
      // Cases alternate, round by round.
      const Measured rk = measure(client, [&] {
        if (!engine.evaluate_rule("cpu-high", kNow).empty()) throw std::runtime_error("steady state notified");
      });
      const Measured seed = measure(client, [&] {
        if (seed_interval(client, prefix, n) != 0) throw std::runtime_error("seed steady state fired");
      });
      redkit_ms.push_back(rk.ms);
      redkit_reads.push_back(rk.reads);
      seed_ms.push_back(seed.ms);
      seed_reads.push_back(seed.reads);
    }
    // Every series crosses the line: one evaluation records n transitions.
    load(client, store, prefix, n, 95);
    const Measured fire = measure(client, [&] {
      if (engine.evaluate_rule("cpu-high", kNow).size() != n) throw std::runtime_error("not every series fired");
    });
    fmt::print("{:>7} | {:>12.1f} {:>7.0f} | {:>14.1f} {:>7.0f} | {:>12.1f} {:>8.0f} | {:>6.1f}×\n", n,
               median(redkit_ms), median(redkit_reads), fire.ms, fire.reads, median(seed_ms), median(seed_reads),
               median(seed_ms) / median(redkit_ms));
    std::fflush(stdout);
  }
  return 0;
}
