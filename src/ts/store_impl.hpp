// Store::Impl: the state shared by the store's admin, write, read, rule and
// multi-series paths (store.cpp, store_write.cpp, store_read.cpp,
// store_rules.cpp, store_multi.cpp).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/command.hpp"
#include "redkit/reply.hpp"
#include "redkit/time_series.hpp"
#include "ts/bucket_stream.hpp"
#include "ts/page_snapshot.hpp"
#include "ts/sample.hpp"
#include "ts/series_keys.hpp"

namespace redkit::ts {

// Sizes that shape the storage (docs/KEYS.md explains the layout).
namespace limits {
// The head is sealed into a compressed block once it holds this many
// samples: large enough that block headers cost little, small enough that the
// raw head (16 bytes a sample) stays a small share of a series.
inline constexpr std::size_t kHeadSealSamples = 512;
// A series without a sealed chunk is sealed sooner, at this many samples,
// so a small series (a few hundred samples, common in monitoring) is mostly
// compressed rather than raw. ts_add and ts_add_many decide when a seal is
// due (seal_due in lua/lib/ts_append.lua carries both numbers).
inline constexpr std::size_t kFirstSealSamples = 64;
// Samples per block when the client compresses a bulk batch.
inline constexpr std::size_t kBulkBlockSamples = 1024;
// add_many compresses runs at least this long on the client.
inline constexpr std::size_t kBulkMinSamples = 512;
// A chunk takes blocks while it stays at or below this size: a string of
// this length fills the allocator's 8 KiB size class (REDIS-NOTES.md).
inline constexpr std::size_t kChunkTargetBytes = 8160;
// Records per ts_add call, bounding the script's work when samples land
// inside the head.
inline constexpr std::size_t kMaxRecordsPerAdd = 256;
// Series per ts_add_many call (add_many's common case), bounding how long
// one call holds the server.
inline constexpr std::size_t kAddManyBatch = 1000;
// Rules chain (1m -> 5m -> 1h -> 1d) at most this many deep.
inline constexpr std::size_t kMaxRuleChain = 16;
// Buckets a rule's backfill computes and stores per slice.
inline constexpr std::size_t kBackfillBucketsPerSlice = 4096;
// ts_add_many calls (of kAddManyBatch series each) per round trip.
inline constexpr std::size_t kAddManyCallsPerRoundTrip = 16;
// Single-series scripts (seal steps, adds, newest reads) per round trip.
inline constexpr std::size_t kSeriesCallsPerRoundTrip = 1000;
// Chunks per page of a range read (about 1 MB).
inline constexpr std::size_t kChunksPerPage = 128;
// Series whose first range page one mrange round trip fetches, bounding the
// replies held at once (a page can reach a megabyte).
inline constexpr std::size_t kMrangeBatch = 256;
// Expired chunks deleted per ts_trim call.
inline constexpr int kTrimChunksPerCall = 16;
// Attempts of an optimistic rewrite (seal, chunk rewrite) that keeps losing
// races with other writers before giving up with an Error.
inline constexpr int kMaxRewriteAttempts = 1000;
}  // namespace limits

// Buckets [first, last] (by start) of a rule's destination to compute again
// from the source: what the scripts report when buckets close or late
// samples arrive (lua/lib/ts_rules.lua).
struct RuleUpdate {
  std::string destination{};
  Aggregation aggregation{};
  Timestamp first = 0;
  Timestamp last = 0;
  // The source's kept_from when the script reported this: a bucket reaching
  // below it has lost samples to retention and keeps its destination value.
  Timestamp kept_from = kMinTimestamp;
};

// A rule's buckets computed from its source: for a percentile rule each
// bucket's sketch too (encoded, sketches[i] describing buckets[i]).
struct RuleBuckets {
  std::vector<Sample> buckets{};
  std::vector<std::string> sketches{};
};

// The kept_from element of a script reply (lua/lib/ts_bounds.lua): the
// oldest timestamp the series keeps; kMinTimestamp when it keeps everything
// (''). Throws ProtocolError for anything else.
Timestamp parse_kept_from(const Reply& element);

// One add call's settings and outcome, shared by every script it takes.
struct AddCall {
  std::optional<DuplicatePolicy> on_duplicate{};
  // Samples older than this are refused. Unset until the call's first
  // script reports what the series kept as the call began, so that every
  // later script of the call judges by the same line (a sample that only
  // newer samples of the same call push out of retention is accepted and
  // dropped). kMinTimestamp refuses nothing: a rule's writes into its
  // destination, which drop buckets older than the destination keeps.
  std::optional<Timestamp> refuse_before{};
  // The call's newest timestamp: a sample older than what the series keeps
  // counting it is dropped (the call's own newer samples push it out of
  // retention), whichever script or pass it arrives in.
  Timestamp newest = kMinTimestamp;
  // The first sample refused. The call stores every other sample and
  // applies its rule updates before throwing it.
  std::optional<SampleRejected> rejected{};
  void reject(SampleRejected error) {
    if (!rejected) {
      rejected = std::move(error);
    }
  }
  void throw_if_rejected() const {
    if (rejected) {
      throw *rejected;
    }
  }
};

// The rules hash as HGETALL returns it: destination, "AGG BUCKET ALIGN OPEN".
std::vector<CompactionRule> parse_rules(const ReplyArray& fields);

// Reads the entries of lib/ts_rules.lua's rule_updates from parts[begin..].
void parse_rule_updates(const ReplyArray& parts, std::size_t begin, std::vector<RuleUpdate>& out);

struct Store::Impl {
  Impl(Client client, StoreOptions options);

