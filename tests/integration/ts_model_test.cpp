// Model-based tests of the time-series store: random operation sequences
// (support/ts_model.hpp) applied to the store on a real server and to a plain
// reference model, every read compared. Seeds are fixed, so CI fails only
// for real; a failure prints its seed and the shortest sequence found that
// still fails (shrunk by removing operations and samples).
//
//   REDKIT_TS_MODEL_SEEDS=N     seeds per test (default: a CI-sized run)
//   REDKIT_TS_MODEL_SECONDS=S   keep drawing new seeds for S seconds
//   REDKIT_TS_MODEL_FIRST_SEED  the first seed (default 1)
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
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

bool same_value(double a, double b, bool exact) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (exact) return a == b;
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

std::string show(const std::vector<Sample>& samples) {
  std::ostringstream out;
  out.precision(17);
  out << samples.size() << " samples [";
  for (std::size_t i = 0; i < samples.size() && i < 12; ++i) {
    out << (i ? " " : "") << "(" << samples[i].timestamp << "," << samples[i].value << ")";
  }
  if (samples.size() > 12) out << " ... (" << samples.back().timestamp << "," << samples.back().value << ")";
  return out.str() + "]";
}

// "" when equal, else what differs.
std::string compare(const std::vector<Sample>& got, const std::vector<Sample>& want, bool exact) {
  bool same = got.size() == want.size();
  for (std::size_t i = 0; same && i < got.size(); ++i) {
    same = got[i].timestamp == want[i].timestamp && same_value(got[i].value, want[i].value, exact);
  }
  return same ? "" : "store gave " + show(got) + "\n    model wants " + show(want);
}

const char* kSeriesNames[] = {"s0", "s1"};

// Replays `ops` on a fresh pair of series under `prefix` and on the model;
// returns the first difference, naming the operation.
std::optional<std::string> replay(Client& client, const std::string& prefix, const std::vector<Op>& ops) {
  ts::Store store(client, {.prefix = prefix, .default_series = {}});
  model::Store expected;
  expected.series.resize(2);
  for (const char* name : kSeriesNames) store.create(name);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    const char* name = kSeriesNames[op.series];
    auto fail = [&](const std::string& what) {
      return "operation " + std::to_string(i + 1) + " " + model::describe(op) + ": " + what;
    };
    try {
      switch (op.kind) {
        case Kind::add:
        case Kind::add_many: {
          const bool refused = expected.add(op.series, op.samples, op.on_duplicate);
          bool threw = false;
          try {
            if (op.kind == Kind::add) {
              store.add(name, op.samples[0].timestamp, op.samples[0].value, op.on_duplicate);
            } else {
              store.add_many(name, op.samples, op.on_duplicate);
            }
          } catch (const ts::SampleRejected&) {
            threw = true;
          }
          if (threw != refused) return fail(refused ? "the model refuses a sample, the store took them all"
                                                    : "the store refused a sample the model takes");
          break;
        }
        case Kind::delete_range: {
          const auto want = expected.delete_range(op.series, op.from, op.to);
          const auto got = store.delete_range(name, op.from, op.to);
          if (got != want) return fail("deleted " + std::to_string(got) + ", the model " + std::to_string(want));
          break;
        }
        case Kind::retention:
          expected.set_retention(op.series, op.retention);
          store.alter(name, {.retention = std::chrono::milliseconds(op.retention)});
          break;
        case Kind::policy:
          expected.series[op.series].policy = op.policy;
          store.alter(name, {.duplicate_policy = op.policy});
          break;
        case Kind::create_rule:
          expected.create_rule(0, 1, op.aggregation);
          store.create_rule(kSeriesNames[0], kSeriesNames[1], op.aggregation);
          break;
        case Kind::read_range: {
          const auto want = expected.query(op.series, op.query, op.reverse);
          const auto got = op.reverse ? store.reverse_range(name, op.query) : store.range(name, op.query);
          const std::string diff = compare(got, want, !op.query.aggregation);
          if (!diff.empty()) return fail(diff);
          break;
        }
        case Kind::read_stats: {
          const auto want = expected.stats(op.series, op.from, op.to);
          const auto got = store.stats(name, op.from, op.to);
          const bool same = got.count == want.count && (want.count == 0 || (same_value(got.min, want.min, true) &&
                                                                            same_value(got.max, want.max, true) &&
                                                                            same_value(got.avg, want.avg, false))) &&
                            got.latest == want.latest;
          if (!same) {
            std::ostringstream out;
            out.precision(17);
            out << "store count " << got.count << " min " << got.min << " max " << got.max << " avg " << got.avg
                << ", model count " << want.count << " min " << want.min << " max " << want.max << " avg "
                << want.avg;
            return fail(out.str());
          }
          break;
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
            return fail("info says " + std::to_string(info.samples) + " samples from " +
                        (info.first_timestamp ? std::to_string(*info.first_timestamp) : "-") + " to " +
                        (info.last_timestamp ? std::to_string(*info.last_timestamp) : "-") + ", the model " +
                        std::to_string(series.samples.size()) + " from " + (first ? std::to_string(*first) : "-") +
                        " to " + (last ? std::to_string(*last) : "-"));
          }
          break;
        }
        case Kind::read_latest: {
          const model::Series& series = expected.series[op.series];
          const std::optional<Sample> got = store.latest(name);
          const bool same = series.samples.empty() ? !got
                                                   : got && got->timestamp == series.samples.rbegin()->first &&
                                                         got->value == series.samples.rbegin()->second;
          if (!same) return fail("latest differs");
          break;
        }
      }
    } catch (const std::exception& error) {
      return fail(std::string("threw ") + error.what());
    }
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

  // Runs every seed; on the first failure reports the seed and the shrunk
  // reproducer.
  void run_seeds(std::uint64_t ci_seeds, const model::GeneratorOptions& options) {
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

}  // namespace
}  // namespace redkit::test
