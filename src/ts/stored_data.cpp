#include "ts/stored_data.hpp"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "redkit/error.hpp"
#include "ts/codec/block_codec.hpp"
#include "ts/chunk_summary.hpp"
#include "ts/head_records.hpp"

namespace redkit::ts::detail {
namespace {

[[noreturn]] void throw_corrupt_chunk(std::string_view series, const SeriesKeys& keys, const StoredChunk& chunk,
                                      std::string_view what) {
  throw ProtocolError(fmt::format("series \"{}\": chunk {} (first timestamp {}) is corrupt: {}", series,
                                  keys.chunk(chunk.id), chunk.first, what));
}

// The checks that need only block headers: they catch a torn or missing
// chunk and a damaged header field the codec cannot see, such as a first
// timestamp that moved every sample of its block.
std::vector<BlockInfo> check_headers(const StoredChunk& chunk, const ChunkSummary& summary) {
  if (chunk.bytes.empty()) {
    throw ProtocolError(fmt::format("it is missing or empty, but its summary counts {} samples", summary.count));
  }
  const std::vector<BlockInfo> blocks = scan_blocks(chunk.bytes);
  std::int64_t count = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0 && blocks[i].first_timestamp <= blocks[i - 1].last_timestamp) {
      throw ProtocolError(fmt::format("block at offset {} starts at {}, not after the previous block's last {}",
                                      blocks[i].offset, blocks[i].first_timestamp, blocks[i - 1].last_timestamp));
    }
    count += blocks[i].count;
  }
  if (blocks.front().first_timestamp != chunk.first) {
    throw ProtocolError(fmt::format("its blocks start at {}, its index entry at {}", blocks.front().first_timestamp,
                                    chunk.first));
  }
  if (blocks.back().last_timestamp != summary.last || count != summary.count) {
    throw ProtocolError(fmt::format("its blocks hold {} samples up to {}, its summary {} up to {}", count,
                                    blocks.back().last_timestamp, summary.count, summary.last));
  }
  return blocks;
}

// Values have no checksum in the codec; a damaged bit stream that still
// decodes to the right number of samples usually moves min, max or sum.
// Sums are compared within the rounding two summation orders may differ by
// (the summary adds per-piece sums). Skipped when a value is not finite.
void check_values(std::span<const Sample> samples, const ChunkSummary& summary) {
  double min = samples.front().value;
  double max = min;
  double sum = 0;
  double magnitude = 0;
  for (const Sample& sample : samples) {
    min = std::min(min, sample.value);
    max = std::max(max, sample.value);
    sum += sample.value;
    magnitude += std::abs(sample.value);
  }
  if (!std::isfinite(magnitude) || !std::isfinite(summary.sum)) {
    return;
  }
  const double tolerance = 4.0 * static_cast<double>(samples.size()) * DBL_EPSILON * magnitude;
  if (min != summary.min || max != summary.max || std::abs(sum - summary.sum) > tolerance) {
    throw ProtocolError(fmt::format("its values have min {}, max {}, sum {}; its summary says {}, {}, {}", min, max,
                                    sum, summary.min, summary.max, summary.sum));
  }
}

}  // namespace

Timestamp parse_first_timestamp(std::string_view score) {
  double value = 0;
  const auto [end, error] = std::from_chars(score.data(), score.data() + score.size(), value);
  if (error != std::errc() || end != score.data() + score.size() || !(std::abs(value) <= 9007199254740991.0) ||
      value != std::floor(value)) {
    throw ProtocolError(fmt::format("chunk index score '{}' is not a timestamp", score));
  }
  return static_cast<Timestamp>(value);
}

void decode_stored_chunk(std::string_view series, const SeriesKeys& keys, const StoredChunk& chunk, Timestamp from,
                         Timestamp to, std::vector<Sample>& out) {
  try {
    const ChunkSummary summary = ChunkSummary::unpack(chunk.summary);
    const std::vector<BlockInfo> blocks = check_headers(chunk, summary);
    const bool every_block = std::all_of(blocks.begin(), blocks.end(), [&](const BlockInfo& block) {
      return block.last_timestamp >= from && block.first_timestamp <= to;
    });
    if (!every_block) {
      // Only the blocks in range are decoded (as fast as before); their
      // values cannot be held against a summary of the whole chunk.
      decode_blocks_range(chunk.bytes, from, to, out);
      return;
    }
    // Every block is decoded anyway: check the values, then drop the
    // samples of the outer blocks that lie outside [from, to].
    const auto before = static_cast<std::ptrdiff_t>(out.size());
    decode_blocks(chunk.bytes, out);
    check_values(std::span(out).subspan(static_cast<std::size_t>(before)), summary);
    const auto begin = out.begin() + before;
    const auto lo =
        std::lower_bound(begin, out.end(), from, [](const Sample& s, Timestamp t) { return s.timestamp < t; });
    const auto hi = std::upper_bound(lo, out.end(), to, [](Timestamp t, const Sample& s) { return t < s.timestamp; });
    out.erase(hi, out.end());
    out.erase(begin, lo);
  } catch (const ProtocolError& error) {
    throw_corrupt_chunk(series, keys, chunk, error.what());
  }
}

void decode_stored_head(std::string_view series, const SeriesKeys& keys, std::string_view head,
                        std::string_view last, Timestamp from, Timestamp to, std::vector<Sample>& out) {
  if (head.size() % kRecordBytes != 0) {
    throw_corrupt_head(series, keys, fmt::format("{} bytes is not a whole number of {}-byte records", head.size(),
                                                 kRecordBytes));
  }
  Timestamp previous = kMinTimestamp;
  for (std::size_t offset = 0; offset < head.size(); offset += kRecordBytes) {
    Timestamp timestamp = 0;
    std::memcpy(&timestamp, head.data() + offset, 8);
    if (timestamp < kMinTimestamp || timestamp > kMaxTimestamp || (offset > 0 && timestamp <= previous)) {
      throw_corrupt_head(series, keys,
                         offset == 0 || timestamp < kMinTimestamp || timestamp > kMaxTimestamp
                             ? fmt::format("record {} has timestamp {}, out of range", offset / kRecordBytes, timestamp)
                             : fmt::format("record {} has timestamp {} after {}", offset / kRecordBytes, timestamp,
                                           previous));
    }
    previous = timestamp;
  }
  const std::optional<Timestamp> newest = parse_last(last);
  if (!head.empty() && newest && previous != *newest) {
    throw_corrupt_head(series, keys,
                       fmt::format("its newest record is at {} but the series' newest sample at {}", previous, last));
  }
  decode_records(head, from, to, out);
}

void check_empty_head(std::string_view series, const SeriesKeys& keys, std::string_view last,
                      std::optional<Timestamp> newest_sealed) {
  const std::optional<Timestamp> newest = parse_last(last);
  if (newest && newest_sealed != newest) {
    throw_corrupt_head(series, keys,
                       fmt::format("it is missing or empty, but the series' newest sample at {} is not sealed", *newest));
  }
}

std::optional<Timestamp> parse_last(std::string_view last) {
  Timestamp value = 0;
  if (last.empty() || std::from_chars(last.data(), last.data() + last.size(), value).ec != std::errc()) {
    return std::nullopt;
  }
  return value;
}

void throw_corrupt_head(std::string_view series, const SeriesKeys& keys, std::string_view what) {
  throw ProtocolError(fmt::format("series \"{}\": head {} is corrupt: {}", series, keys.head, what));
}

}  // namespace redkit::ts::detail
