// Store: the read path. A range is read a page of chunks at a time, decoded
// here, filtered and, when asked, aggregated into buckets.
#include <algorithm>

#include "client/embedded_scripts.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"
#include "ts/aggregation.hpp"
#include "ts/codec/block_codec.hpp"
#include "ts/chunk_summary.hpp"
#include "ts/head_records.hpp"
#include "ts/store_impl.hpp"
#include "ts/stored_data.hpp"
#include "ts/validation.hpp"

namespace redkit::ts {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

namespace {

struct SampleFilter {
  explicit SampleFilter(const RangeOptions& query)
      : min_value(query.min_value), max_value(query.max_value), timestamps(query.timestamps) {
    std::sort(timestamps.begin(), timestamps.end());
  }
  bool active() const { return min_value || max_value || !timestamps.empty(); }
  bool passes(const Sample& sample) const {
    return (!min_value || sample.value >= *min_value) && (!max_value || sample.value <= *max_value) &&
           (timestamps.empty() || std::binary_search(timestamps.begin(), timestamps.end(), sample.timestamp));
  }
  std::optional<double> min_value;
  std::optional<double> max_value;
  std::vector<Timestamp> timestamps;
};

// [lo, hi] of a query within the timestamps a series can hold; lo > hi when
// the query cannot match anything.
std::pair<Timestamp, Timestamp> bounds_of(const RangeOptions& query) {
  return {std::max(query.from, kMinTimestamp), std::min(query.to, kMaxTimestamp)};
}

// The chunks of a ts_read or ts_stats reply: facts (id, first timestamp,
// summary) in parts[facts_at], bytes from parts[facts_at + 1] on.
std::vector<detail::StoredChunk> stored_chunks(const ReplyArray& parts, std::size_t facts_at) {
  const auto& facts = parts.at(facts_at).as_array();
  std::vector<detail::StoredChunk> chunks(parts.size() - facts_at - 1);
  if (facts.size() != 3 * chunks.size()) {
    throw ProtocolError("time-series read: chunk facts do not match the chunks sent");
  }
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    chunks[i] = detail::StoredChunk{.id = facts[3 * i].as_string(),
                                    .first = detail::parse_first_timestamp(facts[3 * i + 1].as_string()),
                                    .summary = facts[3 * i + 2].as_string(),
                                    .bytes = parts[facts_at + 1 + i].as_string()};
  }
  return chunks;
}

// The part of [lo, hi] a read has yet to ask for: a forward read moves lo
// up past each page, a reverse read moves hi down.
struct ReadWindow {
  Timestamp lo = 0;
  Timestamp hi = 0;
};

// One ts_read reply (lua/ts_read.lua). The views point into the reply.
struct ReadPage {
  std::string_view last{};  // the series' newest timestamp as its metadata holds it
  bool more = false;        // the range goes on past this page
  // Forward, the last page carries the head; reverse, the first.
  bool has_head = false;
  std::string_view head{};
  std::vector<detail::StoredChunk> chunks{};  // oldest first
};

// A read's samples so far: those that passed the filter, in reading order.
struct ReadResult {
  ReadResult(const RangeOptions& filters, std::optional<std::size_t> at_most, detail::BucketStream* to = nullptr)
      : filter(filters), limit(at_most), stream(to) {}
  bool full() const { return limit && samples.size() >= *limit; }
  // With a stream, what a piece added goes on to it: `samples` then only
  // ever holds one piece, which stays in cache while it is aggregated.
  void flush() {
    if (stream != nullptr) {
      stream->add(samples);
      samples.clear();
    }
  }
  // Adds the samples of `piece` that pass the filter; true once full.
  bool take(const std::vector<Sample>& piece) {
    for (const Sample& sample : piece) {
      if (filter.passes(sample)) {
        samples.push_back(sample);
        if (full()) {
          return true;
        }
      }
    }
    return false;
  }
  // The samples cut to the limit, which a direct read, decoding whole chunks,
  // may overshoot.
  std::vector<Sample> finish() && {
    if (full()) {
      samples.resize(*limit);
    }
    return std::move(samples);
  }
  const SampleFilter filter;
  const std::optional<std::size_t> limit;
  detail::BucketStream* const stream;
  std::vector<Sample> samples{};
};

Command read_call(const detail::SeriesKeys& k, bool reverse, ReadWindow window, std::size_t chunks, bool with_head) {
  return embedded_script(ScriptName::ts_read)
      .call({k.meta, k.head, k.chunks, k.summary}, {reverse ? "reverse" : "forward", std::to_string(window.lo),
                                                    std::to_string(window.hi), std::to_string(chunks),
                                                    with_head ? "1" : "0"});
}

// The page of a ts_read reply; `asked_for_head` is the with_head the call
// sent, which only a reverse read heeds. The reply's kept_from (parts[1]) is
// left to the caller, which reads it from the first page only.
ReadPage parse_read_page(const ReplyArray& parts, bool reverse, bool asked_for_head) {
  ReadPage page;
  page.more = parts.at(2).as_integer() == 1;
  page.last = parts.at(0).as_string();
  page.head = parts.at(3).as_string();
  page.has_head = reverse ? asked_for_head : !page.more;
  page.chunks = stored_chunks(parts, 4);
  if (reverse) {
    // A reverse page arrives newest first.
    std::reverse(page.chunks.begin(), page.chunks.end());
  }
  return page;
}

// Grows `out` once for the samples of a page that may lie in [from, to],
// counted from the block headers: decoding then never reallocates (and
// copies) the output, which cost as much as decoding a long range.
void reserve_page(std::vector<Sample>& out, const ReadPage& page, Timestamp from, Timestamp to,
                  std::optional<std::size_t> limit) {
  std::size_t samples = page.has_head ? page.head.size() / detail::kRecordBytes : 0;
  try {
    for (const detail::StoredChunk& chunk : page.chunks) {
      for (const detail::BlockInfo& block : detail::scan_blocks(chunk.bytes)) {
        if (block.last_timestamp >= from && block.first_timestamp <= to) {
          samples += block.count;
        }
      }
    }
  } catch (const ProtocolError&) {
    return;  // decoding names the damaged chunk
  }
  std::size_t wanted = out.size() + samples;
  if (limit) {
    wanted = std::min(wanted, *limit);
  }
  if (wanted > out.capacity()) {
    out.reserve(std::max(wanted, 2 * out.capacity()));
  }
}

// The last timestamp of the page's newest chunk by its summary; nullopt
// without chunks or with a bad summary (decoding the chunk names it).
std::optional<Timestamp> sealed_last(const ReadPage& page) {
  if (page.chunks.empty()) {
    return std::nullopt;
  }
  try {
    return detail::ChunkSummary::unpack(page.chunks.back().summary).last;
  } catch (const ProtocolError&) {
    return std::nullopt;
  }
}

// The head holds samples newer than every chunk: a range that ends inside the
// chunks skips it (and a damaged head does not fail it).
bool reads_head(const ReadPage& page, Timestamp to) {
  if (!page.has_head) {
    return false;
  }
  const std::optional<Timestamp> sealed = sealed_last(page);
  return !sealed || *sealed < to;
}

// Appends the head's samples in [from, to]. Throws ProtocolError when the head
// came back empty although the series' newest sample lies in [from, to] and
// not in the newest chunk; a newest chunk with a bad summary is left for its
// own decoding to report.
void decode_head(std::string_view name, const detail::SeriesKeys& k, const ReadPage& page, Timestamp from,
                 Timestamp to, std::vector<Sample>& out) {
  const std::optional<Timestamp> newest = detail::parse_last(page.last);
  if (page.head.empty() && newest && *newest >= from && *newest <= to) {
    const std::optional<Timestamp> sealed = sealed_last(page);
    if (page.chunks.empty() || sealed) {
      detail::check_empty_head(name, k, page.last, sealed);
    }
  }
  detail::decode_stored_head(name, k, page.head, page.last, from, to, out);
}

// A step of reading a page: one of its chunks, or its head (nullptr).
using PagePiece = const detail::StoredChunk*;

// The page's chunks and, when the range reaches it, its head, in the order a
// read returns them: oldest first, newest first when reverse.
std::vector<PagePiece> pieces_in_reading_order(const ReadPage& page, Timestamp to, bool reverse) {
  std::vector<PagePiece> pieces;
  pieces.reserve(page.chunks.size() + 1);
  for (const detail::StoredChunk& chunk : page.chunks) {
    pieces.push_back(&chunk);
  }
  if (reads_head(page, to)) {
    pieces.push_back(nullptr);
  }
  if (reverse) {
    std::reverse(pieces.begin(), pieces.end());
  }
  return pieces;
}

void decode_piece(std::string_view name, const detail::SeriesKeys& k, const ReadPage& page, PagePiece piece,
                  Timestamp from, Timestamp to, std::vector<Sample>& out) {
  if (piece == nullptr) {
    decode_head(name, k, page, from, to, out);
  } else {
    detail::decode_stored_chunk(name, k, *piece, from, to, out);
  }
}

// An unfiltered forward read decodes straight into its result, grown once
// per page, rather than copying each sample through a buffer. Chunks past the
// limit are not decoded; the head is, whenever the range reaches it.
void decode_page_direct(std::string_view name, const detail::SeriesKeys& k, const ReadPage& page, Timestamp from,
                        Timestamp to, ReadResult& result) {
  if (result.stream == nullptr) {
    reserve_page(result.samples, page, from, to, result.limit);
  }
  for (PagePiece piece : pieces_in_reading_order(page, to, false)) {
    if (piece != nullptr && result.full()) {
      continue;
    }
    decode_piece(name, k, page, piece, from, to, result.samples);
    result.flush();
  }
}

// Adds the page's samples in [from, to] to the result in reading order;
// true once the result is full.
bool collect_page(std::string_view name, const detail::SeriesKeys& k, const ReadPage& page, Timestamp from,
                  Timestamp to, bool reverse, ReadResult& result) {
  if (!reverse && !result.filter.active()) {
    decode_page_direct(name, k, page, from, to, result);
    return result.full();
  }
  std::vector<Sample> piece_samples;
  for (PagePiece piece : pieces_in_reading_order(page, to, reverse)) {
    decode_piece(name, k, page, piece, from, to, piece_samples);
    if (reverse) {
      std::reverse(piece_samples.begin(), piece_samples.end());
    }
    if (result.take(piece_samples)) {
      return true;
    }
    result.flush();
    piece_samples.clear();
  }
  return false;
}

// What is left of `window` after a page, or nullopt when the page was the
// last one or reached the far end of [from, window.hi]: a forward page ends
// at its newest chunk's last sample, a reverse page at its oldest chunk's
// first.
std::optional<ReadWindow> window_after(const ReadPage& page, ReadWindow window, Timestamp from, bool reverse) {
  if (!page.more || page.chunks.empty()) {
    return std::nullopt;
  }
  if (reverse) {
    const Timestamp oldest = page.chunks.front().first;
    if (oldest <= from) {
      return std::nullopt;
    }
    return ReadWindow{.lo = window.lo, .hi = oldest - 1};
  }
  // Not full, so every chunk of the page was checked against its summary.
  const Timestamp newest = detail::ChunkSummary::unpack(page.chunks.back().summary).last;
  if (newest >= window.hi) {
    return std::nullopt;
  }
  return ReadWindow{.lo = newest + 1, .hi = window.hi};
}

}  // namespace

