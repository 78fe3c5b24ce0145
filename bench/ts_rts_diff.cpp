// The time-series store beside RedisTimeSeries: the model-based test's random
// operation sequences (tests/support/ts_model.hpp) replayed into both — redkit
// on a plain redis-server, the RedisTimeSeries module loaded into a second
// one — with every answer also recomputed by the reference model,
// which decides who is right. Prints the differences by class with a first
// example each. Not a test: RedisTimeSeries is a peer to compare with, never a
// dependency (docs/TIME_SERIES.md lists the differences kept on purpose).
//
//   ts_rts_diff [--seeds N] [--first-seed S] [--operations N] [--module PATH]
//               [--dir DIR]    (the server's directory, kept: its log)
//
// After a write leaves the two peers holding different samples, the
// RedisTimeSeries series is rebuilt from the model, so later reads compare
// query semantics rather than carry the divergence along.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "devserver/redis_process.hpp"
#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/time_series.hpp"
#include "support/ts_model.hpp"

namespace {

using redkit::Reply;
using redkit::ts::Sample;
using redkit::ts::Timestamp;
using namespace redkit::test::model;

// RedisTimeSeries takes no negative timestamps: its side sees every
// timestamp moved by this much, a multiple of every bucket width used.
constexpr Timestamp kShift = 35'000'000;

struct Tally {
  long count = 0;
  std::string example;
};

// Aggregates may differ in their last bits (summed in another order).
bool agree(const std::vector<Sample>& a, const std::vector<Sample>& b) { return same_samples(a, b, false); }

std::string number(double value) { return fmt::format("{:.17g}", value); }
std::string shifted(Timestamp t) { return std::to_string(t + kShift); }

const char* policy_name(redkit::ts::DuplicatePolicy policy) {
  switch (policy) {
    case redkit::ts::DuplicatePolicy::block:
      return "BLOCK";
    case redkit::ts::DuplicatePolicy::first:
      return "FIRST";
    case redkit::ts::DuplicatePolicy::last:
      return "LAST";
    case redkit::ts::DuplicatePolicy::min:
      return "MIN";
    case redkit::ts::DuplicatePolicy::max:
      return "MAX";
    case redkit::ts::DuplicatePolicy::sum:
      return "SUM";
  }
  return "BLOCK";
}

// A RedisTimeSeries range reply, moved back to redkit's timestamps.
std::vector<Sample> samples_of(const Reply& reply) {
  std::vector<Sample> out;
  for (const Reply& pair : reply.as_array()) {
    const auto& parts = pair.as_array();
    out.push_back({parts.at(0).as_integer() - kShift, std::strtod(parts.at(1).as_string().c_str(), nullptr)});
  }
  return out;
}

class Differ {
 public:
  // redkit's series live in `plain`, a server without the module: a crash
  // or a stray write of the module must not be taken for redkit's doing.
  Differ(redkit::Client& plain, redkit::Client& client, std::uint64_t seed) : client_(client), seed_(seed) {
    const std::string base = fmt::format("diff{}:", seed);
    store_ = std::make_unique<redkit::ts::Store>(plain, redkit::ts::StoreOptions{.prefix = base, .default_series = {}});
    rts_keys_ = {base + "rts:s0", base + "rts:s1"};
    expected_.series.resize(2);
    for (std::size_t i = 0; i < 2; ++i) {
      store_->create(names_[i]);
      client_.command({"TS.CREATE", rts_keys_[i], "DUPLICATE_POLICY", "BLOCK"});
    }
  }

  void run(const std::vector<Op>& ops, std::map<std::string, Tally>& tallies) {
    for (const Op& op : ops) {
      const std::string where = fmt::format("seed {}: {}", seed_, describe(op));
      auto note = [&](const std::string& kind, const std::string& detail) {
        Tally& tally = tallies[kind];
        if (tally.count++ == 0) tally.example = where + "\n      " + detail;
      };
      try {
        step(op, note);
      } catch (const redkit::ConnectionError& error) {
        // The server died: RedisTimeSeries crashed on this operation.
        note("RTS crashed the server: " + read_class(op), error.what());
        throw;
      } catch (const std::exception& error) {
        note("error: " + std::string(error.what()).substr(0, 60), error.what());
      }
    }
  }

