// Time-series store benchmark: memory per sample, bulk and single-sample
// ingest, range reads and aggregation of redkit::ts::Store, each beside a
// baseline measured in the same run on the same private redis-server — a
// non-pipelined SET loop for single adds, and the seed's layout (JSON members
// in a sorted set, ts_seed_layout.hpp) written and read from C++ for memory
// and reads. With --seed-bench it also runs the seed's own TimeSeriesManager
// (node bench.mjs --case ts_ingest / ts_range) against the same server.
//
//   build/bench/ts_store_bench                       # 5 repetitions, medians
//   build/bench/ts_store_bench --reps 7 --json out.json --seed-bench ../shared/peers/seed-js/bench.mjs
//   REDIS_URL=redis://host:port build/bench/ts_store_bench
//
// Options: --reps N (repetitions of each timed case, default 5), --big N
// (samples of the scale case, default 10,000,000), --single N (adds per
// timed block of the one-sample-per-call case, default 2,000), --json FILE,
// --seed-bench PATH (bench.mjs of the seed's JavaScript classes; needs node
// on PATH), --only SECTIONS (comma list of memory,ingest,scale,single,range,
// seed).
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "bench_server.hpp"
#include "devserver/spawn.hpp"
#include "devserver/temp_dir.hpp"
#include "redkit/client.hpp"
#include "redkit/script.hpp"
#include "redkit/time_series.hpp"
#include "ts/aggregation.hpp"
#include "ts/codec/block_codec.hpp"
#include "ts/series_keys.hpp"
#include "ts_bench_report.hpp"
#include "ts_datasets.hpp"
#include "ts_seed_layout.hpp"

namespace {

using redkit::bench::Figure;
using redkit::bench::kDatasetSeed;
using redkit::bench::Report;
using redkit::bench::Sample;
using redkit::bench::time_seconds;
namespace ts = redkit::ts;

constexpr std::size_t kMillion = 1'000'000;
constexpr std::size_t kBatch = 10'000;

struct Options {
  int reps = 5;
  std::size_t big = 10 * kMillion;
  std::size_t single = 2'000;
  std::string json{};
  std::string seed_bench{};
  std::string only{};
};

struct Context {
  redkit::Client client;
  ts::Store& store;
  const Options& options;
  Report& report;
};

bool wanted(const Options& options, const std::string& section) {
  if (options.only.empty()) return true;
  std::stringstream list(options.only);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item == section) return true;
  }
  return false;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  std::string five;
  in >> one >> five;
  return one + " " + five;
}

void check(bool condition, const std::string& what) {
  if (!condition) throw std::runtime_error("benchmark check failed: " + what);
}

void add_in_batches(ts::Store& store, const std::string& name, std::span<const Sample> samples, std::size_t batch) {
  for (std::size_t begin = 0; begin < samples.size(); begin += batch) {
    store.add_many(name, samples.subspan(begin, std::min(batch, samples.size() - begin)));
  }
}

std::uint64_t memory_usage(const redkit::Client& client, const std::string& key) {
  return static_cast<std::uint64_t>(client.command({"MEMORY", "USAGE", key, "SAMPLES", "0"}).as_integer());
}

// Calls and microseconds of one command from INFO commandstats, so a case
// can say how much of its time the server spent executing it.
struct CommandStat {
  double calls = 0;
  double usec = 0;
};
CommandStat command_stat(const redkit::Client& client, const std::string& command) {
  const std::string info = client.command({"INFO", "commandstats"}).as_string();
  const std::string tag = "cmdstat_" + command + ":calls=";
  const auto at = info.find(tag);
  if (at == std::string::npos) return {};
  CommandStat stat;
  stat.calls = std::strtod(info.c_str() + at + tag.size(), nullptr);
  const auto usec = info.find("usec=", at);
  stat.usec = std::strtod(info.c_str() + usec + 5, nullptr);
  return stat;
}
double usec_per_call(const CommandStat& before, const CommandStat& after) {
  const double calls = after.calls - before.calls;
  return calls > 0 ? (after.usec - before.usec) / calls : 0;
}

std::string section_header(const std::string& section) {
  return fmt::format("{} (load {})", section, load_average());
}