std::vector<Sample> Store::Impl::read(std::string_view name, Timestamp lo, Timestamp hi, const RangeOptions& filters,
                                      bool reverse, std::optional<std::size_t> limit,
                                      const Reply* first_page_reply, detail::BucketStream* stream) const {
  const auto k = keys(name);
  ReadResult result(filters, limit, stream);
  ReadWindow window{.lo = lo, .hi = hi};
  Timestamp kept_from = kMinTimestamp;
  // A read with a limit asks for one chunk, then twice as many per page: the
  // newest sample (latest(), mget) or a short read costs a chunk or two, not
  // a page of 128 chunks (up to a megabyte) it would mostly throw away.
  std::size_t page_chunks = limit ? 1 : limits::kChunksPerPage;
  for (bool first_page = true;; first_page = false) {
    // The prefetched page is used in place, not copied.
    Reply fetched;
    if (!first_page || first_page_reply == nullptr) {
      fetched = run(name, read_call(k, reverse, window, page_chunks, first_page));
    }
    const Reply& reply = first_page && first_page_reply != nullptr ? *first_page_reply : fetched;
    if (reply.is_error()) {
      throw_series_error(name, ReplyError(reply.error_message()));
    }
    const auto& parts = reply.as_array();
    if (first_page) {
      kept_from = parse_kept_from(parts.at(1));
    }
    const ReadPage page = parse_read_page(parts, reverse, first_page);
    const Timestamp from = std::max(window.lo, kept_from);
    if (collect_page(name, k, page, from, window.hi, reverse, result)) {
      break;
    }
    const std::optional<ReadWindow> rest = window_after(page, window, from, reverse);
    if (!rest) {
      break;
    }
    window = *rest;
    page_chunks = std::min(2 * page_chunks, limits::kChunksPerPage);
  }
  return std::move(result).finish();
}