 private:
  template <typename Note>
  void step(const Op& op, Note& note) {
    const std::string& key = rts_keys_[op.series];
    const std::string& name = names_[op.series];
    switch (op.kind) {
      case Kind::add:
      case Kind::add_many: {
        const bool model_refused = expected_.add(op.series, op.samples, op.on_duplicate);
        bool redkit_refused = false;
        try {
          store_->add_many(name, op.samples, op.on_duplicate);
        } catch (const redkit::ts::SampleRejected&) {
          redkit_refused = true;
        }
        bool rts_refused = false;
        std::vector<redkit::Command> commands;
        if (op.on_duplicate || op.kind == Kind::add) {
          for (const Sample& s : op.samples) {
            std::vector<std::string> args{"TS.ADD", key, shifted(s.timestamp), number(s.value)};
            if (op.on_duplicate) {
              args.push_back("ON_DUPLICATE");
              args.push_back(policy_name(*op.on_duplicate));
            }
            commands.push_back(redkit::Command::raw(args));
          }
        } else {
          std::vector<std::string> args{"TS.MADD"};
          for (const Sample& s : op.samples) {
            args.insert(args.end(), {key, shifted(s.timestamp), number(s.value)});
          }
          commands.push_back(redkit::Command::raw(args));
        }
        for (const Reply& reply : client_.execute(commands)) {
          if (reply.is_error()) rts_refused = true;
          if (reply.is_array()) {
            for (const Reply& one : reply.as_array()) rts_refused = rts_refused || one.is_error();
          }
        }
        const std::string kind = op.kind == Kind::add ? "add" : "add_many";
        if (redkit_refused != model_refused) note("redkit differs: refusal of " + kind, "");
        if (rts_refused != model_refused) {
          note(fmt::format("RTS differs: {} refused by {}", kind, rts_refused ? "RTS only" : "the model only"), "");
        }
        after_write(op, note);
        break;
      }
      case Kind::delete_range: {
        const auto want = expected_.delete_range(op.series, op.from, op.to);
        const auto got = store_->delete_range(name, op.from, op.to);
        const Reply rts = client_.command(redkit::Command::raw({"TS.DEL", key, shifted(op.from), shifted(op.to)}));
        if (got != want) note("redkit differs: delete count", fmt::format("{} vs model {}", got, want));
        if (rts.as_integer() != static_cast<long long>(want)) {
          note("RTS differs: delete count", fmt::format("RTS {} vs model {}", rts.as_integer(), want));
        }
        after_write(op, note);
        break;
      }
      case Kind::retention:
        expected_.set_retention(op.series, op.retention);
        store_->alter(name, {.retention = std::chrono::milliseconds(op.retention)});
        client_.command(redkit::Command::raw({"TS.ALTER", key, "RETENTION", std::to_string(op.retention)}));
        after_write(op, note);
        break;
      case Kind::policy:
        expected_.series[op.series].policy = op.policy;
        store_->alter(name, {.duplicate_policy = op.policy});
        client_.command(redkit::Command::raw({"TS.ALTER", key, "DUPLICATE_POLICY", policy_name(op.policy)}));
        break;
      case Kind::create_rule:
        expected_.create_rule(0, 1, op.aggregation);
        store_->create_rule(names_[0], names_[1], op.aggregation);
        client_.command(redkit::Command::raw({"TS.CREATERULE", rts_keys_[0], rts_keys_[1], "AGGREGATION",
                                              redkit::ts::to_string(op.aggregation.aggregator),
                                              std::to_string(op.aggregation.bucket.count()),
                                              shifted(op.aggregation.align)}));
        break;
      case Kind::read_range: {
        const auto want = expected_.query(op.series, op.query, op.reverse);
        std::vector<Sample> got;
        try {
          got = op.reverse ? store_->reverse_range(name, op.query) : store_->range(name, op.query);
        } catch (const redkit::InvalidArgument&) {
        }
        const std::string kind = read_class(op);
        if (!agree(got, want)) note("redkit differs: " + kind, "redkit " + show(got) + " model " + show(want));
        const Reply rts = client_.command(rts_range(op));
        if (rts.is_error()) {
          note("RTS error: " + kind + ": " + rts.error_message().substr(0, 40), rts.error_message());
        } else if (const auto rts_samples = samples_of(rts); !agree(rts_samples, want)) {
          note("RTS differs: " + kind, "RTS " + show(rts_samples) + " model " + show(want));
        }
        break;
      }
      case Kind::read_info: {
        const Series& series = expected_.series[op.series];
        const auto info = store_->info(name);
        if (info.samples != series.samples.size()) note("redkit differs: info samples", "");
        const Reply rts = client_.command(redkit::Command::raw({"TS.INFO", key}));
        const auto& fields = rts.as_array();
        for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
          if (fields[i].as_string() == "totalSamples" &&
              fields[i + 1].as_integer() != static_cast<long long>(series.samples.size())) {
            note("RTS differs: info totalSamples",
                 fmt::format("RTS {} model {}", fields[i + 1].as_integer(), series.samples.size()));
          }
        }
        break;
      }
      case Kind::read_latest:
      case Kind::read_stats:
        break;  // no RedisTimeSeries counterpart worth comparing (TS.GET is covered by ranges)
    }
  }

