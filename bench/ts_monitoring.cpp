// The monitoring shape side by side: redkit's store on one private
// redis-server, RedisTimeSeries (../shared/peers/redistimeseries) loaded into
// a second one, both driven from this process through the same client, cases
// alternating. Thousands of series labelled metric=cpu, host=h0..h99 get one
// 2-decimal gauge sample every 10 s per round; then the reads a dashboard or
// an alert makes across all of them, the memory of small series, and one
// sample per round trip. Ratios are redkit ÷ RTS (higher is better for rates,
// lower for costs). Without the module only redkit's figures are printed.
//
//   ts_monitoring [--series 1000,10000] [--rounds 180] [--small 10,100,1000]
//                 [--small-series 1000] [--single 20000] [--module PATH]
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "devserver/redis_process.hpp"
#include "redkit/client.hpp"
#include "redkit/time_series.hpp"
#include "ts_bench_report.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using redkit::Client;
using redkit::Command;
using redkit::bench::Report;
namespace ts = redkit::ts;

constexpr redkit::ts::Timestamp kStart = 1'700'000'000'000;
constexpr redkit::ts::Timestamp kInterval = 10'000;
constexpr int kHosts = 100;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<std::size_t> parse_list(const std::string& text) {
  std::vector<std::size_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoul(item));
  return out;
}

// CPU seconds the server has used (user + system, all its threads), from
// INFO: microsecond resolution, and each server's count only grows while it
// works, so cases that alternate are still told apart.
// CPU this process has used, user and system.
double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double cpu_seconds(const Client& client) {
  const std::string info = client.command({"INFO", "cpu"}).as_string();
  const auto field = [&](const std::string& name) {
    const auto at = info.find(name + ":");
    return std::stod(info.substr(at + name.size() + 1));
  };
  return field("used_cpu_sys") + field("used_cpu_user");
}

long long used_memory(const Client& client) {
  const std::string info = client.command({"INFO", "memory"}).as_string();
  const auto at = info.find("used_memory:");
  return std::stoll(info.substr(at + 12));
}

std::string series_name(std::size_t i) { return fmt::format("cpu:{}", i); }

// A 2-decimal gauge that wanders, the same for both engines.
double gauge(std::size_t series, std::size_t round) {
  const double raw = 50.0 + 20.0 * std::sin(static_cast<double>(series) * 0.7 + static_cast<double>(round) * 0.05) +
                     static_cast<double>((series * 7919 + round * 104729) % 1000) / 100.0;
  return std::round(raw * 100.0) / 100.0;
}

// One engine: how to create the series, write a round, and read across them.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string label() const = 0;
  virtual const Client& client() const = 0;
  virtual void create(std::size_t series) = 0;
  virtual void round(std::size_t series, std::size_t round) = 0;
  // with_labels: every series' labels too (TS.MGET WITHLABELS).
  virtual std::size_t mget(bool with_labels) = 0;
  virtual std::size_t mrange(ts::Timestamp from, ts::Timestamp to) = 0;
  virtual void add_one(ts::Timestamp timestamp, double value) = 0;
};

class RedkitEngine final : public Engine {
 public:
  explicit RedkitEngine(const std::string& url) : client_(url), store_(client_) {}
  std::string label() const override { return "redkit"; }
  const Client& client() const override { return client_; }
  void create(std::size_t series) override {
    for (std::size_t i = 0; i < series; ++i) {
      store_.create(series_name(i), {.labels = {{"metric", "cpu"}, {"host", fmt::format("h{}", i % kHosts)}}});
    }
    store_.create("single");
  }
  void round(std::size_t series, std::size_t round) override {
    batch_.resize(series);
    for (std::size_t i = 0; i < series; ++i) {
      batch_[i] = ts::NamedSample{series_name(i), kStart + static_cast<ts::Timestamp>(round) * kInterval,
                                  gauge(i, round)};
    }
    store_.add_many(batch_);
  }
  std::size_t mget(bool with_labels) override {
    return store_.mget({"metric=cpu"}, with_labels ? ts::LabelSelection::all() : ts::LabelSelection::none()).size();
  }
  std::size_t query_index() { return store_.query_index({"metric=cpu"}).size(); }
  std::size_t mrange(ts::Timestamp from, ts::Timestamp to) override {
    const auto result = store_.mrange(
        {"metric=cpu"},
        {.from = from, .to = to, .aggregation = ts::Aggregation{.aggregator = ts::Aggregator::avg,
                                                                .bucket = std::chrono::minutes(1)}},
        std::nullopt, ts::LabelSelection::none());  // as TS.MRANGE without WITHLABELS
    std::size_t buckets = 0;
    for (const auto& s : result) buckets += s.samples.size();
    return buckets;
  }
  void add_one(ts::Timestamp timestamp, double value) override { store_.add("single", timestamp, value); }