  Client client;
  StoreOptions options;
  std::string index_prefix;  // <prefix>{ts-index}:
  std::string series_set;    // <prefix>{ts-index}:series

  detail::SeriesKeys keys(std::string_view name) const;
  // The one mapping of a script's error codes about series `name` to
  // exceptions: 'NOSERIES' becomes SeriesNotFound naming the series,
  // 'WRONGTYPE' a ReplyError naming the series and the key, 'CORRUPTHEAD'
  // CorruptData; any other error is rethrown as it is.
  [[noreturn]] void throw_series_error(std::string_view name, const ReplyError& error) const;
  // Runs a command, its error reply translated by throw_series_error.
  Reply run(std::string_view name, const Command& command) const;
  // The commands pipelined at most `per_round_trip` at a time, so the
  // replies to one round trip arrive well within the command timeout
  // however many series a call covers.
  std::vector<Reply> execute_sliced(std::span<const Command> commands, std::size_t per_round_trip) const;
  [[noreturn]] void throw_not_found(std::string_view name) const;
  // A key of the series' layout holds another type (someone else's key):
  // throws ReplyError "WRONGTYPE time series 'NAME': key 'KEY' holds ...",
  // naming the first such key.
  [[noreturn]] void throw_wrong_type(std::string_view name) const;

  // --- admin (store.cpp)
  bool create(std::string_view name, const SeriesOptions& options, bool fail_if_exists) const;