// 1. Bytes per sample of each dataset at 1 M samples, and the seed's layout
// for the gauge. The gauge series stays for the range section.
void run_memory(Context& c) {
  const std::string section = section_header("memory: info().memory_bytes / samples, 1 M samples, add_many batches of 10,000");
  const std::pair<std::string_view, double> aims[] = {
      {"gauge", 1.0}, {"counter", 0.5}, {"constant", 0.5}, {"noisy", 9.0}, {"irregular", 0}};
  double gauge_bytes = 0;
  for (const auto& dataset : redkit::bench::kDatasets) {
    const auto samples = dataset.make(kMillion, kDatasetSeed);
    const std::string name = fmt::format("mem:{}", dataset.name);
    c.store.remove(name);
    c.store.create(name);
    add_in_batches(c.store, name, samples, kBatch);
    const ts::SeriesInfo info = c.store.info(name);
    check(info.samples == kMillion, fmt::format("{} holds {} samples", name, info.samples));
    const double per_sample = static_cast<double>(info.memory_bytes) / static_cast<double>(info.samples);
    const std::string figure = std::string(dataset.name);
    c.report.add(section, figure, "bytes/sample", per_sample);
    double aim = 0;
    for (const auto& [n, a] : aims) {
      if (n == dataset.name) aim = a;
    }
    c.report.note(section, figure, "bytes/sample",
                  fmt::format("{} bytes in {} chunks{}", info.memory_bytes, info.chunks,
                              aim > 0 ? fmt::format("; aim <= {} {}", aim, per_sample <= aim ? "MET" : "MISSED") : ""));
    if (dataset.name == "gauge") gauge_bytes = per_sample;
  }
  // The seed's layout of the same gauge, written with pipelined ZADDs.
  const auto gauge = redkit::bench::make_gauge(kMillion, kDatasetSeed);
  const std::string zset = "metric:seedbench";
  c.client.command({"DEL", zset});
  redkit::bench::write_seed_zset(c.client, zset, gauge);
  check(c.client.command({"ZCARD", zset}).as_integer() == static_cast<long long>(kMillion), "seed zset size");
  const double zset_per_sample = static_cast<double>(memory_usage(c.client, zset)) / kMillion;
  c.report.add(section, "gauge, seed layout (JSON members in a ZSET)", "bytes/sample", zset_per_sample);
  c.report.note(section, "gauge, seed layout (JSON members in a ZSET)", "bytes/sample",
                fmt::format("redkit uses {:.1f} x less", zset_per_sample / gauge_bytes));
}

// 2a. Bulk ingest of 1 M gauge samples into a fresh series: add_many in
// batches of 10,000 and in one call, interleaved.
void run_ingest(Context& c) {
  const std::string section = section_header("bulk ingest: 1 M gauge samples into one fresh series");
  const auto gauge = redkit::bench::make_gauge(kMillion, kDatasetSeed);
  const std::string batches = "add_many, 100 calls of 10,000";
  const std::string one_call = "add_many, one call of 1,000,000";
  for (int rep = 0; rep < c.options.reps; ++rep) {
    for (int turn = 0; turn < 2; ++turn) {
      const bool batched = (turn == 0) == (rep % 2 == 0);
      const std::string name = fmt::format("ingest:{}:{}", batched ? "batches" : "one", rep);
      c.store.remove(name);
      c.store.create(name);
      const double seconds = time_seconds([&] {
        if (batched) {
          add_in_batches(c.store, name, gauge, kBatch);
        } else {
          c.store.add_many(name, gauge);
        }
      });
      const ts::SeriesInfo info = c.store.info(name);
      check(info.samples == kMillion, name + " sample count");
      c.report.add(section, batched ? batches : one_call, "samples/s", kMillion / seconds);
      c.report.add(section, (batched ? batches : one_call) + ": bytes/sample", "bytes/sample",
                   static_cast<double>(info.memory_bytes) / kMillion);
      c.store.remove(name);
    }
  }
  for (const std::string& name : {batches, one_call}) {
    const double rate = c.report.median(section, name);
    c.report.note(section, name, "samples/s", fmt::format("aim >= 3 M/s {}", rate >= 3e6 ? "MET" : "MISSED"));
  }
}