 private:
  Client client_;
  ts::Store store_;
  std::vector<ts::NamedSample> batch_;
};

class RtsEngine final : public Engine {
 public:
  explicit RtsEngine(const std::string& url) : client_(url) {}
  std::string label() const override { return "RTS"; }
  const Client& client() const override { return client_; }
  void create(std::size_t series) override {
    std::vector<Command> commands;
    for (std::size_t i = 0; i < series; ++i) {
      commands.push_back(Command::raw({"TS.CREATE", series_name(i), "LABELS", "metric", "cpu", "host",
                                       fmt::format("h{}", i % kHosts)}));
      if (commands.size() == 1000) flush(commands);
    }
    commands.push_back(Command::raw({"TS.CREATE", "single"}));
    flush(commands);
  }
  void round(std::size_t series, std::size_t round) override {
    Command madd = Command::raw({"TS.MADD"});
    const std::string timestamp = std::to_string(kStart + static_cast<ts::Timestamp>(round) * kInterval);
    for (std::size_t i = 0; i < series; ++i) {
      madd.arg(series_name(i)).arg(timestamp).arg(fmt::format("{}", gauge(i, round)));
    }
    client_.command(madd).throw_if_error();
  }
  std::size_t mget(bool with_labels) override {
    const Command mget = with_labels ? Command::raw({"TS.MGET", "WITHLABELS", "FILTER", "metric=cpu"})
                                     : Command::raw({"TS.MGET", "FILTER", "metric=cpu"});
    return client_.command(mget).throw_if_error().as_array().size();
  }
  std::size_t mrange(ts::Timestamp from, ts::Timestamp to) override {
    const auto reply = client_.command({"TS.MRANGE", std::to_string(from), std::to_string(to), "AGGREGATION", "avg",
                                        "60000", "FILTER", "metric=cpu"});
    std::size_t buckets = 0;
    for (const auto& series : reply.throw_if_error().as_array()) buckets += series.as_array().at(2).as_array().size();
    return buckets;
  }
  void add_one(ts::Timestamp timestamp, double value) override {
    client_.command({"TS.ADD", "single", std::to_string(timestamp), fmt::format("{}", value)}).throw_if_error();
  }

 private:
  void flush(std::vector<Command>& commands) {
    for (const auto& reply : client_.execute(commands)) reply.throw_if_error();
    commands.clear();
  }
  Client client_;
};

struct Servers {
  std::unique_ptr<redkit::devserver::RedisProcess> plain;
  std::unique_ptr<redkit::devserver::RedisProcess> module;
};

struct Engines {
  std::unique_ptr<RedkitEngine> redkit;
  std::unique_ptr<RtsEngine> rts;  // null without the module
  std::vector<Engine*> all() const {
    std::vector<Engine*> out{redkit.get()};
    if (rts) out.push_back(rts.get());
    return out;
  }
};

// Both servers run on the last CPU and this process on the others. A round
// trip's cost is dominated by where the scheduler puts the two ends: a
// server sharing the client's CPU answers a PING in about a third of the
// time one on another CPU takes (which has to be woken). Left to the
// scheduler, whichever server happened to land on the client's CPU won the
// latency-bound cases by up to 3x; pinned, both see the same placement, one
// like a client on another host.
void place_on_cpus(const Servers& servers) {
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 2) return;
  cpu_set_t server_cpu;
  CPU_ZERO(&server_cpu);
  CPU_SET(static_cast<int>(cpus - 1), &server_cpu);
  for (const auto* server : {servers.plain.get(), servers.module.get()}) {
    if (server != nullptr && sched_setaffinity(server->pid(), sizeof server_cpu, &server_cpu) != 0) {
      std::perror("sched_setaffinity (server)");
    }
  }
  cpu_set_t client_cpus;
  CPU_ZERO(&client_cpus);
  for (long cpu = 0; cpu + 1 < cpus; ++cpu) CPU_SET(static_cast<int>(cpu), &client_cpus);
  if (sched_setaffinity(0, sizeof client_cpus, &client_cpus) != 0) std::perror("sched_setaffinity (client)");
}

// Fresh servers per section, so one section's keys never weigh on another's
// memory figures.
Engines start(Servers& servers, const std::optional<std::string>& module) {
  servers.plain = std::make_unique<redkit::devserver::RedisProcess>(redkit::devserver::RedisProcessOptions{});
  Engines engines;
  engines.redkit = std::make_unique<RedkitEngine>(servers.plain->url());
  if (module) {
    servers.module = std::make_unique<redkit::devserver::RedisProcess>(
        redkit::devserver::RedisProcessOptions{.extra_args = {"--loadmodule", *module}});
    engines.rts = std::make_unique<RtsEngine>(servers.module->url());
  }
  place_on_cpus(servers);
  return engines;
}