  // --- write path (store_write.cpp)
  // Adds samples in timestamp order, without duplicates among them, and
  // applies the rule updates they cause. Refusals go to call.rejected.
  void add_sorted(std::string_view name, std::span<const Sample> samples, AddCall& call) const;
  // Adds through ts_add (the head), at most kMaxRecordsPerAdd at a time.
  void add_through_head(std::string_view name, const detail::SeriesKeys& keys, std::span<const Sample> samples,
                        AddCall& call, std::vector<RuleUpdate>& updates) const;
  // A head due for sealing: at least min_samples are in it unless another
  // writer sealed it.
  struct DueSeal {
    std::string name;
    detail::SeriesKeys keys;
    std::size_t min_samples = 0;
  };
  // Handles a ts_add reply for `batch`: places samples that belong in
  // sealed chunks, seals a head that is due (or, given due_seals, leaves
  // it there for seal_heads), collects rule updates and refusals.
  void finish_add(std::string_view name, const detail::SeriesKeys& keys, std::span<const Sample> batch,
                  const Reply& reply, AddCall& call, std::vector<RuleUpdate>& updates,
                  std::vector<DueSeal>* due_seals = nullptr) const;
  // Compresses samples newer than the whole series here and stores them
  // chunk by chunk; returns how many were stored (the rest must take the
  // head path: another writer got in between).
  std::size_t append_compressed(std::string_view name, const detail::SeriesKeys& keys, std::span<const Sample> samples,
                                std::vector<RuleUpdate>& updates) const;
  // Computes the reported buckets from the source and stores them in the
  // destinations (policy last: a recomputed bucket replaces the old value),
  // leaving out buckets that reach below what the source keeps. With
  // `remove_emptied` (after a delete) a bucket left without samples loses
  // its destination sample.
  void apply_rule_updates(std::string_view source, std::vector<RuleUpdate>& updates,
                          bool remove_emptied = false) const;
  // The buckets of [first, end] a rule with `aggregation` computes from its
  // source (store_rule_buckets.cpp): the range aggregation, except that a
  // percentile rule also sketches each bucket and, where a source sample
  // is itself a percentile bucket with a sketch, merges that sketch in
  // place of the sample. Throws SeriesNotFound when the source is gone.
  RuleBuckets rule_buckets(std::string_view source, const Aggregation& aggregation, Timestamp first,
                           Timestamp end) const;
  // Stores a percentile rule's sketches beside the destination's buckets
  // (lua/ts_sketch_put.lua); nothing when there are none. Without
  // `replace`, a bucket that has a sketch keeps it.
  void store_sketches(std::string_view destination, const RuleBuckets& computed, bool replace = true) const;
  // Deletes the samples in [lo, hi] (lo <= hi) and recomputes the rule
  // buckets they touched; returns how many were deleted.
  std::uint64_t delete_samples(std::string_view name, Timestamp lo, Timestamp hi) const;
  // How much of the head a seal takes. A seal after adds leaves the newest
  // record in the head, so the newest sample stays readable with one plain
  // GETRANGE (mget); a bulk append needs the head empty.
  enum class SealExtent { all_but_newest, whole_head };
  // Seals the head into a compressed block if it holds at least
  // `min_samples` (another writer may have sealed it already).
  void seal_head(std::string_view name, const detail::SeriesKeys& keys, std::size_t min_samples,
                 SealExtent extent = SealExtent::all_but_newest) const;
  // seal_head for many series at once: the first step of all of them in two
  // round trips (add_many fills many heads in the same call).
  void seal_heads(std::span<const DueSeal> seals) const;
  // One seal step from a ts_head reply: the commands that store the head's
  // oldest records as a block and trim what retention dropped, and how many
  // records the head keeps after it; none when fewer than min_samples are in
  // the head.
  struct SealStep {
    Command store;
    Command trim;
    std::size_t left = 0;
  };
  std::optional<SealStep> seal_step(std::string_view name, const detail::SeriesKeys& keys, const Reply& head_reply,
                                    std::size_t min_samples, SealExtent extent) const;
  // Whether a step's replies finish the seal (throws on an error reply).
  static bool seal_step_done(const SealStep& step, const Reply& stored, const Reply& trimmed, std::size_t min_samples,
                             SealExtent extent);
  // Places a sample older than the head inside its sealed chunk.
  void place_in_chunk(std::string_view name, const detail::SeriesKeys& keys, const Sample& sample, AddCall& call,
                      std::vector<RuleUpdate>& updates) const;
  // Removes [lo, hi] from the chunk that holds `at`; returns samples removed.
  std::uint64_t cut_from_chunk(std::string_view name, const detail::SeriesKeys& keys, Timestamp at, Timestamp lo,
                               Timestamp hi) const;
  void trim(const detail::SeriesKeys& keys) const;