  // After a write: if RedisTimeSeries now holds other samples than the
  // model, count it and rebuild its series from the model.
  template <typename Note>
  void after_write(const Op& op, Note& note) {
    for (std::size_t i = 0; i < 2; ++i) {
      const Reply rts = client_.command(redkit::Command::raw({"TS.RANGE", rts_keys_[i], "-", "+"}));
      const Series& series = expected_.series[i];
      const auto want = series.range(redkit::ts::kMinTimestamp, redkit::ts::kMaxTimestamp);
      const auto got = samples_of(rts);
      if (agree(got, want)) continue;
      const std::string kind = op.kind == Kind::add        ? "add"
                               : op.kind == Kind::add_many ? "add_many"
                               : op.kind == Kind::retention ? "retention change"
                                                            : "delete_range";
      note(fmt::format("RTS holds other samples after {} (s{})", kind, i), "RTS " + show(got) + " model " + show(want));
      rebuild(i);
    }
  }

  void rebuild(std::size_t index) {
    const Series& series = expected_.series[index];
    const std::string& key = rts_keys_[index];
    client_.command({"DEL", key});
    client_.command(redkit::Command::raw({"TS.CREATE", key, "DUPLICATE_POLICY", policy_name(series.policy),
                                          "RETENTION", std::to_string(series.retention)}));
    std::vector<std::string> madd{"TS.MADD"};
    for (const auto& [t, v] : series.samples) madd.insert(madd.end(), {key, shifted(t), number(v)});
    if (madd.size() > 1) client_.command(redkit::Command::raw(madd));
    // Rules are lost with the key: put back the one from s0 to s1.
    for (const auto& [source, rules] : expected_.rules) {
      for (const Rule& rule : rules) {
        client_.command(redkit::Command::raw({"TS.CREATERULE", rts_keys_[source], rts_keys_[rule.destination],
                                              "AGGREGATION", redkit::ts::to_string(rule.aggregation.aggregator),
                                              std::to_string(rule.aggregation.bucket.count()),
                                              shifted(rule.aggregation.align)}));
      }
    }
  }

  static std::string read_class(const Op& op) {
    const auto& q = op.query;
    std::string kind = op.reverse ? "revrange" : "range";
    if (q.aggregation) {
      kind += std::string(" ") + redkit::ts::to_string(q.aggregation->aggregator);
      if (q.aggregation->empty_buckets) kind += " empty";
      if (q.aggregation->bucket_timestamp != redkit::ts::BucketTimestamp::start) kind += " bucket-timestamp";
      if (q.use_compactions && op.series == 0) kind += " (compactions)";
    }
    if (q.min_value || q.max_value) kind += " by-value";
    if (!q.timestamps.empty()) kind += " by-ts";
    if (q.count) kind += *q.count == 0 ? " count-0" : " count";
    if (q.latest) kind += " latest";
    return kind;
  }

