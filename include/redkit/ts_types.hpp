// redkit/ts_types.hpp — the values the time-series store takes and returns:
// samples, series options, query options, aggregations and series facts.
//
//   redkit::ts::SeriesOptions options{.retention = std::chrono::hours(24),
//                                     .duplicate_policy = redkit::ts::DuplicatePolicy::last,
//                                     .labels = {{"host", "web-1"}}};
//   redkit::ts::RangeOptions query{.from = t0, .to = t1,
//                                  .aggregation = redkit::ts::Aggregation{.aggregator = redkit::ts::Aggregator::avg,
//                                                                         .bucket = std::chrono::minutes(1)}};
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/error.hpp"

namespace redkit::ts {

// Unix time in milliseconds. Series hold timestamps in [kMinTimestamp,
// kMaxTimestamp] (±(2^53 − 1), about ±285,000 years): the range in which
// Redis's Lua scripts compare timestamps exactly.
using Timestamp = std::int64_t;
inline constexpr Timestamp kMaxTimestamp = (std::int64_t{1} << 53) - 1;
inline constexpr Timestamp kMinTimestamp = -kMaxTimestamp;
// Range bounds meaning "the earliest sample" ("-") and "the latest" ("+").
inline constexpr Timestamp kEarliest = std::numeric_limits<Timestamp>::min();
inline constexpr Timestamp kLatest = std::numeric_limits<Timestamp>::max();

struct Sample {
  Timestamp timestamp = 0;
  double value = 0;
  friend bool operator==(const Sample&, const Sample&) = default;
};

// What an add does when the series already has a sample at that timestamp.
enum class DuplicatePolicy {
  block,  // refuse the new sample with DuplicateSampleError (the default)
  first,  // keep the stored value
  last,   // replace it with the new value
  min,    // keep the smaller
  max,    // keep the larger
  sum,    // store the sum of both
};
const char* to_string(DuplicatePolicy policy) noexcept;
// "block", "first", "last", "min", "max", "sum" (any case). Throws
// InvalidArgument naming the text otherwise.
DuplicatePolicy parse_duplicate_policy(std::string_view text);

// Label names and values: non-empty, without ',', '=', '(', ')' or
// whitespace (they would be ambiguous in filters such as "host=(a,b)").
using Labels = std::map<std::string, std::string>;

struct SeriesOptions {
  // Samples older than the series' newest sample minus this are dropped by
  // the store and never returned, counted or accepted again, even if the
  // retention is later raised or the newest sample deleted. Zero keeps every
  // sample. Dropped samples are freed with their chunk, or when the head is
  // sealed (docs/KEYS.md).
  std::chrono::milliseconds retention{0};
  DuplicatePolicy duplicate_policy = DuplicatePolicy::block;
  Labels labels{};
};

// What Store::alter changes; unset members stay as they are.
struct SeriesChanges {
  std::optional<std::chrono::milliseconds> retention{};
  std::optional<DuplicatePolicy> duplicate_policy{};
  // Replaces the whole label set when set.
  std::optional<Labels> labels{};
};

// Aggregations over buckets, as in RedisTimeSeries.
enum class Aggregator {
  avg,
  sum,
  min,
  max,
  range,  // max − min
  count,
  first,
  last,
  std_p,  // population standard deviation
  std_s,  // sample standard deviation
  var_p,  // population variance
  var_s,  // sample variance
  twa,    // time-weighted average (linear interpolation between samples)
  // For monotonic counters, as Prometheus computes them over a range: the
  // rise from the bucket's first sample to its last, a drop counting as a
  // reset to 0 (the value after it is all new), extrapolated towards the
  // bucket's edges (docs/TIME_SERIES.md). A bucket needs two samples.
  increase,
  rate,  // increase per second of the bucket's width
  // The Aggregation's quantile q of the bucket's values, interpolated
  // linearly between the two closest ranks (R's type 7, numpy's default):
  // rank h = q × (n − 1) counted from 0, value x[⌊h⌋] + (h − ⌊h⌋) ×
  // (x[⌊h⌋ + 1] − x[⌊h⌋]). Exact over raw samples. A compaction rule also
  // stores a mergeable sketch of each bucket beside its destination, so a
  // coarser percentile rule fed from that destination (1m → 1h) merges the
  // sketches instead of taking percentiles of percentiles; such a value is
  // within kSketchRelativeAccuracy of the merged samples' value at rank
  // ⌊q × (n − 1)⌋ (docs/TIME_SERIES.md).
  percentile,
};
// Relative accuracy of the percentile sketches compaction rules keep: a value
// read from merged sketches is within this fraction of the exact one.
inline constexpr double kSketchRelativeAccuracy = 0.01;

const char* to_string(Aggregator aggregator) noexcept;
// "avg", "sum", ..., "std.p", "std.s", "var.p", "var.s", "twa", "increase",
// "rate", "percentile" (any case).
// Throws InvalidArgument naming the text otherwise.
Aggregator parse_aggregator(std::string_view text);

// The instant an aggregated bucket is reported at (RedisTimeSeries's
// BUCKETTIMESTAMP): its start, its middle (start + bucket / 2, rounded
// down) or its end (start + bucket, the first instant after it).
enum class BucketTimestamp { start, middle, end };
const char* to_string(BucketTimestamp when) noexcept;
// "start" or "-", "mid", "middle" or "~", "end" or "+". Throws
// InvalidArgument naming the text otherwise.
BucketTimestamp parse_bucket_timestamp(std::string_view text);

struct Aggregation {
  friend bool operator==(const Aggregation&, const Aggregation&) = default;
  Aggregator aggregator = Aggregator::avg;
  // Bucket width; must be > 0.
  std::chrono::milliseconds bucket{0};
  // Buckets start at align + k × bucket; align lies in [kMinTimestamp,
  // kMaxTimestamp]. Zero aligns them to the epoch (bucket start = t − t mod
  // bucket).
  Timestamp align = 0;
  // Report buckets without samples between the first and last bucket too:
  // count and sum 0, twa the average of the straight line between the
  // samples around the gap, every other aggregator NaN
  // (docs/TIME_SERIES.md compares this with RedisTimeSeries).
  bool empty_buckets = false;
  // The instant each bucket is reported at. Only queries take it: a
  // compaction rule stores its buckets at their start.
  BucketTimestamp bucket_timestamp = BucketTimestamp::start;
  // For Aggregator::percentile, the quantile in [0, 1] (0.99 for p99); the
  // other aggregators ignore it.
  double quantile = 0.5;
};

// The aggregator as the CLI spells it: "avg", ..., "rate", and "p99",
// "p99.9", "p50" for a percentile.
std::string aggregator_name(const Aggregation& aggregation);
// The aggregator (and quantile) a name gives, into `aggregation`: any name
// parse_aggregator takes, or "p" and a percent in [0, 100] ("p99", "p99.9",
// "p0"). Leaves the bucket, align and the rest as they were. Throws
// InvalidArgument naming the text otherwise.
void parse_aggregator_name(std::string_view text, Aggregation& aggregation);

struct RangeOptions {
  // Inclusive bounds; kEarliest / kLatest for the whole series.
  Timestamp from = kEarliest;
  Timestamp to = kLatest;
  // At most this many samples (or buckets when aggregating), taken from the
  // start of the range (from the end for a reverse range). 0 gives none.
  std::optional<std::size_t> count{};
  // Only samples whose timestamp is in this list (empty: no such filter).
  std::vector<Timestamp> timestamps{};
  // Only samples with min_value <= value <= max_value (not NaN; infinities
  // leave that side open).
  std::optional<double> min_value{};
  std::optional<double> max_value{};
  std::optional<Aggregation> aggregation{};
  // Let an aggregation read a compaction rule's destination (same
  // aggregator, bucket and alignment) for the whole buckets it holds, so a
  // long range costs one sample per bucket and reaches past the source's
  // retention. Applies without value or timestamp filters, empty buckets or
  // twa.
  bool use_compactions = true;
  // For a compaction rule's destination: also report the bucket still open
  // in its source, aggregated from the source's samples now (RedisTimeSeries's
  // LATEST). It is the newest sample of the answer and is not stored; a
  // series that is no rule's destination ignores this.
  bool latest = false;
};

// A compaction rule: closed buckets of the source, aggregated, are added to
// the destination series as data arrives (empty_buckets is not used).
struct CompactionRule {
  std::string destination{};
  Aggregation aggregation{};
  friend bool operator==(const CompactionRule&, const CompactionRule&) = default;
};

// Where a rule's backfill (Store::backfill_rule) stands: it fills the
// buckets in [from, to) of the destination, newest first, and has filled
// [done_from, to) with `buckets` buckets. from == to: nothing to fill (the
// rule covers the whole source, or the source is empty).
struct RuleBackfill {
  Timestamp from = 0;
  Timestamp to = 0;
  Timestamp done_from = 0;
  std::size_t buckets = 0;
};

// The retention preset (Store::apply_retention_preset): the source keeps raw
// samples kPresetRawRetention, and one rule per level feeds NAME + suffix
// with buckets of `bucket`, kept `retention`.
struct RetentionLevel {
  std::string_view suffix;
  std::chrono::milliseconds bucket;
  std::chrono::milliseconds retention;
};
// How the preset's rules aggregate and what feeds each level.
struct RetentionPreset {
  // Every level's aggregator; `quantile` for Aggregator::percentile.
  Aggregator aggregator = Aggregator::avg;
  double quantile = 0.5;
  // Feed each level from the one below (NAME:5m from NAME:1m, ...) instead
  // of all from NAME: the raw samples are read by one rule instead of four.
  // Only aggregators whose aggregate of aggregates is the aggregate of the
  // samples may chain: sum, min, max, first, last, and percentile (the
  // levels above the first merge the sketches, within
  // kSketchRelativeAccuracy). Not avg: an average of averages weighs a
  // sparse bucket like a full one.
  bool chained = false;
};
inline constexpr std::chrono::milliseconds kPresetRawRetention = std::chrono::hours(24);
inline constexpr RetentionLevel kRetentionPresetLevels[] = {
    {":1m", std::chrono::minutes(1), std::chrono::hours(24 * 7)},
    {":5m", std::chrono::minutes(5), std::chrono::hours(24 * 30)},
    {":1h", std::chrono::hours(1), std::chrono::hours(24 * 90)},
    {":1d", std::chrono::hours(24), std::chrono::hours(24 * 365)}};

// The seed's getMetricStats, computed from chunk summaries where a chunk lies
// wholly inside the range.
struct SeriesStats {
  std::uint64_t count = 0;
  double min = 0;
  double max = 0;
  double avg = 0;
  std::optional<Sample> latest{};
};

struct SeriesInfo {
  std::string name{};
  std::uint64_t samples = 0;
  std::optional<Timestamp> first_timestamp{};
  std::optional<Timestamp> last_timestamp{};
  // Sealed (compressed) chunks; the open head is not counted.
  std::uint64_t chunks = 0;
  // MEMORY USAGE of every key of the series, as Redis reports it.
  std::uint64_t memory_bytes = 0;
  std::chrono::milliseconds retention{0};
  DuplicatePolicy duplicate_policy = DuplicatePolicy::block;
  Labels labels{};
  // Rules from this series, by destination name.
  std::vector<CompactionRule> rules{};
  // The series whose rule writes into this one, if any.
  std::optional<std::string> source{};
};

// Series, samples and memory of a set of series (Store::storage_stats).
struct StorageUsage {
  std::size_t series = 0;
  std::uint64_t samples = 0;
  std::uint64_t memory_bytes = 0;
};

// The store's storage (Store::storage_stats), counted as info() counts each
// series.
struct StorageStats {
  StorageUsage total{};
  // The largest series by memory, largest first (ties by name).
  std::vector<SeriesInfo> largest{};
  // Per value of the label asked for ("" holds the series without it);
  // empty when no label was asked for.
  std::string label{};
  std::map<std::string, StorageUsage> by_label{};
};

// A sample of a named series, for adding to many series at once.
struct NamedSample {
  std::string series{};
  Timestamp timestamp = 0;
  double value = 0;
};

// One series' answer to a multi-series query.
struct SeriesSamples {
  std::string name{};
  Labels labels{};
  std::vector<Sample> samples{};
};

// Which labels a multi-series read returns with each series, as
// RedisTimeSeries' WITHLABELS and SELECTED_LABELS: all of them (the default),
// none (the cheapest: no label is read at all), or only the named ones (a
// series without one of them lacks it in the answer).
struct LabelSelection {
  enum class Mode { all, none, only };
  Mode mode = Mode::all;
  std::vector<std::string> names{};  // for Mode::only

  static LabelSelection all() { return {}; }
  static LabelSelection none() { return {.mode = Mode::none}; }
  static LabelSelection only(std::vector<std::string> names) { return {Mode::only, std::move(names)}; }
};

// Group the series of a multi-series range by the value of one label and
// reduce each group to one series: at every timestamp, the reducer over the
// group's values there. Reducers: avg, sum, min, max, range, count, std.p,
// std.s, var.p, var.s (the others are refused). Series without the label are
// left out.
struct GroupBy {
  std::string label{};
  Aggregator reducer = Aggregator::sum;
};

// The named series does not exist.
class SeriesNotFound : public Error {
 public:
  using Error::Error;
};

// A sample was refused: a sample with its timestamp exists and the series'
// duplicate policy is block, or it is older than the series' retention keeps.
// The message names the series and the timestamp.
class SampleRejected : public Error {
 public:
  using Error::Error;
};

}  // namespace redkit::ts
