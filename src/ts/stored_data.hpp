// Reading a series' stored bytes back: sealed chunks are checked against the
// index entry and summary stored beside them, the head against its record
// format, and any failure becomes a ProtocolError that names the series and
// the key, so an operator knows what to inspect or delete. A chunk or head
// damaged in Redis (a bad restore, a stray SET, a flipped bit) is refused
// instead of being returned, or rewritten, as wrong samples.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ts/sample.hpp"
#include "ts/series_keys.hpp"

namespace redkit::ts::detail {

// A sealed chunk as a script returns it: its id, its first timestamp (its
// score in the chunk index), its packed summary (chunk_summary.hpp) and its
// bytes. The views point into the script's reply.
struct StoredChunk {
  std::string_view id{};
  Timestamp first = 0;
  std::string_view summary{};
  std::string_view bytes{};
};

// Reads the facts that ts_read, ts_stats and ts_chunk_get send beside chunk
// bytes: id, first timestamp, summary. Throws ProtocolError on a bad score.
Timestamp parse_first_timestamp(std::string_view score);

// Appends the samples of `chunk` with from <= timestamp <= to to `out`, after
// checking that its blocks agree with the index and summary: first
// timestamp, last timestamp, sample count, blocks in order. When [from, to]
// reaches into every block, so that the whole chunk is decoded anyway, the
// values are checked against the summary's min, max and sum too (a query
// that reads only some blocks of a chunk gets no value check: the codec has
// no checksum). Throws ProtocolError naming the series and the chunk's key
// (out may then hold part of the chunk).
void decode_stored_chunk(std::string_view series, const SeriesKeys& keys, const StoredChunk& chunk, Timestamp from,
                         Timestamp to, std::vector<Sample>& out);

// Appends the head's samples with from <= timestamp <= to to `out` after
// checking every record: whole records, timestamps strictly increasing and in
// range, finite values, and the newest equal to `last` (the series' newest
// timestamp as its metadata holds it) unless `last` is empty. Throws
// ProtocolError naming the series and the head's key.
void decode_stored_head(std::string_view series, const SeriesKeys& keys, std::string_view head,
                        std::string_view last, Timestamp from, Timestamp to, std::vector<Sample>& out);

// A head read empty while the series' newest sample (`last`, from its
// metadata) is not in its newest chunk (`newest_sealed`, the summary's last
// timestamp; nullopt without chunks) was lost: throws ProtocolError naming
// the series and the head's key. Call when the newest chunk was read.
void check_empty_head(std::string_view series, const SeriesKeys& keys, std::string_view last,
                      std::optional<Timestamp> newest_sealed);

// `last` as the metadata holds it; nullopt when empty or not a number.
std::optional<Timestamp> parse_last(std::string_view last);

// "series "NAME": head KEY is corrupt: WHAT", for checks made elsewhere.
[[noreturn]] void throw_corrupt_head(std::string_view series, const SeriesKeys& keys, std::string_view what);

}  // namespace redkit::ts::detail