  // --- read path (store_read.cpp)
  // What a multi-series query fetched for one series in its one round trip
  // (store_multi.cpp), so the query of that series starts without one: the
  // rules hash (when an aggregation may read a rule's destination) and the
  // first page of the forward read of the query's range.
  struct Prefetched {
    std::optional<Reply> rules{};
    std::optional<Reply> first_page{};
  };
  // A Prefetched takes two round trips of plain commands, each for many
  // series at once (ts/page_snapshot.hpp): the state of the first page, then
  // the chunks that page needs and, for an aggregation of a series with
  // compaction rules, its rules hash.
  struct PrefetchState {
    bool aggregates = false;
    std::optional<detail::PageState> page{};
    bool reads_rules() const { return aggregates && page && !page->error && page->has_rules; }
  };
  // The first round's commands for `query` of `name` (none when nothing can
  // match), and what their replies (in the same order) say.
  std::vector<Command> prefetch_commands(const detail::SeriesKeys& keys, const RangeOptions& query) const;
  static PrefetchState prefetch_state(std::span<Reply> replies, const RangeOptions& query);
  // The second round's commands (none when the page needs neither chunks
  // nor rules), and the Prefetched from their replies (empty without a
  // second round). A series that changed between the rounds gets no first
  // page: read() fetches it.
  static std::vector<Command> prefetch_chunk_commands(const detail::SeriesKeys& keys, const PrefetchState& state);
  static Prefetched prefetched_from(PrefetchState&& state, std::span<Reply> chunk_replies);

  // Samples in [lo, hi] passing the query's filters, oldest first (newest
  // first when reverse), stopping once `limit` are collected. `first_page`:
  // the reply of this read's first ts_read call, already fetched.
  // With `stream`, the samples are handed to it piece by piece (forward,
  // no limit) and the returned vector is empty.
  std::vector<Sample> read(std::string_view name, Timestamp lo, Timestamp hi, const RangeOptions& filters,
                           bool reverse, std::optional<std::size_t> limit, const Reply* first_page = nullptr,
                           detail::BucketStream* stream = nullptr) const;
  // The newest sample, as Store::latest() reads it, from the reply of
  // newest_call() already fetched (so many series' can share a round trip).
  static Command newest_call(const detail::SeriesKeys& keys);
  std::optional<Sample> newest_from(std::string_view name, const Reply& reply) const;
  std::vector<Sample> query(std::string_view name, const RangeOptions& query, bool reverse,
                            const Prefetched* prefetched = nullptr) const;
  // An aggregation answered partly from a rule's destination, or nullopt
  // when no rule fits (store_rules.cpp). `rules`: the source's rules hash,
  // already fetched.
  std::optional<std::vector<Sample>> aggregate_from_rule(std::string_view name, const RangeOptions& query,
                                                         Timestamp lo, Timestamp hi,
                                                         const Reply* rules = nullptr) const;
  std::vector<CompactionRule> rules(std::string_view name) const;
  // Store::info as one command and its reply, so many series' share a
  // round trip (storage_stats).
  static Command info_call(const detail::SeriesKeys& keys);
  static SeriesInfo info_from(std::string_view name, const detail::SeriesKeys& keys, const Reply& reply);
  // A rule's aggregation and where it stands (lib/ts_rules.lua: OPEN,
  // SINCE); nullopt when the source has no rule to that destination.
  // Throws SeriesNotFound for a missing source.
  struct RuleState {
    Aggregation aggregation;
    std::optional<Timestamp> open;
    std::optional<Timestamp> since;
  };
  std::optional<RuleState> rule_state(std::string_view source, std::string_view destination) const;
  // The rules of `source` with the start of the bucket each holds open
  // (nullopt before the rule's first sample).
  std::vector<std::pair<CompactionRule, std::optional<Timestamp>>> open_rules(std::string_view source) const;
  // The still-open bucket of the rule writing into `destination`, computed
  // from its source now; nullopt when it is no destination or the bucket is
  // empty (RangeOptions::latest).
  std::optional<Sample> open_bucket_of(std::string_view destination) const;
};

// Encodes sorted samples as blocks of at most `block_samples` and groups the
// blocks into pieces of at most kChunkTargetBytes (a single block may exceed
// it). Each piece: first timestamp, bytes, packed summary.
struct EncodedPiece {
  Timestamp first = 0;
  std::size_t count = 0;
  std::string bytes{};
  std::string summary{};
};
std::vector<EncodedPiece> encode_pieces(std::span<const Sample> samples, std::size_t block_samples);

}  // namespace redkit::ts
