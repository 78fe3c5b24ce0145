// A plain in-memory reference model of the time-series store's documented
// semantics (an ordered map per series, the duplicate policy, retention with
// its floor, compaction rules), the operations a model-based test applies to
// both, and a seeded generator of random operation sequences. No Redis here:
// the model-based test (tests/integration/ts_model_test.cpp) and the
// RedisTimeSeries differential tool (bench/ts_rts_diff.cpp) run the same
// operations against their peers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "redkit/ts_types.hpp"

namespace redkit::test::model {

using ts::Aggregation;
using ts::Aggregator;
using ts::DuplicatePolicy;
using ts::Sample;
using ts::Timestamp;

// The reference aggregation of sorted samples in [lo, hi] into buckets, as
// docs/TIME_SERIES.md states it: buckets start at align + k × width; empty
// buckets (on request) between the first and the last are 0 for count and
// sum, NaN otherwise; std/var with two passes (var.s of one sample is 0);
// twa is the average of the linear curve through the samples, reaching each
// bucket's edges (clipped to [lo, hi + 1)) by interpolation with `before`
// and `after`, the neighbours outside the range.
std::vector<Sample> aggregate(const std::vector<Sample>& samples, const Aggregation& aggregation, Timestamp lo,
                              Timestamp hi, std::optional<Sample> before = {}, std::optional<Sample> after = {});
Timestamp bucket_of(Timestamp t, Timestamp width, Timestamp align);
// The reducer of a group-by over the values at one timestamp.
// `quantile`: percentile's q.
double reduce(Aggregator reducer, const std::vector<double>& values, double quantile = 0.5);

// Whether two values agree: both NaN, equal, or (unless `exact`) within a
// relative 1e-9 (aggregates summed in another order).
bool same_value(double a, double b, bool exact);
// Whether two answers agree sample by sample.
bool same_samples(const std::vector<Sample>& a, const std::vector<Sample>& b, bool exact);
// "N samples [(t,v) ... ]", the first dozen and the last, for messages.
std::string show(const std::vector<Sample>& samples);

// One series.
struct Series {
  std::map<Timestamp, double> samples{};  // only what retention keeps
  DuplicatePolicy policy = DuplicatePolicy::block;
  Timestamp retention = 0;  // ms; 0 keeps everything
  // The running maximum of kept_from: what retention dropped never returns,
  // whatever later happens to the newest sample or the retention.
  std::optional<Timestamp> floor{};

  // The oldest timestamp kept; kMinTimestamp when everything is.
  Timestamp kept_from() const;
  // kept_from as it would be with a newest sample at `newest` or later.
  Timestamp kept_from_with(Timestamp newest) const;
  // Drops what retention no longer keeps and raises the floor.
  void expire();
  std::vector<Sample> range(Timestamp lo, Timestamp hi) const;
};

// What one add call did.
struct AddOutcome {
  bool refused = false;
  // The largest timestamp the call stored or merged (nullopt: none).
  std::optional<Timestamp> newest_accepted{};
};

// An add call of any number of samples, in the order given (Store::add,
// add_many): a sample older than `refuse_before` (default: what the series
// kept as the call began) is refused; one older than what the series keeps
// counting the call's newest sample is dropped; otherwise the duplicate
// policy (`on_duplicate` first, then the series') decides. Samples sharing a
// timestamp are applied in passes, in the order given; `after_pass` runs
// after each pass (rules are brought up to date there).
AddOutcome add_call(Series& series, std::vector<Sample> given, std::optional<DuplicatePolicy> on_duplicate,
                    std::optional<Timestamp> refuse_before = {},
                    const std::function<void(std::optional<Timestamp>)>& after_pass = {});

// A compaction rule from a source series into `destination`.
struct Rule {
  std::size_t destination = 0;  // index of the destination series
  Aggregation aggregation{};
  std::optional<Timestamp> open{};   // start of the newest bucket seen
  std::optional<Timestamp> since{};  // first bucket covered
};

// A store of series by index, with rules between them.
struct Store {
  std::vector<Series> series{};
  std::map<std::size_t, std::vector<Rule>> rules{};  // by source

  // Store::add / add_many on one series.
  bool add(std::size_t index, const std::vector<Sample>& samples, std::optional<DuplicatePolicy> on_duplicate);
  std::uint64_t delete_range(std::size_t index, Timestamp lo, Timestamp hi);
  void set_retention(std::size_t index, Timestamp retention);
  void create_rule(std::size_t source, std::size_t destination, const Aggregation& aggregation);
  // Store::range / reverse_range: with an aggregation, reading a matching
  // rule's destination for the whole closed buckets it covers
  // (use_compactions); bucket timestamps and the open bucket (latest).
  std::vector<Sample> query(std::size_t index, const ts::RangeOptions& query, bool reverse) const;
  ts::SeriesStats stats(std::size_t index, Timestamp lo, Timestamp hi) const;

 private:
  // Every closed bucket a rule covers whose source samples retention kept
  // whole holds their aggregate (none when empty).
  void refresh_rules(std::size_t source);
  // The query read from the samples alone, `newest` (the open bucket of
  // RangeOptions::latest) counted as the series' newest sample.
  std::vector<Sample> raw_query(std::size_t index, const ts::RangeOptions& query,
                                std::optional<Sample> newest = {}) const;
  // The bucket still open in the source of the rule writing into
  // `destination`, aggregated now.
  std::optional<Sample> open_bucket(std::size_t destination) const;
};

// --- operations --------------------------------------------------------------

enum class Kind {
  add,           // one sample (Store::add)
  add_many,      // samples in any order, repeats allowed (Store::add_many)
  delete_range,  // [from, to]
  retention,     // alter the retention
  policy,        // alter the duplicate policy
  create_rule,   // series 0 -> series 1
  read_range,    // range / reverse_range with filters, raw or aggregated
  read_stats,    // stats over [from, to]
  read_info,     // info: samples, first and last timestamps
  read_latest,   // latest()
};

struct Op {
  Kind kind = Kind::read_info;
  std::size_t series = 0;
  std::vector<Sample> samples{};
  std::optional<DuplicatePolicy> on_duplicate{};
  Timestamp from = 0;
  Timestamp to = 0;
  Timestamp retention = 0;
  DuplicatePolicy policy = DuplicatePolicy::block;
  Aggregation aggregation{};  // create_rule
  ts::RangeOptions query{};   // read_range
  bool reverse = false;
};

// One line, enough to replay the operation by hand.
std::string describe(const Op& op);

struct GeneratorOptions {
  std::size_t operations = 300;
  // Rules between series 0 and 1 (twa is never a rule's aggregator: its
  // buckets depend on neighbours that later samples change).
  bool rules = true;
  bool retention = true;
  bool deletes = true;
};

// A random sequence: adds in any order (before the first sample, into sealed
// chunks, bulk runs that seal at random sizes), duplicates under every
// policy, deletes, retention and policy changes, one rule, each write
// followed by reads.
std::vector<Op> generate(std::uint64_t seed, const GeneratorOptions& options);

}  // namespace redkit::test::model