// 2b. Ingest rate of a series that already holds `big` samples against a
// fresh one: the first 100 k of the gauge into a fresh series and the next
// 100 k into the big series, interleaved, batches of 10,000.
void run_scale(Context& c) {
  const std::string section =
      section_header(fmt::format("scale: 100 k samples in batches of 10,000, fresh series vs one holding {}", c.options.big));
  constexpr std::size_t kWindow = 100'000;
  // 100 k samples take a few milliseconds: four times the repetitions, plus
  // one warm-up pair, and the ratio taken pair by pair as well.
  const int pairs = 4 * c.options.reps + 1;
  const auto gauge = redkit::bench::make_gauge(c.options.big + static_cast<std::size_t>(pairs) * kWindow, kDatasetSeed);
  const std::string big = "scale:big";
  c.store.remove(big);
  c.store.create(big);
  const auto first = std::span(gauge).first(c.options.big);
  const double fill_seconds = time_seconds([&] { add_in_batches(c.store, big, first, kBatch); });
  c.report.add(section, fmt::format("filling the big series: {} samples", c.options.big), "samples/s",
               static_cast<double>(c.options.big) / fill_seconds);
  const std::string fresh_name = "100 k into a fresh series";
  const std::string big_name = fmt::format("100 k into the series holding >= {}", c.options.big);
  const std::string pair_name = "big / fresh, pair by pair";
  for (int rep = 0; rep < pairs; ++rep) {
    double fresh_rate = 0;
    double big_rate = 0;
    for (int turn = 0; turn < 2; ++turn) {
      if ((turn == 0) == (rep % 2 == 0)) {
        const std::string name = fmt::format("scale:fresh:{}", rep);
        c.store.remove(name);
        c.store.create(name);
        fresh_rate = kWindow / time_seconds([&] { add_in_batches(c.store, name, std::span(gauge).first(kWindow), kBatch); });
        c.store.remove(name);
      } else {
        const auto window = std::span(gauge).subspan(c.options.big + static_cast<std::size_t>(rep) * kWindow, kWindow);
        big_rate = kWindow / time_seconds([&] { add_in_batches(c.store, big, window, kBatch); });
      }
    }
    if (rep == 0) continue;  // warm-up
    c.report.add(section, fresh_name, "samples/s", fresh_rate);
    c.report.add(section, big_name, "samples/s", big_rate);
    c.report.add(section, pair_name, "ratio", big_rate / fresh_rate);
  }
  const ts::SeriesInfo info = c.store.info(big);
  check(info.samples == c.options.big + static_cast<std::size_t>(pairs) * kWindow, "big series count");
  c.report.add(section, "big series: bytes/sample", "bytes/sample",
               static_cast<double>(info.memory_bytes) / static_cast<double>(info.samples));
  const double ratio = c.report.median(section, big_name) / c.report.median(section, fresh_name);
  c.report.note(section, big_name, "samples/s",
                fmt::format("{:.3f} x the fresh series' rate; aim within 10% {}", ratio,
                            std::abs(ratio - 1) <= 0.10 ? "MET" : "MISSED"));
  c.store.remove(big);
}