namespace {

// Chunks in the first page read() asks for: a count without an aggregation
// starts with one.
std::size_t first_page_chunks(const RangeOptions& query) {
  return !query.aggregation && query.count ? 1 : limits::kChunksPerPage;
}

}  // namespace

std::vector<Command> Store::Impl::prefetch_commands(const detail::SeriesKeys& k, const RangeOptions& query) const {
  const auto [lo, hi] = bounds_of(query);
  if (lo > hi || query.count == std::size_t{0}) {
    return {};  // query() answers without reading
  }
  return detail::page_state_commands(k, lo, hi, first_page_chunks(query));
}

Store::Impl::PrefetchState Store::Impl::prefetch_state(std::span<Reply> replies, const RangeOptions& query) {
  PrefetchState out{.aggregates = query.aggregation.has_value()};
  if (replies.empty()) {
    return out;
  }
  out.page = detail::parse_page_state(std::move(replies.back()), first_page_chunks(query));
  return out;
}

std::vector<Command> Store::Impl::prefetch_chunk_commands(const detail::SeriesKeys& k, const PrefetchState& state) {
  std::vector<Command> out;
  if (state.reads_rules()) {
    out.push_back(std::move(Command("HGETALL").key(k.rules)));
  }
  if (state.page) {
    for (Command& command : detail::page_chunk_commands(k, *state.page)) {
      out.push_back(std::move(command));
    }
  }
  return out;
}

