// Store: the read path. A range is read a page of chunks at a time, decoded
// here, filtered and, when asked, aggregated into buckets.
#include <algorithm>

#include "client/embedded_scripts.hpp"
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

// Grows `out` once for the samples of a page that may lie in [from, to],
// counted from the block headers: decoding then never reallocates (and
// copies) the output, which cost as much as decoding a long range.
void reserve_page(std::vector<Sample>& out, const std::string& head, const std::vector<detail::StoredChunk>& chunks,
                  bool with_head, Timestamp from, Timestamp to, std::optional<std::size_t> limit) {
  std::size_t samples = with_head ? head.size() / detail::kRecordBytes : 0;
  try {
    for (const detail::StoredChunk& chunk : chunks) {
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

}  // namespace

std::vector<Sample> Store::Impl::read(std::string_view name, Timestamp lo, Timestamp hi, const RangeOptions& filters,
                                      bool reverse, std::optional<std::size_t> limit) const {
  const auto k = keys(name);
  const SampleFilter filter(filters);
  const bool direct = !filter.active() && !reverse;
  std::vector<Sample> out;
  std::vector<Sample> page;
  std::vector<Sample> run_buffer;
  // Moves page samples that pass the filter into out; true once full.
  auto take = [&](std::vector<Sample>& samples) {
    for (const Sample& sample : samples) {
      if (filter.passes(sample)) {
        out.push_back(sample);
        if (limit && out.size() >= *limit) {
          return true;
        }
      }
    }
    return false;
  };
  auto full = [&] { return limit && out.size() >= *limit; };

  Timestamp cursor_lo = lo;
  Timestamp cursor_hi = hi;
  bool first_page = true;
  Timestamp cutoff = kMinTimestamp;
  // A read with a limit asks for one chunk, then twice as many per page: the
  // newest sample (latest(), mget) or a short read costs a chunk or two, not
  // a page of 128 chunks (up to a megabyte) it would mostly throw away.
  std::size_t page_chunks = limit ? 1 : limits::kChunksPerPage;
  for (;;) {
    const Reply reply = run(
        name, embedded_script(ScriptName::ts_read).call(
                  {k.meta, k.head, k.chunks, k.summary},
                  {reverse ? "reverse" : "forward", std::to_string(reverse ? lo : cursor_lo),
                   std::to_string(reverse ? cursor_hi : hi), std::to_string(page_chunks),
                   first_page ? "1" : "0"}));
    const auto& parts = reply.as_array();
    if (first_page) {
      cutoff = parse_kept_from(parts.at(1));
    }
    const bool more = parts.at(2).as_integer() == 1;
    const std::string& last = parts.at(0).as_string();
    const std::string& head = parts.at(3).as_string();
    const std::vector<detail::StoredChunk> chunks = stored_chunks(parts, 4);
    const std::size_t chunk_count = chunks.size();
    // Whether the series' newest sample lies in [from, to]: then this page
    // holds it, in the head or in the newest chunk.
    const auto newest_in = [&](Timestamp from, Timestamp to) {
      const std::optional<Timestamp> newest = detail::parse_last(last);
      return newest && *newest >= from && *newest <= to;
    };
    // The last timestamp of the page's newest chunk by its summary; nullopt
    // without chunks or with a bad summary (decoding the chunk names it).
    const auto sealed_last = [&](const detail::StoredChunk* newest) -> std::optional<Timestamp> {
      if (newest == nullptr) {
        return std::nullopt;
      }
      try {
        return detail::ChunkSummary::unpack(newest->summary).last;
      } catch (const ProtocolError&) {
        return std::nullopt;
      }
    };
    // The head holds samples newer than every chunk: a range that ends
    // inside the chunks skips it (and a damaged head does not fail it).
    const auto head_reaches = [&](const detail::StoredChunk* newest, Timestamp to) {
      const auto sealed = sealed_last(newest);
      return !sealed || *sealed < to;
    };
    // Called with the newest chunk (or none) when the head came back empty.
    const auto check_head_present = [&](const detail::StoredChunk* newest) {
      if (newest != nullptr && !sealed_last(newest)) {
        return;
      }
      detail::check_empty_head(name, k, last, sealed_last(newest));
    };

    if (!reverse) {
      const Timestamp from = std::max(cursor_lo, cutoff);
      std::vector<Sample>& target = direct ? out : page;
      if (direct) {
        reserve_page(out, head, chunks, !more, from, hi, limit);
      }
      page.clear();
      for (std::size_t i = 0; i < chunk_count && !full(); ++i) {
        detail::decode_stored_chunk(name, k, chunks[i], from, hi, target);
        if (!direct && take(page)) {
          return out;
        }
        page.clear();
      }
      const detail::StoredChunk* newest_chunk = chunks.empty() ? nullptr : &chunks.back();
      if (!more && head_reaches(newest_chunk, hi)) {
        if (head.empty() && newest_in(from, hi)) {
          check_head_present(newest_chunk);
        }
        detail::decode_stored_head(name, k, head, last, from, hi, target);
        if (!direct) {
          take(page);
        }
      }
      if (full()) {
        out.resize(*limit);
        return out;
      }
      if (!more || chunk_count == 0) {
        return out;
      }
      // The page's chunks were checked against their summaries.
      const Timestamp page_last = detail::ChunkSummary::unpack(chunks.back().summary).last;
      if (page_last >= hi) {
        return out;
      }
      cursor_lo = page_last + 1;
    } else {
      const Timestamp from = std::max(lo, cutoff);
      auto take_reversed = [&](std::vector<Sample>& run) {
        std::reverse(run.begin(), run.end());
        const bool done = take(run);
        run.clear();
        return done;
      };
      run_buffer.clear();
      const detail::StoredChunk* newest_chunk = chunks.empty() ? nullptr : &chunks.front();
      if (first_page && head_reaches(newest_chunk, cursor_hi)) {
        if (head.empty() && newest_in(from, cursor_hi)) {
          check_head_present(newest_chunk);
        }
        detail::decode_stored_head(name, k, head, last, from, cursor_hi, run_buffer);
        if (take_reversed(run_buffer)) {
          return out;
        }
      }
      for (std::size_t i = 0; i < chunk_count; ++i) {
        detail::decode_stored_chunk(name, k, chunks[i], from, cursor_hi, run_buffer);
        if (take_reversed(run_buffer)) {
          return out;
        }
      }
      if (!more || chunk_count == 0) {
        return out;
      }
      if (chunks.back().first <= from) {
        return out;
      }
      cursor_hi = chunks.back().first - 1;
    }
    first_page = false;
    page_chunks = std::min(2 * page_chunks, limits::kChunksPerPage);
  }
}

std::vector<Sample> Store::Impl::query(std::string_view name, const RangeOptions& query, bool reverse) const {
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
      return read(name, lo, hi, query, reverse, query.count);
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
  if (auto from_rule = aggregate_from_rule(name, query, lo, hi)) {
    buckets = std::move(*from_rule);
  } else {
    std::vector<Sample> samples = read(name, lo, hi, query, false, std::nullopt);
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
  return impl_->query(name, query, false);
}

std::vector<Sample> Store::reverse_range(std::string_view name, const RangeOptions& query) const {
  return impl_->query(name, query, true);
}

std::optional<Sample> Store::latest(std::string_view name) const {
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
                                    .call({k.meta, k.head, k.chunks, k.summary, k.rules},
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