// 3. One sample per call: Store::add against a non-pipelined SET loop, on
// the same client, in interleaved blocks.
void run_single(Context& c) {
  const std::string section =
      section_header(fmt::format("one sample per call: blocks of {} calls, interleaved", c.options.single));
  const std::size_t n = c.options.single;
  const std::size_t warmup = 200;
  const auto gauge =
      redkit::bench::make_gauge(warmup + n * static_cast<std::size_t>(c.options.reps), kDatasetSeed);
  std::vector<std::string> texts;
  texts.reserve(gauge.size());
  for (const Sample& sample : gauge) texts.push_back(fmt::format("{}", sample.value));
  const std::string name = "single:add";
  const std::string key = "single:set";
  // The least any script-based add costs: EVALSHA of a script that only
  // does the baseline's SET.
  const redkit::Script floor_script("bench_set_floor", "return redis.call('SET', KEYS[1], ARGV[1])");
  c.store.remove(name);
  c.store.create(name);
  struct Case {
    std::string name;
    std::string command;  // in INFO commandstats
    std::function<void(std::size_t)> run;
    std::size_t next = 0;
  };
  std::vector<Case> cases{
      {"Store::add", "evalsha",
       [&](std::size_t i) { c.store.add(name, gauge[i].timestamp, gauge[i].value); }},
      {"SET key value (baseline)", "set", [&](std::size_t i) { c.client.command({"SET", key, texts[i]}); }},
      {"EVALSHA of a script doing that SET", "evalsha",
       [&](std::size_t i) { c.client.command(floor_script.call({key}, {texts[i]})); }},
  };
  for (Case& one : cases) {
    for (std::size_t i = 0; i < warmup; ++i) one.run(one.next++);
  }
  for (int rep = 0; rep < c.options.reps; ++rep) {
    std::vector<double> rates(cases.size());
    for (std::size_t turn = 0; turn < cases.size(); ++turn) {
      // Rotate the order so no case always follows the same one.
      const std::size_t which = (turn + static_cast<std::size_t>(rep)) % cases.size();
      Case& one = cases[which];
      const CommandStat before = command_stat(c.client, one.command);
      rates[which] = static_cast<double>(n) / time_seconds([&] {
                       for (std::size_t i = 0; i < n; ++i) one.run(one.next++);
                     });
      c.report.add(section, "server time per call: " + one.name, "us",
                   usec_per_call(before, command_stat(c.client, one.command)));
    }
    for (std::size_t i = 0; i < cases.size(); ++i) c.report.add(section, cases[i].name, "calls/s", rates[i]);
    c.report.add(section, "Store::add / SET, rep by rep", "ratio", rates[0] / rates[1]);
    c.report.add(section, "one-SET script / SET, rep by rep", "ratio", rates[2] / rates[1]);
  }
  check(c.store.info(name).samples == cases[0].next, "single-add series count");
  const double ratio = c.report.median(section, cases[0].name) / c.report.median(section, cases[1].name);
  c.report.note(section, cases[0].name, "calls/s",
                fmt::format("{:.3f} x SET; aim >= 0.8 x {}", ratio, ratio >= 0.8 ? "MET" : "MISSED"));
  c.report.note(section, "server time per call: Store::add", "us", "EVALSHA of ts_add; seals every 512 included");
  c.store.remove(name);
  c.client.command({"DEL", key});
}