Store::Impl::Prefetched Store::Impl::prefetched_from(PrefetchState&& state, std::span<Reply> chunk_replies) {
  Prefetched out;
  if (state.reads_rules()) {
    out.rules = std::move(chunk_replies[0]);
    chunk_replies = chunk_replies.subspan(1);
  } else if (state.aggregates && state.page && !state.page->error) {
    // 'nrules' said none: an empty rules hash, as HGETALL would answer.
    out.rules = Reply::make_array({});
  }
  if (state.page) {
    out.first_page = detail::page_from(std::move(*state.page), chunk_replies);
  }
  return out;
}

namespace {

// Buckets stamped where the query asks, in its order, cut to its count.
std::vector<Sample> shaped_buckets(std::vector<Sample> buckets, const RangeOptions& query, bool reverse) {
  const Timestamp width = query.aggregation->bucket.count();
  if (query.aggregation->bucket_timestamp != BucketTimestamp::start) {
    const Timestamp shift = query.aggregation->bucket_timestamp == BucketTimestamp::middle ? width / 2 : width;
    for (Sample& bucket : buckets) {
      bucket.timestamp += shift;
    }
  }
  if (reverse) {
    std::reverse(buckets.begin(), buckets.end());
  }
  if (query.count && buckets.size() > *query.count) {
    buckets.resize(*query.count);
  }
  return buckets;
}

}  // namespace

