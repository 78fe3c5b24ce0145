// Model-based tests of the time-series store: random operation sequences
// (support/ts_model.hpp) applied to the store on a real server and to a plain
// reference model, every read compared. Seeds are fixed, so CI fails only
// for real; a failure prints its seed and the shortest sequence found that
// still fails (shrunk by removing operations and samples).
//
//   REDKIT_TS_MODEL_SEEDS=N     seeds per test (default: a CI-sized run)
//   REDKIT_TS_MODEL_SECONDS=S   keep drawing new seeds for S seconds
//   REDKIT_TS_MODEL_FIRST_SEED  the first seed (default 1)
//   REDKIT_TS_MODEL_OPERATIONS  operations per random sequence
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/time_series.hpp"
#include "support/redis_test.hpp"
#include "support/ts_model.hpp"

namespace redkit::test {
namespace {

using model::Kind;
using model::Op;
using ts::Sample;
using ts::Timestamp;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

// The seeds a test runs: a fixed list, or as many as fit the time given.
class Seeds {
 public:
  explicit Seeds(std::uint64_t ci_count)
      : next_(env_number("REDKIT_TS_MODEL_FIRST_SEED", 1)),
        count_(env_number("REDKIT_TS_MODEL_SEEDS", ci_count)),
        seconds_(env_number("REDKIT_TS_MODEL_SECONDS", 0)),
        start_(std::chrono::steady_clock::now()) {}
  std::optional<std::uint64_t> next() {
    if (seconds_ > 0) {
      if (std::chrono::steady_clock::now() - start_ >= std::chrono::seconds(seconds_)) return std::nullopt;
    } else if (used_ >= count_) {
      return std::nullopt;
    }
    ++used_;
    return next_++;
  }
  std::uint64_t used() const { return used_; }