// The seed's way to an avg per minute: every member read and parsed, then
// bucketed here (epoch-aligned, as the store's default).
std::vector<Sample> average_per_minute(const std::vector<Sample>& samples) {
  std::vector<Sample> buckets;
  double sum = 0;
  std::size_t count = 0;
  std::int64_t bucket = 0;
  for (const Sample& sample : samples) {
    const std::int64_t start = sample.timestamp - (((sample.timestamp % 60'000) + 60'000) % 60'000);
    if (count > 0 && start != bucket) {
      buckets.push_back({bucket, sum / static_cast<double>(count)});
      sum = 0;
      count = 0;
    }
    bucket = start;
    sum += sample.value;
    ++count;
  }
  if (count > 0) buckets.push_back({bucket, sum / static_cast<double>(count)});
  return buckets;
}

// 4. Reads of the 1 M-sample gauge: the whole range and avg per minute, each
// against the seed's sorted set read and parsed in C++. A 10 k-sample range
// is timed too, to sit beside the seed's own getDataPoints of 10 k samples.
void run_range(Context& c) {
  const std::string section = section_header("reads of the 1 M-sample gauge (series mem:gauge, ZSET metric:seedbench)");
  const std::string name = "mem:gauge";
  const std::string zset = "metric:seedbench";
  const auto gauge = redkit::bench::make_gauge(kMillion, kDatasetSeed);
  if (!c.store.exists(name)) {
    c.store.create(name);
    add_in_batches(c.store, name, gauge, kBatch);
  }
  if (c.client.command({"EXISTS", zset}).as_integer() == 0) redkit::bench::write_seed_zset(c.client, zset, gauge);
  const std::int64_t first = gauge.front().timestamp;
  const std::int64_t last = gauge.back().timestamp;
  const std::int64_t last_of_10k = gauge[9'999].timestamp;
  const ts::RangeOptions per_minute{
      .aggregation = ts::Aggregation{.aggregator = ts::Aggregator::avg, .bucket = std::chrono::minutes(1)}};
  const auto expected_buckets = average_per_minute(gauge);
  // The same gauge in a series with a 1-minute avg compaction rule, created
  // before the samples arrive: an avg per minute then reads the rule's
  // destination for every closed bucket.
  const std::string ruled = "range:ruled";
  const std::string ruled_destination = "range:ruled:1m";
  if (!c.store.exists(ruled)) {
    c.store.create(ruled);
    c.store.create(ruled_destination);
    c.store.create_rule(ruled, ruled_destination, *per_minute.aggregation);
    const double seconds = time_seconds([&] { add_in_batches(c.store, ruled, gauge, kBatch); });
    c.report.add(section, "setup: add_many batches of 10,000 into the series with a rule", "samples/s",
                 kMillion / seconds);
  }

  struct Case {
    std::string name;
    std::function<std::size_t()> run;
    std::size_t expected;
  };
  std::vector<Case> cases{
      {"range(): 1 M samples", [&] { return c.store.range(name).size(); }, kMillion},
      {"seed ZSET: ZRANGEBYSCORE 1 M + parse", [&] { return redkit::bench::read_seed_zset(c.client, zset, first, last, kMillion).size(); }, kMillion},
      {"range() avg per 1 min: 1 M samples", [&] { return c.store.range(name, per_minute).size(); }, expected_buckets.size()},
      {"seed ZSET: ZRANGEBYSCORE 1 M + parse + avg per 1 min",
       [&] { return average_per_minute(redkit::bench::read_seed_zset(c.client, zset, first, last, kMillion)).size(); },
       expected_buckets.size()},
      {"range() avg per 1 min: 1 M samples, from a 1-min avg rule",
       [&] { return c.store.range(ruled, per_minute).size(); }, expected_buckets.size()},
      {"range(): 10 k samples", [&] { return c.store.range(name, {.from = first, .to = last_of_10k}).size(); }, 10'000},
      {"seed ZSET: ZRANGEBYSCORE 10 k + parse",
       [&] { return redkit::bench::read_seed_zset(c.client, zset, first, last_of_10k, 10'000).size(); }, 10'000},
  };
  // Results checked once: the store's reads against the generated samples.
  check(c.store.range(name) == gauge, "range() returns the ingested gauge");
  const auto buckets = c.store.range(name, per_minute);
  check(buckets.size() == expected_buckets.size(), "bucket count");
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    check(buckets[i].timestamp == expected_buckets[i].timestamp &&
              std::abs(buckets[i].value - expected_buckets[i].value) <= 1e-9 * std::abs(expected_buckets[i].value),
          fmt::format("bucket {} differs", i));
  }
  const auto from_rule = c.store.range(ruled, per_minute);
  check(from_rule.size() == expected_buckets.size(), "bucket count from the rule");
  for (std::size_t i = 0; i < from_rule.size(); ++i) {
    check(from_rule[i].timestamp == expected_buckets[i].timestamp &&
              std::abs(from_rule[i].value - expected_buckets[i].value) <= 1e-9 * std::abs(expected_buckets[i].value),
          fmt::format("bucket {} from the rule differs", i));
  }
  check(redkit::bench::read_seed_zset(c.client, zset, first, last, kMillion) == gauge, "seed zset round trip");
  for (Case& one : cases) one.run();  // warm-up
  const int reps = 3 * c.options.reps;
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<double> ms(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
      // Rotate the order so no case always follows the same one.
      const std::size_t which = (i + static_cast<std::size_t>(rep)) % cases.size();
      Case& one = cases[which];
      std::size_t got = 0;
      ms[which] = time_seconds([&] { got = one.run(); }) * 1e3;
      check(got == one.expected, one.name + " result size");
    }
    for (std::size_t i = 0; i < cases.size(); ++i) c.report.add(section, cases[i].name, "ms", ms[i]);
    c.report.add(section, "seed ZSET / range(), 1 M, rep by rep", "ratio", ms[1] / ms[0]);
    c.report.add(section, "seed ZSET / range() avg per 1 min, rep by rep", "ratio", ms[3] / ms[2]);
  }
  // The same two reads back to back, with no ZSET read in between: the
  // ZSET reads free about 100 MB, which the allocator hands back to the
  // system, so the interleaved range() above also pays page faults for its
  // fresh 16 MB result; a program that reads series steadily does not.
  for (int rep = 0; rep < reps; ++rep) {
    c.report.add(section, "range(): 1 M samples, back to back", "ms",
                 1e3 * time_seconds([&] { check(cases[0].run() == cases[0].expected, "range() size"); }));
    c.report.add(section, "range() avg per 1 min: 1 M samples, back to back", "ms",
                 1e3 * time_seconds([&] { check(cases[2].run() == cases[2].expected, "range() avg size"); }));
  }
  // Where the time of range() goes: the ts_read script call through the
  // client (server, transfer, reply parsing), decoding the chunks it returns,
  // and bucketing the decoded samples.
  const redkit::ts::detail::SeriesKeys keys("tsbench:", name);
  const redkit::Script& read_script = redkit::detail::embedded_script(redkit::detail::ScriptName::ts_read);
  const CommandStat read_before = command_stat(c.client, "evalsha");
  for (int rep = 0; rep < reps; ++rep) {
    redkit::Reply page;
    c.report.add(section, "part: ts_read call returning every chunk", "ms", 1e3 * time_seconds([&] {
                   page = c.client.command(read_script.call(
                       {keys.meta, keys.head, keys.chunks, keys.summary},
                       {"forward", std::to_string(ts::kMinTimestamp), std::to_string(ts::kMaxTimestamp), "1000000", "1"}));
                 }));
    const auto& parts = page.as_array();
    check(parts.at(2).as_integer() == 0, "ts_read returned the whole series in one page");
    std::vector<Sample> decoded;
    c.report.add(section, "part: decoding them into a reserved vector", "ms", 1e3 * time_seconds([&] {
                   decoded.reserve(kMillion);
                   for (std::size_t i = 5; i < parts.size(); ++i) {  // parts[4]: chunk facts
                     redkit::ts::detail::decode_blocks(parts[i].as_string(), decoded);
                   }
                 }));
    check(decoded.size() == kMillion, "decoded sample count");
    c.report.add(section, "part: avg per 1 min over the decoded samples", "ms", 1e3 * time_seconds([&] {
                   check(redkit::ts::detail::aggregate(decoded, *per_minute.aggregation, ts::kMinTimestamp,
                                                       ts::kMaxTimestamp)
                                 .size() == expected_buckets.size(),
                         "bucket count of the part");
                 }));
  }
  c.report.add(section, "part: server time per ts_read call", "ms",
               usec_per_call(read_before, command_stat(c.client, "evalsha")) / 1e3);
  auto note_ratio = [&](const std::string& ours, const std::string& theirs, double aim_ms) {
    const double mine = c.report.median(section, ours);
    const double ratio = c.report.median(section, theirs) / mine;
    c.report.note(section, ours, "ms",
                  fmt::format("{:.1f} x faster than the seed ZSET{}", ratio,
                              aim_ms > 0 ? fmt::format("; aim <= {} ms {}", aim_ms, mine <= aim_ms ? "MET" : "MISSED")
                                         : ""));
  };
  note_ratio(cases[0].name, cases[1].name, 40);
  note_ratio(cases[2].name, cases[3].name, 15);
  note_ratio(cases[4].name, cases[3].name, 15);
  note_ratio("range(): 1 M samples, back to back", cases[1].name, 40);
  note_ratio("range() avg per 1 min: 1 M samples, back to back", cases[3].name, 15);
  note_ratio(cases[5].name, cases[6].name, 0);
}

// A number after "key": in text, searching from `from`; NaN when absent.
double json_number(const std::string& text, const std::string& key, std::size_t from = 0) {
  const auto at = text.find("\"" + key + "\":", from);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(text.c_str() + at + key.size() + 3, nullptr);
}

// 5. The seed's TimeSeriesManager from its own JavaScript, on this server.
void run_seed(Context& c, const std::string& redis_url) {
  const std::string section = section_header("the seed's TimeSeriesManager (node bench.mjs), same server");
  const std::filesystem::path node = redkit::devserver::find_executable("node");
  const std::filesystem::path dir = redkit::devserver::make_temp_dir("ts_store_bench");
  for (const std::string which : {"ts_ingest", "ts_range"}) {
    const std::vector<std::string> argv{"node", c.options.seed_bench, "--redis", redis_url, "--case", which};
    const auto output = dir / (which + ".out");
    std::cout << "running: " << redkit::devserver::printable_command(argv) << std::endl;
    const int status = redkit::devserver::reap(redkit::devserver::spawn_with_output(node, argv, output));
    std::ifstream in(output);
    std::string line;
    std::string json;
    while (std::getline(in, line)) {
      if (!line.empty() && line.front() == '{') json = line;
    }
    check(!json.empty(), fmt::format("{} printed no JSON ({})", which, redkit::devserver::describe_wait_status(status)));
    std::cout << json << std::endl;
    const auto results = json.find("\"results\"");
    if (which == "ts_ingest") {
      c.report.add(section, "ts_ingest: addDataPoint, one sample per call (3 round trips)", "samples/s",
                   json_number(json, "samples_per_s", results));
      c.report.add(section, "ts_ingest: samples ingested (the case stops at its deadline)", "samples",
                   json_number(json, "samples_ingested", results));
      c.report.add(section, "ts_ingest: bytes per retained sample (MEMORY USAGE)", "bytes/sample",
                   json_number(json, "bytes_per_retained_sample_memory_usage", results));
    } else {
      const auto full = json.find("\"getDataPoints_full_all\"", results);
      c.report.add(section, "ts_range: getDataPoints of 10 k samples, p50", "ms", json_number(json, "p50", full));
      const auto stats = json.find("\"getMetricStats\"", results);
      c.report.add(section, "ts_range: getMetricStats over 10 k samples, p50", "ms", json_number(json, "p50", stats));
    }
  }
  std::filesystem::remove_all(dir);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--reps") {
      options.reps = std::stoi(value());
    } else if (arg == "--big") {
      options.big = std::stoull(value());
    } else if (arg == "--single") {
      options.single = std::stoull(value());
    } else if (arg == "--json") {
      options.json = value();
    } else if (arg == "--seed-bench") {
      options.seed_bench = value();
    } else if (arg == "--only") {
      options.only = value();
    } else {
      throw std::invalid_argument("unknown option " + arg + " (see the comment at the top of ts_store_bench.cpp)");
    }
  }
  if (options.reps < 1) throw std::invalid_argument("--reps must be at least 1");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse_options(argc, argv);
    const redkit::bench::BenchServer server;
    const std::string& url = server.url();
    redkit::ClientOptions client_options;
    client_options.connection = redkit::ConnectionOptions::from_url(url);
    // Replies of a million members take longer than the default allows.
    client_options.connection.command_timeout = std::chrono::seconds(120);
    redkit::Client client(client_options);
    ts::Store store(client, {.prefix = "tsbench:"});
    Report report;
    Context context{client, store, options, report};
    const std::string version = [&] {
      const std::string info = client.command({"INFO", "server"}).as_string();
      const auto at = info.find("redis_version:");
      return at == std::string::npos ? std::string("?") : info.substr(at + 14, info.find('\r', at) - at - 14);
    }();
    std::cout << fmt::format("ts_store_bench: redis {} at {}, {} repetitions, load {}\n", version, url, options.reps,
                             load_average());
    if (wanted(options, "memory")) run_memory(context);
    if (wanted(options, "ingest")) run_ingest(context);
    if (wanted(options, "scale")) run_scale(context);
    if (wanted(options, "single")) run_single(context);
    if (wanted(options, "range")) run_range(context);
    store.remove("range:ruled");
    store.remove("range:ruled:1m");
    for (const auto& dataset : redkit::bench::kDatasets) store.remove(fmt::format("mem:{}", dataset.name));
    client.command({"DEL", "metric:seedbench"});
    if (!options.seed_bench.empty() && wanted(options, "seed")) run_seed(context, url);
    report.print_table(std::cout);
    std::cout << fmt::format("\nload at the end: {}\n", load_average());
    if (!options.json.empty()) report.write_json(options.json);
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "ts_store_bench: " << error.what() << "\n";
    return 1;
  }
}