std::vector<Sample> Store::Impl::query(std::string_view name, const RangeOptions& query, bool reverse,
                                       const Prefetched* prefetched) const {
  const Reply* first_page = prefetched != nullptr && prefetched->first_page ? &*prefetched->first_page : nullptr;
  const Reply* rules = prefetched != nullptr && prefetched->rules ? &*prefetched->rules : nullptr;
  detail::validate_series_name(name);
  detail::validate_query(query);
  const auto [lo, hi] = bounds_of(query);
  if (lo > hi || query.count == std::size_t{0}) {
    // Nothing can match (count 0 asks for nothing, forward or reverse); a
    // missing series is still reported.
    if (client.command({"EXISTS", keys(name).meta}).as_integer() == 0) {
      throw_not_found(name);
    }
    return {};
  }
  const SampleFilter filter(query);
  std::optional<Sample> open_bucket;
  if (query.latest) {
    open_bucket = open_bucket_of(name);
    if (open_bucket && (open_bucket->timestamp < lo || open_bucket->timestamp > hi || !filter.passes(*open_bucket))) {
      open_bucket.reset();
    }
  }
  if (!query.aggregation) {
    if (!open_bucket) {
      return read(name, lo, hi, query, reverse, query.count, reverse ? nullptr : first_page);
    }
    // The open bucket is newer than every stored sample of the destination.
    std::vector<Sample> samples = read(name, lo, hi, query, reverse, query.count);
    if (reverse) {
      samples.insert(samples.begin(), *open_bucket);
    } else {
      samples.push_back(*open_bucket);
    }
    if (query.count && samples.size() > *query.count) {
      samples.resize(*query.count);
    }
    return samples;
  }
  std::vector<Sample> buckets;
  if (auto from_rule = aggregate_from_rule(name, query, lo, hi, rules)) {
    buckets = std::move(*from_rule);
  } else {
    if (detail::BucketStream::handles(query.aggregation->aggregator)) {
      detail::BucketStream stream(*query.aggregation);
      read(name, lo, hi, query, false, std::nullopt, first_page, &stream);
      if (open_bucket) {
        stream.add(std::span(&*open_bucket, 1));
      }
      return shaped_buckets(std::move(stream).finish(), query, reverse);
    }
    std::vector<Sample> samples = read(name, lo, hi, query, false, std::nullopt, first_page);
    if (open_bucket) {
      samples.push_back(*open_bucket);
    }
    std::optional<Sample> before;
    std::optional<Sample> after;
    if (query.aggregation->aggregator == Aggregator::twa && !samples.empty()) {
      if (lo > kMinTimestamp) {
        const auto previous = read(name, kMinTimestamp, lo - 1, query, true, 1);
        if (!previous.empty()) {
          before = previous.front();
        }
      }
      if (hi < kMaxTimestamp && !open_bucket) {
        const auto next = read(name, hi + 1, kMaxTimestamp, query, false, 1);
        if (!next.empty()) {
          after = next.front();
        }
      }
    }
    buckets = detail::aggregate(samples, *query.aggregation, lo, hi, before, after);
  }
  return shaped_buckets(std::move(buckets), query, reverse);
}

std::optional<Sample> Store::Impl::open_bucket_of(std::string_view destination) const {
  const Reply source = client.command({"HGET", keys(destination).meta, "src"});
  if (source.is_nil()) {
    return std::nullopt;
  }
  const std::string& source_name = source.as_string();
  for (const auto& [rule, open] : open_rules(source_name)) {
    if (rule.destination != destination || !open) {
      continue;
    }
    const Timestamp width = rule.aggregation.bucket.count();
    const RangeOptions bucket{
        .from = *open, .to = *open + width - 1, .aggregation = rule.aggregation, .use_compactions = false};
    try {
      const auto computed = query(source_name, bucket, false);
      if (!computed.empty()) {
        return computed.front();
      }
    } catch (const SeriesNotFound&) {
      // The source was deleted meanwhile.
    }
  }
  return std::nullopt;
}

std::vector<Sample> Store::range(std::string_view name, const RangeOptions& query) const {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_range);
  return impl_->query(name, query, false);
}

std::vector<Sample> Store::reverse_range(std::string_view name, const RangeOptions& query) const {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_range);
  return impl_->query(name, query, true);
}

Command Store::Impl::newest_call(const detail::SeriesKeys& k) {
  // read()'s first call for a reverse read of everything with a limit of 1.
  return read_call(k, true, ReadWindow{.lo = kMinTimestamp, .hi = kMaxTimestamp}, 1, true);
}

std::optional<Sample> Store::Impl::newest_from(std::string_view name, const Reply& reply) const {
  const auto newest = read(name, kMinTimestamp, kMaxTimestamp, {}, true, 1, &reply);
  if (newest.empty()) {
    return std::nullopt;
  }
  return newest.front();
}

