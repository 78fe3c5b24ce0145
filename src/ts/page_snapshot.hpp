// The first forward page of a range read (what lua/ts_read.lua answers)
// built from plain commands instead of the script, for reads across many
// series: the server runs native commands several times faster than the
// same reads from a script.
//
// Two rounds per series. The first, a transaction (MULTI ... EXEC), reads
// the metadata, the chunk index entries the window needs and the head at
// one instant. The second reads those chunks and their summaries, then the
// metadata's 'gen' again: a seal or bulk append in between changes 'gen'
// (the head's records may then sit in a chunk as well), and a chunk rewrite
// or trim removes the chunk's key (ids are never reused within a series,
// and 'gen' never repeats across series of the same name), so either shows
// and the page is then read by the script instead. What the two agree on is
// exactly what ts_read would have answered at the first instant, except
// that chunks wholly before what retention keeps may come along (the client
// skips their samples).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "redkit/command.hpp"
#include "redkit/reply.hpp"
#include "ts/sample.hpp"
#include "ts/series_keys.hpp"

namespace redkit::ts::detail {

// The first transaction: MULTI, the reads, EXEC (replies: OK, QUEUED..., the
// EXEC array).
std::vector<Command> page_state_commands(const SeriesKeys& keys, Timestamp lo, Timestamp hi, std::size_t limit);
inline constexpr std::size_t kPageStateReplies = 6;

// What the first transaction saw.
struct PageState {
  // Set when the reads failed: the error to report as ts_read would
  // (NOSERIES for a missing series, WRONGTYPE, ...).
  std::optional<std::string> error{};
  std::string last{};
  std::string retention{};
  std::string floor{};
  std::string gen{};
  bool has_rules = false;  // compaction rules read from the series
  std::string head{};
  // Chunks the window needs, oldest first: id, first timestamp.
  std::vector<std::pair<std::string, std::string>> chunks{};
  bool more = false;
};
// From the EXEC reply of the first transaction (its last reply), whose
// strings it takes.
PageState parse_page_state(Reply&& exec, std::size_t limit);

// The second round's reads (the chunks, their summaries, then 'gen'), or
// none when the state needs no chunk.
std::vector<Command> page_chunk_commands(const SeriesKeys& keys, const PageState& state);
inline constexpr std::size_t kPageChunkReplies = 3;

// The page shaped as ts_read's reply (an error reply for a failed read); or
// nullopt when the series changed between the rounds, so the page must be
// read by the script. `chunk_replies`: the second round's replies (its
// chunks are taken), empty when there was none.
std::optional<Reply> page_from(PageState&& state, std::span<Reply> chunk_replies);

}  // namespace redkit::ts::detail