  redkit::Command rts_range(const Op& op) const {
    const auto& q = op.query;
    std::vector<std::string> args{op.reverse ? "TS.REVRANGE" : "TS.RANGE", rts_keys_[op.series],
                                  q.from == redkit::ts::kEarliest ? "-" : shifted(q.from),
                                  q.to == redkit::ts::kLatest ? "+" : shifted(q.to)};
    if (q.latest) args.push_back("LATEST");
    if (!q.timestamps.empty()) {
      args.push_back("FILTER_BY_TS");
      for (Timestamp t : q.timestamps) args.push_back(shifted(t));
    }
    if (q.min_value || q.max_value) {
      args.insert(args.end(), {"FILTER_BY_VALUE", number(q.min_value.value_or(-1e308)),
                               number(q.max_value.value_or(1e308))});
    }
    if (q.count) args.insert(args.end(), {"COUNT", std::to_string(*q.count)});
    if (q.aggregation) {
      // ALIGN takes no negative timestamp; moved like every timestamp, it
      // keeps its grid.
      if (q.aggregation->align != 0) args.insert(args.end(), {"ALIGN", shifted(q.aggregation->align)});
      args.insert(args.end(), {"AGGREGATION", redkit::ts::to_string(q.aggregation->aggregator),
                               std::to_string(q.aggregation->bucket.count())});
      if (q.aggregation->bucket_timestamp != redkit::ts::BucketTimestamp::start) {
        args.insert(args.end(), {"BUCKETTIMESTAMP",
                                 q.aggregation->bucket_timestamp == redkit::ts::BucketTimestamp::middle ? "~" : "+"});
      }
      if (q.aggregation->empty_buckets) args.push_back("EMPTY");
    }
    return redkit::Command::raw(args);
  }

  redkit::Client& client_;
  std::uint64_t seed_;
  std::unique_ptr<redkit::ts::Store> store_;
  Store expected_;
  const std::vector<std::string> names_{"s0", "s1"};
  std::vector<std::string> rts_keys_;
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seeds = 20;
  std::uint64_t first = 1;
  std::size_t operations = 300;
  std::string module = REDKIT_SHARED_DIR "/peers/redistimeseries/redistimeseries-1.8.23.so";
  std::string work_dir;  // empty: a temporary directory
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seeds") seeds = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--first-seed") first = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--operations") operations = std::strtoul(argv[i + 1], nullptr, 10);
    else if (flag == "--module") module = argv[i + 1];
    else if (flag == "--dir") work_dir = argv[i + 1];
    else {
      fmt::print(stderr, "usage: ts_rts_diff [--seeds N] [--first-seed S] [--operations N] [--module PATH] [--dir DIR]\n");
      return 2;
    }
  }
  try {
    // Two servers: the module's crashes (and, once, what looked like its
    // writes into redkit's keys) stay on its own.
    redkit::devserver::RedisProcess plain_server{redkit::devserver::RedisProcessOptions{}};
    redkit::Client plain(plain_server.url());
    auto server = std::make_unique<redkit::devserver::RedisProcess>(
        redkit::devserver::RedisProcessOptions{.extra_args = {"--loadmodule", module}, .dir = work_dir});
    std::map<std::string, Tally> tallies;
    for (std::uint64_t seed = first; seed < first + seeds; ++seed) {
      try {
        redkit::Client client(server->url());
        Differ differ(plain, client, seed);
        differ.run(generate(seed, {.operations = operations, .rules = true, .retention = true, .deletes = true}),
                   tallies);
      } catch (const redkit::ConnectionError&) {
        // Counted where it happened; the rest of this seed is lost with the
        // server's data. A fresh server takes the next seed.
        server.reset();
        server = std::make_unique<redkit::devserver::RedisProcess>(
            redkit::devserver::RedisProcessOptions{.extra_args = {"--loadmodule", module}, .dir = work_dir});
      }
    }
    fmt::print("{} seeds x {} operations, RedisTimeSeries from {}\n\n", seeds, operations, module);
    fmt::print("{:>7}  difference (first example below it)\n", "count");
    for (const auto& [kind, tally] : tallies) {
      fmt::print("{:>7}  {}\n         {}\n", tally.count, kind, tally.example);
    }
    if (tallies.empty()) fmt::print("      0  no differences\n");
  } catch (const std::exception& error) {
    fmt::print(stderr, "ts_rts_diff: {}\n", error.what());
    return 1;
  }
  return 0;
}