 private:
  std::uint64_t next_;
  std::uint64_t count_;
  std::uint64_t seconds_;
  std::uint64_t used_ = 0;
  std::chrono::steady_clock::time_point start_;
};

using model::same_value;
using model::show;

// "" when equal, else what differs.
std::string compare(const std::vector<Sample>& got, const std::vector<Sample>& want, bool exact) {
  return model::same_samples(got, want, exact) ? "" : "store gave " + show(got) + "\n    model wants " + show(want);
}

// Applies one operation to the store and the model, reads compared;
// returns what differs. `names` maps the operation's series index to a name.
std::optional<std::string> apply(ts::Store& store, model::Store& expected, const std::vector<std::string>& names,
                                 const Op& op) {
  const std::string& name = names.at(op.series);
  switch (op.kind) {
    case Kind::add:
    case Kind::add_many: {
      const bool refused = expected.add(op.series, op.samples, op.on_duplicate);
      bool threw = false;
      try {
        if (op.kind == Kind::add) {
          store.add(name, op.samples[0].timestamp, op.samples[0].value, op.on_duplicate);
        } else if (op.samples.size() % 2 == 0) {
          store.add_many(name, op.samples, op.on_duplicate);
        } else {
          // The same samples through the many-series call, whose batched
          // common case (ts_add_many) must end as the one-series call does.
          std::vector<ts::NamedSample> named;
          for (const Sample& sample : op.samples) named.push_back({name, sample.timestamp, sample.value});
          store.add_many(std::span<const ts::NamedSample>(named), op.on_duplicate);
        }
      } catch (const ts::SampleRejected&) {
        threw = true;
      }
      if (threw != refused) {
        return refused ? "the model refuses a sample, the store took them all"
                       : "the store refused a sample the model takes";
      }
      return std::nullopt;
    }
    case Kind::delete_range: {
      const auto want = expected.delete_range(op.series, op.from, op.to);
      const auto got = store.delete_range(name, op.from, op.to);
      if (got != want) return "deleted " + std::to_string(got) + ", the model " + std::to_string(want);
      return std::nullopt;
    }
    case Kind::retention:
      expected.set_retention(op.series, op.retention);
      store.alter(name, {.retention = std::chrono::milliseconds(op.retention)});
      return std::nullopt;
    case Kind::policy:
      expected.series[op.series].policy = op.policy;
      store.alter(name, {.duplicate_policy = op.policy});
      return std::nullopt;
    case Kind::create_rule:
      expected.create_rule(0, 1, op.aggregation);
      store.create_rule(names.at(0), names.at(1), op.aggregation);
      return std::nullopt;
    case Kind::read_range: {
      const auto want = expected.query(op.series, op.query, op.reverse);
      const auto got = op.reverse ? store.reverse_range(name, op.query) : store.range(name, op.query);
      const std::string diff = compare(got, want, !op.query.aggregation);
      if (!diff.empty()) return diff;
      return std::nullopt;
    }
    case Kind::read_stats: {
      const auto want = expected.stats(op.series, op.from, op.to);
      const auto got = store.stats(name, op.from, op.to);
      const bool same = got.count == want.count &&
                        (want.count == 0 || (same_value(got.min, want.min, true) &&
                                             same_value(got.max, want.max, true) &&
                                             same_value(got.avg, want.avg, false))) &&
                        got.latest == want.latest;
      if (!same) {
        std::ostringstream out;
        out.precision(17);
        out << "store count " << got.count << " min " << got.min << " max " << got.max << " avg " << got.avg
            << ", model count " << want.count << " min " << want.min << " max " << want.max << " avg " << want.avg;
        return out.str();
      }
      return std::nullopt;
    }
    case Kind::read_info: {
      const model::Series& series = expected.series[op.series];
      const ts::SeriesInfo info = store.info(name);
      std::optional<Timestamp> first;
      std::optional<Timestamp> last;
      if (!series.samples.empty()) {
        first = series.samples.begin()->first;
        last = series.samples.rbegin()->first;
      }
      if (info.samples != series.samples.size() || info.first_timestamp != first || info.last_timestamp != last) {
        auto text = [](std::optional<Timestamp> t) { return t ? std::to_string(*t) : std::string("-"); };
        return "info says " + std::to_string(info.samples) + " samples from " + text(info.first_timestamp) + " to " +
               text(info.last_timestamp) + ", the model " + std::to_string(series.samples.size()) + " from " +
               text(first) + " to " + text(last);
      }
      return std::nullopt;
    }
    case Kind::read_latest: {
      const model::Series& series = expected.series[op.series];
      const std::optional<Sample> got = store.latest(name);
      const bool same = series.samples.empty() ? !got
                                               : got && got->timestamp == series.samples.rbegin()->first &&
                                                     got->value == series.samples.rbegin()->second;
      if (!same) return std::string("latest differs");
      // mget answers the same from the newest sample the writers record:
      // through the label's index set alone, and the general way.
      for (const std::vector<std::string>& filters :
           {std::vector<std::string>{"series=" + name}, std::vector<std::string>{"series=" + name, "absent="}}) {
        const auto answers = store.mget(filters, ts::LabelSelection::none());
        if (answers.size() != 1) return "mget of " + filters.back() + " found " + std::to_string(answers.size());
        const std::vector<Sample> want = got ? std::vector<Sample>{*got} : std::vector<Sample>{};
        if (answers[0].samples != want) return "mget of " + filters.back() + " differs from latest";
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Replays `ops` on a fresh pair of series s0, s1 under `prefix` and on the
// model; returns the first difference, naming the operation.
std::optional<std::string> replay(Client& client, const std::string& prefix, const std::vector<Op>& ops) {
  ts::Store store(client, {.prefix = prefix, .default_series = {}});
  model::Store expected;
  expected.series.resize(2);
  const std::vector<std::string> names{"s0", "s1"};
  for (const std::string& name : names) store.create(name, {.labels = {{"series", name}}});
  for (std::size_t i = 0; i < ops.size(); ++i) {
    std::optional<std::string> failure;
    try {
      failure = apply(store, expected, names, ops[i]);
    } catch (const std::exception& error) {
      failure = std::string("threw ") + error.what();
    }
    if (failure) return "operation " + std::to_string(i + 1) + " " + model::describe(ops[i]) + ": " + *failure;
  }
  return std::nullopt;
}

// Shrinks a failing sequence: drops runs of operations (halving the run
// length), then halves the samples of bulk adds, while it still fails.
std::vector<Op> shrink(std::vector<Op> ops, const std::function<bool(const std::vector<Op>&)>& fails) {
  int budget = 1500;  // replays
  for (std::size_t run = ops.size() / 2; run >= 1 && budget > 0;) {
    bool removed = false;
    for (std::size_t start = 0; start < ops.size() && budget > 0;) {
      std::vector<Op> candidate = ops;
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(start),
                      candidate.begin() + static_cast<std::ptrdiff_t>(std::min(ops.size(), start + run)));
      --budget;
      if (!candidate.empty() && fails(candidate)) {
        ops = std::move(candidate);
        removed = true;
      } else {
        start += run;
      }
    }
    if (!removed) run /= 2;
  }
  for (std::size_t i = 0; i < ops.size() && budget > 0; ++i) {
    while (ops[i].samples.size() > 1 && budget > 0) {
      bool smaller = false;
      for (int half = 0; half < 2 && !smaller; ++half) {
        std::vector<Op> candidate = ops;
        auto& samples = candidate[i].samples;
        const std::size_t middle = samples.size() / 2;
        if (half == 0) {
          samples.erase(samples.begin() + static_cast<std::ptrdiff_t>(middle), samples.end());
        } else {
          samples.erase(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(middle));
        }
        if (candidate[i].kind == Kind::add && samples.size() != 1) continue;
        --budget;
        if (fails(candidate)) {
          ops = std::move(candidate);
          smaller = true;
        }
      }
      if (!smaller) break;
    }
  }
  return ops;
}

class TsModel : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    client_ = std::make_unique<Client>(redis().url());
  }
  void TearDown() override { client_.reset(); }
  Client& client() { return *client_; }

  // A fresh key prefix per replay, so replays never see each other's keys.
  std::string fresh_prefix() { return prefix() + "r" + std::to_string(replays_++) + ":"; }

  void run_retention_preset(bool chained);

  // Runs every seed; on the first failure reports the seed and the shrunk
  // reproducer.
  void run_seeds(std::uint64_t ci_seeds, model::GeneratorOptions options) {
    options.operations = env_number("REDKIT_TS_MODEL_OPERATIONS", options.operations);
    Seeds seeds(ci_seeds);
    while (const auto seed = seeds.next()) {
      const std::vector<Op> ops = model::generate(*seed, options);
      const auto failure = replay(client(), fresh_prefix(), ops);
      if (!failure) continue;
      const auto fails = [&](const std::vector<Op>& candidate) {
        return replay(client(), fresh_prefix(), candidate).has_value();
      };
      const std::vector<Op> shortest = shrink(ops, fails);
      std::ostringstream out;
      out << "seed " << *seed << " fails: " << *failure << "\nshortest sequence found (" << shortest.size()
          << " of " << ops.size() << " operations), on fresh series s0 and s1:\n";
      for (const Op& op : shortest) out << "  " << model::describe(op) << "\n";
      const auto again = replay(client(), fresh_prefix(), shortest);
      out << "which fails with: " << (again ? *again : std::string("(passes when replayed alone)"));
      FAIL() << out.str();
    }
    RecordProperty("seeds", std::to_string(seeds.used()));
    std::cout << "ran " << seeds.used() << " seeds\n";
  }

 private:
  std::unique_ptr<Client> client_;
  int replays_ = 0;
};

TEST_F(TsModel, RandomSequencesMatchTheModel) {
  run_seeds(24, {.operations = 240, .rules = true, .retention = true, .deletes = true});
}

TEST_F(TsModel, RandomSequencesWithoutRetentionMatchTheModel) {
  run_seeds(12, {.operations = 240, .rules = true, .retention = false, .deletes = true});
}

// Two writers on one series at once, each from its own client, with
// timestamps of their own (one even, one odd) so that the model is the union
// of both writers' acknowledged adds whatever the interleaving: head
// appends, seals, bulk chunks and rewrites of sealed chunks race each other.
TEST_F(TsModel, TwoConcurrentWritersMatchTheModel) {
  Seeds seeds(6);
  while (const auto seed = seeds.next()) {
    const std::string series_prefix = fresh_prefix();
    ts::Store store(client(), {.prefix = series_prefix, .default_series = {}});
    store.create("s0", {.duplicate_policy = ts::DuplicatePolicy::last, .labels = {{"series", "s0"}}});
    model::Series written[2];
    written[0].policy = written[1].policy = ts::DuplicatePolicy::last;
    std::string errors[2];
    auto writer = [&](int w) {
      try {
        Client own(redis().url());
        ts::Store mine(own, {.prefix = series_prefix, .default_series = {}});
        const auto ops =
            model::generate(*seed * 2 + static_cast<std::uint64_t>(w),
                            {.operations = 160, .rules = false, .retention = false, .deletes = false});
        for (const Op& op : ops) {
          if (op.kind != Kind::add && op.kind != Kind::add_many) continue;
          std::vector<Sample> samples = op.samples;
          for (Sample& sample : samples) sample.timestamp = sample.timestamp * 2 + w;
          const bool refused = model::add_call(written[w], samples, op.on_duplicate).refused;
          bool threw = false;
          try {
            mine.add_many("s0", samples, op.on_duplicate);
          } catch (const ts::SampleRejected&) {
            threw = true;
          }
          if (threw != refused) {
            errors[w] = "writer " + std::to_string(w) + ": " + model::describe(op) + ": refused " +
                        (threw ? "by the store only" : "by the model only");
            return;
          }
        }
      } catch (const std::exception& error) {
        errors[w] = "writer " + std::to_string(w) + " threw " + error.what();
      }
    };
    std::thread first(writer, 0);
    std::thread second(writer, 1);
    first.join();
    second.join();
    ASSERT_EQ(errors[0] + errors[1], "") << "seed " << *seed;

    model::Store expected;
    expected.series.resize(1);
    expected.series[0] = written[0];
    expected.series[0].samples.insert(written[1].samples.begin(), written[1].samples.end());
    const std::vector<std::string> names{"s0"};
    std::vector<Op> reads;
    for (const bool reverse : {false, true}) {
      Op read{.kind = Kind::read_range, .reverse = reverse};
      reads.push_back(read);
      read.query.aggregation = ts::Aggregation{.aggregator = ts::Aggregator::avg, .bucket = std::chrono::milliseconds(50)};
      reads.push_back(read);
      read.query.aggregation->aggregator = ts::Aggregator::twa;
      reads.push_back(read);
    }
    reads.push_back({.kind = Kind::read_stats, .from = ts::kEarliest, .to = ts::kLatest});
    reads.push_back({.kind = Kind::read_info});
    reads.push_back({.kind = Kind::read_latest});
    for (const Op& read : reads) {
      const auto failure = apply(store, expected, names, read);
      ASSERT_FALSE(failure) << "seed " << *seed << ": " << model::describe(read) << ": " << *failure;
    }
  }
}

// mrange over series picked by labels, each series and each group reduced
// as the model reduces them; mget's newest samples beside it.
TEST_F(TsModel, MultiSeriesRangesAndGroupByMatchTheModel) {
  const std::vector<std::string> names{"g0", "g1", "g2", "g3", "g4", "g5"};
  auto labels_of = [](std::size_t i) {
    ts::Labels labels{{"host", "h" + std::to_string(i % 3)}, {"series", "g" + std::to_string(i)}};
    if (i != 5) labels["dc"] = i % 2 == 0 ? "us" : "eu";
    return labels;
  };
  const std::vector<std::vector<std::string>> filters{
      {"host=h0"}, {"dc=eu"}, {"dc!=eu"}, {"host=(h0,h1)"}, {"dc="}, {"dc!="}, {"host!=(h2)", "dc=us"}};
  auto matches = [](const ts::Labels& labels, const std::string& filter) {
    const bool negated = filter.find("!=") != std::string::npos;
    const std::string label = filter.substr(0, filter.find(negated ? "!=" : "="));
    std::string value = filter.substr(label.size() + (negated ? 2 : 1));
    std::vector<std::string> values;
    if (value.starts_with("(")) {
      value = value.substr(1, value.size() - 2);
      for (std::size_t start = 0; start <= value.size();) {
        const auto comma = std::min(value.find(',', start), value.size());
        values.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (!value.empty()) {
      values.push_back(value);
    }
    const auto found = labels.find(label);
    if (values.empty()) return negated == (found != labels.end());
    const bool in = found != labels.end() && std::find(values.begin(), values.end(), found->second) != values.end();
    return negated != in;
  };
  Seeds seeds(6);
  while (const auto seed = seeds.next()) {
    ts::Store store(client(), {.prefix = fresh_prefix(), .default_series = {}});
    model::Store expected;
    expected.series.resize(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      store.create(names[i], {.labels = labels_of(i)});
    }
    std::mt19937_64 random(*seed);
    for (Op op : model::generate(*seed, {.operations = 120, .rules = false, .retention = true, .deletes = true})) {
      if (op.kind == Kind::create_rule) continue;
      op.series = std::uniform_int_distribution<std::size_t>(0, names.size() - 1)(random);
      std::optional<std::string> failure;
      try {
        failure = apply(store, expected, names, op);
      } catch (const std::exception& error) {
        failure = std::string("threw ") + error.what();
      }
      ASSERT_FALSE(failure) << "seed " << *seed << ": " << model::describe(op) << ": " << *failure;
    }
    const ts::Aggregator reducers[] = {ts::Aggregator::avg,   ts::Aggregator::sum,   ts::Aggregator::min,
                                       ts::Aggregator::max,   ts::Aggregator::range, ts::Aggregator::count,
                                       ts::Aggregator::std_p, ts::Aggregator::std_s, ts::Aggregator::var_p,
                                       ts::Aggregator::var_s};
    for (int round = 0; round < 12; ++round) {
      const auto& filter = filters[std::uniform_int_distribution<std::size_t>(0, filters.size() - 1)(random)];
      ts::RangeOptions query;
      if (round % 2 == 1) {
        query.aggregation = ts::Aggregation{.aggregator = reducers[round % 10], .bucket = std::chrono::milliseconds(100)};
      }
      std::optional<ts::GroupBy> group_by;
      if (round % 3 != 0) {
        group_by = ts::GroupBy{.label = round % 3 == 1 ? "dc" : "host", .reducer = reducers[(round * 7) % 10]};
      }
      std::vector<ts::SeriesSamples> want;
      for (std::size_t i = 0; i < names.size(); ++i) {
        const ts::Labels labels = labels_of(i);
        if (std::all_of(filter.begin(), filter.end(), [&](const std::string& f) { return matches(labels, f); })) {
          want.push_back({names[i], labels, expected.query(i, query, false)});
        }
      }
      if (group_by) {
        std::map<std::string, std::vector<const ts::SeriesSamples*>> groups;
        for (const auto& member : want) {
          if (auto value = member.labels.find(group_by->label); value != member.labels.end()) {
            groups[value->second].push_back(&member);
          }
        }
        std::vector<ts::SeriesSamples> reduced;
        for (const auto& [value, members] : groups) {
          std::map<Timestamp, std::vector<double>> at;
          std::string sources;
          for (const auto* member : members) {
            sources += (sources.empty() ? "" : ",") + member->name;
            for (const Sample& sample : member->samples) at[sample.timestamp].push_back(sample.value);
          }
          ts::SeriesSamples group{group_by->label + "=" + value,
                                  {{group_by->label, value},
                                   {"__reducer__", ts::to_string(group_by->reducer)},
                                   {"__source__", sources}},
                                  {}};
          for (const auto& [timestamp, values] : at) {
            group.samples.push_back({timestamp, model::reduce(group_by->reducer, values)});
          }
          reduced.push_back(std::move(group));
        }
        want = std::move(reduced);
      }
      // mget of the same filter: each matching series' newest sample, with
      // every label or none.
      const bool with_labels = round % 2 == 0;
      const auto latest =
          store.mget(filter, with_labels ? ts::LabelSelection::all() : ts::LabelSelection::none());
      std::size_t matched = 0;
      for (std::size_t i = 0; i < names.size(); ++i) {
        const ts::Labels labels = labels_of(i);
        if (!std::all_of(filter.begin(), filter.end(), [&](const std::string& f) { return matches(labels, f); })) {
          continue;
        }
        ASSERT_LT(matched, latest.size()) << "seed " << *seed << " round " << round;
        const ts::SeriesSamples& one = latest[matched++];
        const std::vector<Sample> all = expected.query(i, {}, false);
        EXPECT_EQ(one.name, names[i]) << "seed " << *seed << " round " << round;
        EXPECT_EQ(one.labels, with_labels ? labels : ts::Labels{}) << "seed " << *seed << " round " << round;
        EXPECT_EQ(one.samples, all.empty() ? std::vector<Sample>{} : std::vector<Sample>{all.back()})
            << "seed " << *seed << " round " << round << " series " << names[i];
      }
      EXPECT_EQ(matched, latest.size()) << "seed " << *seed << " round " << round;
      const auto got = store.mrange(filter, query, group_by);
      ASSERT_EQ(got.size(), want.size()) << "seed " << *seed << " round " << round;
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].name, want[i].name) << "seed " << *seed << " round " << round;
        EXPECT_EQ(got[i].labels, want[i].labels) << "seed " << *seed << " round " << round;
        const std::string diff = compare(got[i].samples, want[i].samples, false);
        ASSERT_EQ(diff, "") << "seed " << *seed << " round " << round << " series " << got[i].name;
      }
    }
  }
}

// The retention preset: four rules at 1 m, 5 m, 1 h and 1 d with their own
// retentions, fed by random writes over about three weeks, read back raw and
// through the rules. Chained, each level is fed by the one below (the model
// feeds a destination's rules as the store does), for the aggregators that
// compose.
void TsModel::run_retention_preset(bool chained) {
  const std::vector<std::string> names{"p", "p:1m", "p:5m", "p:1h", "p:1d"};
  const Timestamp widths[] = {60'000, 300'000, 3'600'000, 86'400'000};
  const Timestamp retentions[] = {7 * 86'400'000LL, 30 * 86'400'000LL, 90 * 86'400'000LL, 365 * 86'400'000LL};
  const ts::Aggregator composing[] = {ts::Aggregator::sum, ts::Aggregator::min, ts::Aggregator::max,
                                      ts::Aggregator::first, ts::Aggregator::last};
  Seeds seeds(4);
  while (const auto seed = seeds.next()) {
    // Unchained: every aggregator but twa (and the percentile, the last).
    const auto aggregator = chained ? composing[*seed % 5] : static_cast<ts::Aggregator>(*seed % 12);
    ts::Store store(client(), {.prefix = fresh_prefix(), .default_series = {}});
    store.create("p", {.labels = {{"series", "p"}}});
    model::Store expected;
    expected.series.resize(names.size());
    // Data before the preset: the rules start at the bucket of its newest sample.
    const Op before{.kind = Kind::add_many, .samples = {{1'000, 1.5}, {90'000, 2.5}, {200'000, 3.5}}};
    ASSERT_FALSE(apply(store, expected, names, before));
    store.apply_retention_preset("p", ts::RetentionPreset{.aggregator = aggregator, .chained = chained});
    expected.set_retention(0, 86'400'000);
    for (std::size_t level = 0; level < 4; ++level) {
      expected.set_retention(level + 1, retentions[level]);
      expected.create_rule(chained ? level : 0, level + 1,
                           {.aggregator = aggregator, .bucket = std::chrono::milliseconds(widths[level])});
    }
    for (Op op : model::generate(*seed, {.operations = 150, .rules = false, .retention = false, .deletes = true})) {
      if (op.kind == Kind::policy || op.kind == Kind::create_rule) continue;
      // About 10 s per generated millisecond: three weeks in all.
      const auto scale = [](Timestamp& t) {
        if (t != ts::kEarliest && t != ts::kLatest) t *= 10'000;
      };
      for (Sample& sample : op.samples) scale(sample.timestamp);
      scale(op.from);
      scale(op.to);
      scale(op.query.from);
      scale(op.query.to);
      if (op.kind == Kind::read_range && op.query.aggregation && op.query.aggregation->aggregator != ts::Aggregator::twa &&
          seed.value() % 2 == 0) {
        const std::size_t level = static_cast<std::size_t>(op.from) % 4;
        op.query.aggregation = ts::Aggregation{.aggregator = aggregator, .bucket = std::chrono::milliseconds(widths[level])};
        op.query.min_value.reset();
        op.query.max_value.reset();
        op.query.timestamps.clear();
      } else if (op.query.aggregation) {
        op.query.aggregation->bucket *= 10'000;
      }
      std::optional<std::string> failure;
      try {
        failure = apply(store, expected, names, op);
        for (std::size_t level = 1; !failure && level < names.size(); ++level) {
          failure = apply(store, expected, names, Op{.kind = Kind::read_range, .series = level});
        }
      } catch (const std::exception& error) {
        failure = std::string("threw ") + error.what();
      }
      ASSERT_FALSE(failure) << "seed " << *seed << ": " << model::describe(op) << ": " << *failure;
    }
    // The rules were fed: the finer levels hold buckets.
    EXPECT_GT(expected.series[1].samples.size(), 10u) << "seed " << *seed;
    EXPECT_GT(expected.series[3].samples.size(), 1u) << "seed " << *seed;
  }
}

TEST_F(TsModel, RetentionPresetMatchesTheModel) { run_retention_preset(false); }

TEST_F(TsModel, ChainedRetentionPresetMatchesTheModel) { run_retention_preset(true); }

}  // namespace
}  // namespace redkit::test