// With TS_MONITORING_COMMANDSTATS set: where each server's time went.
void print_commandstats(const Engines& engines, const std::string& after) {
  if (std::getenv("TS_MONITORING_COMMANDSTATS") == nullptr) return;
  for (Engine* engine : engines.all()) {
    fmt::print("{} commandstats after {}:\n{}\n", engine->label(), after,
               engine->client().command({"INFO", "commandstats"}).as_string());
    // Each print covers what ran since the one before.
    engine->client().command({"CONFIG", "RESETSTAT"});
  }
}

void note_ratio(Report& report, const std::string& section, const std::string& name, const std::string& unit,
                const std::string& redkit_name, const std::string& rts_name, const std::string& aim) {
  const double ours = report.median(section, redkit_name);
  const double theirs = report.median(section, rts_name);
  if (theirs > 0) report.note(section, name, unit, fmt::format("{:.2f} x  (aim {})", ours / theirs, aim));
  if (theirs > 0) report.add(section, name, unit, ours / theirs);
}

void many_series(Report& report, std::size_t series, std::size_t rounds, const std::optional<std::string>& module) {
  Servers servers;
  Engines engines = start(servers, module);
  const std::string section = fmt::format("{} series x {} rounds (one sample each per round)", series, rounds);
  std::vector<double> seconds(engines.all().size(), 0.0);
  std::vector<double> cpu;
  std::vector<long long> memory_before;
  for (Engine* engine : engines.all()) {
    // Everything included: the series' own keys and whatever an engine
    // allocates when a series is created.
    memory_before.push_back(used_memory(engine->client()));
    engine->create(series);
    cpu.push_back(cpu_seconds(engine->client()));
  }
  for (std::size_t r = 0; r < rounds; ++r) {
    for (std::size_t e = 0; e < engines.all().size(); ++e) {
      const auto started = Clock::now();
      engines.all()[e]->round(series, r);
      seconds[e] += seconds_since(started);
    }
  }
  for (std::size_t e = 0; e < engines.all().size(); ++e) cpu[e] = cpu_seconds(engines.all()[e]->client()) - cpu[e];
  print_commandstats(engines, "the rounds");
  const double samples = static_cast<double>(series * rounds);
  for (std::size_t e = 0; e < engines.all().size(); ++e) {
    Engine* engine = engines.all()[e];
    report.add(section, engine->label() + " ingest", "samples/s", samples / seconds[e]);
    report.add(section, engine->label() + " server CPU per sample", "us", cpu[e] / samples * 1e6);
    report.add(section, engine->label() + " memory per sample, series included", "bytes",
               static_cast<double>(used_memory(engine->client()) - memory_before[e]) / samples);
  }
  const ts::Timestamp last = kStart + static_cast<ts::Timestamp>(rounds - 1) * kInterval;
  for (int repeat = 0; repeat < 5; ++repeat) {
    for (Engine* engine : engines.all()) {
      auto started = Clock::now();
      const std::size_t found = engine->mget(false);
      report.add(section, engine->label() + " mget metric=cpu", "ms", seconds_since(started) * 1e3);
      started = Clock::now();
      if (engine->mget(true) != series) throw std::runtime_error(engine->label() + " mget with labels missed series");
      report.add(section, engine->label() + " mget metric=cpu with labels", "ms", seconds_since(started) * 1e3);
      if (engine == engines.redkit.get()) {
        started = Clock::now();
        engines.redkit->query_index();
        report.add(section, "redkit of which: label index query", "ms", seconds_since(started) * 1e3);
      }
      if (found != series) throw std::runtime_error(fmt::format("{} mget found {} series", engine->label(), found));
      started = Clock::now();
      const double cpu_before = cpu_seconds(engine->client());
      const double own_before = own_cpu_seconds();
      engine->mrange(last - 30 * 60 * 1000, last);
      report.add(section, engine->label() + " mrange avg/1m last 30 min", "ms", seconds_since(started) * 1e3);
      report.add(section, engine->label() + " mrange: server CPU", "ms",
                 (cpu_seconds(engine->client()) - cpu_before) * 1e3);
      report.add(section, engine->label() + " mrange: client CPU", "ms", (own_cpu_seconds() - own_before) * 1e3);
    }
  }
  print_commandstats(engines, "the reads (5 x mget, mget with labels, mrange)");
  if (engines.rts) {
    note_ratio(report, section, "ratio ingest", "x", "redkit ingest", "RTS ingest", ">= 1.0");
    note_ratio(report, section, "ratio server CPU per sample", "x", "redkit server CPU per sample",
               "RTS server CPU per sample", "<= 1.5");
    note_ratio(report, section, "ratio memory per sample", "x", "redkit memory per sample, series included",
               "RTS memory per sample, series included", "-");
    // Rates from times: RTS's time over ours.
    note_ratio(report, section, "ratio mget speed", "x", "RTS mget metric=cpu", "redkit mget metric=cpu", ">= 1.0");
    note_ratio(report, section, "ratio mget speed with labels", "x", "RTS mget metric=cpu with labels",
               "redkit mget metric=cpu with labels", "-");
    note_ratio(report, section, "ratio mrange speed", "x", "RTS mrange avg/1m last 30 min",
               "redkit mrange avg/1m last 30 min", ">= 1.0");
  }
}

