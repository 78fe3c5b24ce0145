// redkit/time_series.hpp — time series on a plain Redis 7: compressed,
// chunked storage with queries, aggregation and retention.
//
//   redkit::Client client;
//   redkit::ts::Store store(client);
//   store.create("cpu:web-1", {.retention = std::chrono::hours(24), .labels = {{"host", "web-1"}}});
//   store.add("cpu:web-1", now_ms, 42.17);
//   auto per_minute = store.range("cpu:web-1", {.from = now_ms - 3'600'000,
//       .aggregation = redkit::ts::Aggregation{.aggregator = redkit::ts::Aggregator::avg,
//                                              .bucket = std::chrono::minutes(1)}});
//
// A series is a few keys sharing the hash tag {NAME} (docs/KEYS.md): a
// metadata hash, an open head of raw samples that scripts append to
// atomically, sealed chunks compressed by the client (delta-of-delta
// timestamps, decimal-aware values), a chunk index and per-chunk summaries.
// An add costs O(1) whatever the series length; a query reads only the
// chunks its range touches. Any number of clients may write one series at
// once: every change is one script, and sealing checks that the head it
// compressed is still the head.
//
// Values must be finite; timestamps lie in [kMinTimestamp, kMaxTimestamp].
// A key of another type where a series keeps its keys (someone else's key
// under the prefix) is never treated as a series, nor deleted: exists()
// answers false, and calls that read or write the series throw ReplyError
// "WRONGTYPE time series 'NAME': key 'KEY' holds a value of another type,
// not a time series".
//
// Thread-safety: all members may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/ts_types.hpp"