std::optional<Sample> Store::latest(std::string_view name) const {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_latest);
  detail::validate_series_name(name);
  const auto newest = impl_->read(name, kMinTimestamp, kMaxTimestamp, {}, true, 1);
  if (newest.empty()) {
    return std::nullopt;
  }
  return newest.front();
}

SeriesStats Store::stats(std::string_view name, Timestamp from, Timestamp to) const {
  detail::validate_series_name(name);
  const RangeOptions bounds{.from = from, .to = to};
  detail::validate_query(bounds);
  const auto [lo, hi] = bounds_of(bounds);
  SeriesStats stats;
  if (lo > hi) {
    // Nothing to count, but a missing series is still reported, as range() does.
    if (impl_->client.command({"EXISTS", impl_->keys(name).meta}).as_integer() == 0) {
      impl_->throw_not_found(name);
    }
    return stats;
  }
  const auto k = impl_->keys(name);
  const Reply reply = impl_->run(name, embedded_script(ScriptName::ts_stats).call({k.meta, k.head, k.chunks, k.summary},
                                                                        {std::to_string(lo), std::to_string(hi)}));
  const auto& parts = reply.as_array();
  const Timestamp from_kept = std::max(lo, parse_kept_from(parts.at(1)));
  std::vector<Sample> loose;
  for (const detail::StoredChunk& chunk : stored_chunks(parts, 4)) {
    detail::decode_stored_chunk(name, k, chunk, from_kept, hi, loose);
  }
  detail::decode_stored_head(name, k, parts.at(3).as_string(), parts.at(0).as_string(), from_kept, hi, loose);

  double sum = 0;
  Timestamp newest_in_summary = kMinTimestamp;
  if (const std::string& packed = parts.at(2).as_string(); !packed.empty()) {
    const auto summary = detail::ChunkSummary::unpack(packed);
    stats.count = static_cast<std::uint64_t>(summary.count);
    stats.min = summary.min;
    stats.max = summary.max;
    sum = summary.sum;
    newest_in_summary = summary.last;
  }
  for (const Sample& sample : loose) {
    stats.min = stats.count == 0 ? sample.value : std::min(stats.min, sample.value);
    stats.max = stats.count == 0 ? sample.value : std::max(stats.max, sample.value);
    sum += sample.value;
    ++stats.count;
    if (!stats.latest || sample.timestamp > stats.latest->timestamp) {
      stats.latest = sample;
    }
  }
  if (stats.count == 0) {
    return stats;
  }
  stats.avg = sum / static_cast<double>(stats.count);
  if (!stats.latest || stats.latest->timestamp < newest_in_summary) {
    // The newest sample sits in a chunk answered by its summary.
    const auto newest = impl_->read(name, lo, hi, {}, true, 1);
    if (!newest.empty()) {
      stats.latest = newest.front();
    }
  }
  return stats;
}

std::uint64_t Store::delete_range(std::string_view name, Timestamp from, Timestamp to) {
  detail::validate_series_name(name);
  const RangeOptions bounds{.from = from, .to = to};
  detail::validate_query(bounds);
  const auto [lo, hi] = bounds_of(bounds);
  if (lo > hi) {
    return 0;
  }
  return impl_->delete_samples(name, lo, hi);
}

std::uint64_t Store::Impl::delete_samples(std::string_view name, Timestamp lo, Timestamp hi) const {
  const auto k = keys(name);
  const Reply reply = run(name, embedded_script(ScriptName::ts_delete_range)
                                    .call({k.meta, k.head, k.chunks, k.summary, k.rules, k.sketches},
                                          {std::to_string(lo), std::to_string(hi)}));
  const auto& parts = reply.as_array();
  auto deleted = static_cast<std::uint64_t>(parts.at(0).as_integer());
  // What retention dropped is neither deleted again nor counted.
  const Timestamp kept_lo = std::max<Timestamp>(lo, parts.at(2).as_integer());
  for (const Reply& straddling : parts.at(1).as_array()) {
    deleted += cut_from_chunk(name, k, std::max<Timestamp>(straddling.as_integer(), kept_lo), kept_lo, hi);
  }
  std::vector<RuleUpdate> updates;
  parse_rule_updates(parts, 3, updates);
  if (deleted > 0) {
    apply_rule_updates(name, updates, true);
  }
  return deleted;
}

}  // namespace redkit::ts