void small_series(Report& report, std::size_t series, const std::vector<std::size_t>& lengths,
                  const std::optional<std::string>& module) {
  for (std::size_t length : lengths) {
    Servers servers;
    Engines engines = start(servers, module);
    const std::string section = fmt::format("small series: {} series x {} samples", series, length);
    for (Engine* engine : engines.all()) {
      const long long before = used_memory(engine->client());
      engine->create(series);
      for (std::size_t r = 0; r < length; ++r) engine->round(series, r);
      report.add(section, engine->label() + " memory per sample, series included", "bytes",
                 static_cast<double>(used_memory(engine->client()) - before) / static_cast<double>(series * length));
    }
    if (engines.rts) {
      note_ratio(report, section, "ratio memory per sample", "x", "redkit memory per sample, series included",
                 "RTS memory per sample, series included", length == 100 ? "<= 0.5" : "-");
    }
  }
}

void single_add(Report& report, std::size_t count, const std::optional<std::string>& module) {
  Servers servers;
  Engines engines = start(servers, module);
  const std::string section = "one sample per round trip into one series";
  for (Engine* engine : engines.all()) engine->create(0);
  // The engines take turns add by add, so both see the machine in the same
  // state: a round trip here is mostly the wake-up of an idle virtual CPU,
  // which drifts by a factor of several within a minute. Each block of
  // kBlock turns gives a rate per engine and, with the module, a ratio; the
  // median block is the figure.
  constexpr std::size_t kBlock = 500;
  for (std::size_t done = 0; done < count; done += kBlock) {
    std::vector<double> seconds(engines.all().size(), 0.0);
    for (std::size_t i = done; i < done + kBlock; ++i) {
      for (std::size_t e = 0; e < engines.all().size(); ++e) {
        const auto started = Clock::now();
        engines.all()[e]->add_one(kStart + static_cast<ts::Timestamp>(i) * kInterval, gauge(0, i));
        seconds[e] += seconds_since(started);
      }
    }
    for (std::size_t e = 0; e < engines.all().size(); ++e) {
      report.add(section, engines.all()[e]->label() + " add", "adds/s", static_cast<double>(kBlock) / seconds[e]);
    }
    if (engines.rts) report.add(section, "ratio single add, per block", "x", seconds[1] / seconds[0]);
  }
  print_commandstats(engines, "the single adds");
  if (engines.rts) {
    report.note(section, "ratio single add, per block", "x",
                fmt::format("{:.2f} x  (aim >= 0.8)", report.median(section, "ratio single add, per block")));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> series_counts{1000, 10000};
  std::size_t rounds = 180;
  std::vector<std::size_t> small_lengths{10, 100, 1000};
  std::size_t small_count = 1000;
  std::size_t single = 20000;
  std::string module = REDKIT_SHARED_DIR "/peers/redistimeseries/redistimeseries-1.8.23.so";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--series") {
      series_counts = parse_list(value);
    } else if (flag == "--rounds") {
      rounds = std::stoul(value);
    } else if (flag == "--small") {
      small_lengths = parse_list(value);
    } else if (flag == "--small-series") {
      small_count = std::stoul(value);
    } else if (flag == "--single") {
      single = std::stoul(value);
    } else if (flag == "--module") {
      module = value;
    } else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      return 2;
    }
  }
  std::optional<std::string> loaded;
  if (std::filesystem::exists(module)) {
    loaded = module;
    fmt::print("RedisTimeSeries from {}\n", module);
  } else {
    fmt::print("RedisTimeSeries not found at {}: redkit's figures only\n", module);
  }
  Report report;
  for (std::size_t series : series_counts) many_series(report, series, rounds, loaded);
  if (small_count > 0) small_series(report, small_count, small_lengths, loaded);
  if (single > 0) single_add(report, single, loaded);
  report.print_table(std::cout);
  return 0;
}