namespace redkit::ts {

struct StoreOptions {
  // Prepended to every key.
  std::string prefix = "redkit:";
  // Options of a series that add() or add_many() create because it is
  // missing.
  SeriesOptions default_series{};
};

class Store {
 public:
  // Throws InvalidArgument for an empty prefix or bad default options.
  explicit Store(Client client, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Creates an empty series. Throws InvalidArgument naming a bad name
  // (empty, over 512 bytes, holding '{', '}' or a control character),
  // retention < 0 or a bad label, and Error when the series exists.
  void create(std::string_view name, const SeriesOptions& options = {});
  // Creates the series unless it exists; true when it was created.
  bool create_if_missing(std::string_view name, const SeriesOptions& options = {});
  // Changes retention, duplicate policy or labels. Throws SeriesNotFound.
  void alter(std::string_view name, const SeriesChanges& changes);
  // Deletes the series and all its samples; false when it did not exist.
  bool remove(std::string_view name);
  bool exists(std::string_view name) const;
  // Throws SeriesNotFound.
  SeriesInfo info(std::string_view name) const;

  // Adds one sample, creating the series with StoreOptions::default_series
  // when it is missing. A sample at an existing timestamp is resolved by
  // the series' duplicate policy, or by `on_duplicate` when given. A sample
  // older than the newest lands in its place, also inside sealed chunks and
  // before everything stored. Throws InvalidArgument (timestamp out of
  // range, non-finite value), SampleRejected (duplicate under the block
  // policy, older than what the series' retention keeps).
  // docs/TIME_SERIES.md states the semantics in full.
  void add(std::string_view name, Timestamp timestamp, double value,
           std::optional<DuplicatePolicy> on_duplicate = std::nullopt);
  // The current time of this machine's clock as the timestamp; returns it.
  Timestamp add_now(std::string_view name, double value);
  // Adds many samples of one series, in any order (samples sharing a
  // timestamp are applied in the order given). Runs of samples newer than
  // the series are compressed here and stored chunk by chunk; others go
  // through add's path. Samples are validated before anything is sent.
  // Retention is judged by what the series kept before the call: an older
  // sample is refused, one that only newer samples of this call push out of
  // retention is dropped. Every acceptable sample is stored before
  // SampleRejected names the first refused one.
  void add_many(std::string_view name, std::span<const Sample> samples,
                std::optional<DuplicatePolicy> on_duplicate = std::nullopt);

  // Adds samples of many series (TS.MADD): one pipelined round trip for all
  // series in the common case, then the extra steps some series need
  // (creating it, sealing its head, placing older samples), each series as
  // add_many(name, ...) would. Everything is validated before anything is
  // sent; a refusal in one series never stops another: SampleRejected,
  // naming the first refused sample, comes after every series was stored.
  void add_many(std::span<const NamedSample> samples, std::optional<DuplicatePolicy> on_duplicate = std::nullopt);

  // The newest sample; nullopt for an empty series. Throws SeriesNotFound.
  std::optional<Sample> latest(std::string_view name) const;
  // Samples (or buckets) in [from, to], oldest first; count 0 gives none.
  // Throws SeriesNotFound and InvalidArgument for a bad query (from > to, a
  // NaN or crossed value filter, a bucket <= 0, an align outside the
  // timestamp range).
  std::vector<Sample> range(std::string_view name, const RangeOptions& query = {}) const;
  // The same, newest first; with count, the newest `count`.
  std::vector<Sample> reverse_range(std::string_view name, const RangeOptions& query = {}) const;
  // count, min, max, avg and the latest sample in [from, to]. Chunks that lie
  // wholly inside the range answer from their stored summaries.
  SeriesStats stats(std::string_view name, Timestamp from = kEarliest, Timestamp to = kLatest) const;
  // Deletes the samples in [from, to]; returns how many were deleted. The
  // closed buckets of rules from this series that the range touched are
  // computed again (a bucket left empty loses its destination sample).
  std::uint64_t delete_range(std::string_view name, Timestamp from, Timestamp to);

  // Compaction rules (downsampling). From now on every bucket of `source`
  // that closes (a sample arrives in a later bucket) is aggregated and added
  // to `destination`; a sample that arrives late, into a closed bucket, has
  // its bucket computed again. The rule covers the bucket holding the
  // source's newest sample (all its samples) and later ones; older buckets
  // are not compacted. A bucket older than the destination's retention is
  // not written. Both series must exist; a destination has one source and
  // is not a source itself. Throws SeriesNotFound naming the missing series,
  // InvalidArgument (same series, bucket <= 0, align outside the timestamp
  // range, a bucket timestamp other than start), Error (rule exists,
  // destination taken).
  void create_rule(std::string_view source, std::string_view destination, const Aggregation& aggregation);
  // False when there was no such rule.
  bool delete_rule(std::string_view source, std::string_view destination);
  std::vector<CompactionRule> rules(std::string_view source) const;

  // The seed's DataRetentionManager policy in one call: `name` keeps raw
  // samples 24 h, and rules feed NAME:1m (kept 7 days), NAME:5m (30 days),
  // NAME:1h (90 days) and NAME:1d (365 days) with `aggregator`. Creates
  // what is missing, sets the retentions of what exists; returns the
  // destination names. Throws InvalidArgument when a destination's name
  // would be too long, and Error when a rule could not be added (a
  // destination fed by another series, a destination upstream of `name`),
  // both before changing anything.
  std::vector<std::string> apply_retention_preset(std::string_view name, Aggregator aggregator = Aggregator::avg);
  // The same with a percentile's quantile and, with preset.chained, each
  // level fed from the one below (NAME:1m from NAME, NAME:5m from NAME:1m,
  // ...). Throws InvalidArgument for a chain of an aggregator that does not
  // compose (see RetentionPreset), before changing anything.
  std::vector<std::string> apply_retention_preset(std::string_view name, const RetentionPreset& preset);

  // The store's storage without KEYS or SCAN: every series in the index of
  // series is read once (info()'s counts and memory, pipelined), giving the
  // totals, the `top` largest series by memory, and the totals per value of
  // `label` when one is given. A series deleted meanwhile is left out.
  StorageStats storage_stats(std::string_view label = {}, std::size_t top = 10) const;

  // Builds (or rebuilds) the part of a rule's destination that the rule does
  // not cover: the buckets from the source's oldest stored sample up to the
  // bucket that held its newest when the rule was created, computed from
  // the stored samples, slice by slice, newest first. What the destination
  // held there is replaced. From its first step, a late sample in that range
  // recomputes its bucket as it would above it, so writers carrying on
  // meanwhile lose no bucket and double none. Buckets older than the
  // destination's retention keeps are skipped. `progress` hears after every
  // slice. A chain is backfilled from its bottom rule up. Throws
  // SeriesNotFound, and Error when the source has no rule to `destination`.
  RuleBackfill backfill_rule(std::string_view source, std::string_view destination,
                             const std::function<void(const RuleBackfill&)>& progress = {});

  // Names of the series whose labels match every filter (sorted), from the
  // label index (no KEYS, no SCAN). Filters, as in RedisTimeSeries:
  //   k=v      label k is v            k!=v      k is not v (or absent)
  //   k=(a,b)  k is a or b             k!=(a,b)  k is neither
  //   k=       k is absent             k!=       k is present
  // Throws InvalidArgument naming a malformed filter, or for no filters.
  std::vector<std::string> query_index(const std::vector<std::string>& filters) const;
  // The newest sample of each matching series (samples holds 0 or 1), with
  // the labels `labels` selects. One round trip for the index and one for
  // every series' newest sample. Throws InvalidArgument for a selection of
  // Mode::only without names or with an empty name.
  std::vector<SeriesSamples> mget(const std::vector<std::string>& filters,
                                  const LabelSelection& labels = LabelSelection::all()) const;
  // range() of each matching series, with the labels `labels` selects; or
  // one reduced series per group (whose labels say the group, the reducer
  // and the sources, whatever `labels` says).
  std::vector<SeriesSamples> mrange(const std::vector<std::string>& filters, const RangeOptions& query = {},
                                    const std::optional<GroupBy>& group_by = std::nullopt,
                                    const LabelSelection& labels = LabelSelection::all()) const;

  const StoreOptions& options() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace redkit::ts
