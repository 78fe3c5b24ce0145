#include "ts/page_snapshot.hpp"

#include <charconv>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::ts::detail {
namespace {

std::optional<long long> number(const std::string& text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// kept_from of lua/lib/ts_bounds.lua: the newest sample minus the
// retention, never below the stored floor; nullopt when everything is kept.
std::optional<long long> kept_from(const PageState& state) {
  const auto floor = number(state.floor);
  const auto last = number(state.last);
  const auto retention = number(state.retention);
  if (retention && *retention > 0 && last) {
    const long long by_retention = *last - *retention;
    if (!floor || by_retention > *floor) {
      return by_retention;
    }
  }
  return floor;
}

std::string text_or_empty(const Reply& reply) { return reply.is_nil() ? std::string() : reply.as_string(); }

std::string take_or_empty(Reply& reply) { return reply.is_nil() ? std::string() : std::move(reply).take_string(); }

// A chunk index entry list (WITHSCORES) as id, score pairs.
void add_entries(const Reply& entries, std::vector<std::pair<std::string, std::string>>& out) {
  const ReplyArray& items = entries.as_array();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    out.emplace_back(items[i].as_string(), items[i + 1].as_string());
  }
}

}  // namespace

std::vector<Command> page_state_commands(const SeriesKeys& keys, Timestamp lo, Timestamp hi, std::size_t limit) {
  std::vector<Command> commands;
  commands.reserve(kPageStateReplies);
  commands.push_back(Command::keyless({"MULTI"}));
  commands.push_back(std::move(Command("HMGET").key(keys.meta).arg("v").arg("last").arg("ret").arg("floor").arg("gen").arg("nrules")));
  // The chunk holding lo, then those starting in (lo, hi], as ts_read asks.
  commands.push_back(std::move(Command("ZREVRANGEBYSCORE")
                                   .key(keys.chunks)
                                   .arg(static_cast<long long>(lo))
                                   .arg("-inf")
                                   .arg("WITHSCORES")
                                   .arg("LIMIT")
                                   .arg("0")
                                   .arg("1")));
  commands.push_back(std::move(Command("ZRANGEBYSCORE")
                                   .key(keys.chunks)
                                   .arg(fmt::format("({}", lo))
                                   .arg(static_cast<long long>(hi))
                                   .arg("WITHSCORES")
                                   .arg("LIMIT")
                                   .arg("0")
                                   .arg(static_cast<unsigned long long>(limit))));
  commands.push_back(std::move(Command("GET").key(keys.head)));
  commands.push_back(Command::keyless({"EXEC"}));
  return commands;
}

PageState parse_page_state(Reply&& exec, std::size_t limit) {
  PageState state;
  if (exec.is_error()) {
    state.error = exec.error_message();
    return state;
  }
  ReplyArray& results = exec.as_array();
  for (const Reply& result : results) {
    if (result.is_error()) {
      state.error = result.error_message();
      return state;
    }
  }
  const ReplyArray& meta = results.at(0).as_array();
  if (meta.at(0).is_nil()) {
    state.error = "NOSERIES no such series";
    return state;
  }
  state.last = text_or_empty(meta.at(1));
  state.retention = text_or_empty(meta.at(2));
  state.floor = text_or_empty(meta.at(3));
  state.gen = text_or_empty(meta.at(4));
  state.has_rules = !meta.at(5).is_nil() && meta.at(5).as_string() != "0";
  add_entries(results.at(1), state.chunks);
  const std::size_t holders = state.chunks.size();
  add_entries(results.at(2), state.chunks);
  state.more = state.chunks.size() - holders == limit;
  if (!state.more) {
    state.head = take_or_empty(results.at(3));
  }
  return state;
}

std::vector<Command> page_chunk_commands(const SeriesKeys& keys, const PageState& state) {
  if (state.error || state.chunks.empty()) {
    return {};
  }
  Command summaries("HMGET");
  summaries.key(keys.summary);
  Command bytes("MGET");
  for (const auto& [id, first] : state.chunks) {
    summaries.arg(id);
    bytes.key(keys.chunk(id));
  }
  // No transaction is needed: chunks are only ever extended (which moves
  // 'gen') or deleted, never changed in place, and 'gen' never comes back
  // to a value it had. So a 'gen' read after the chunks that still equals
  // the first transaction's proves no chunk grew since; a chunk rewritten or
  // trimmed since reads as missing.
  std::vector<Command> commands;
  commands.reserve(kPageChunkReplies);
  commands.push_back(std::move(summaries));
  commands.push_back(std::move(bytes));
  commands.push_back(std::move(Command("HGET").key(keys.meta).arg("gen")));
  return commands;
}

std::optional<Reply> page_from(PageState&& state, std::span<Reply> chunk_replies) {
  if (state.error) {
    return Reply::make_error(*state.error);
  }
  std::vector<Reply> facts;
  std::vector<Reply> page;
  page.push_back(Reply::make_string(state.last));
  const auto kept = kept_from(state);
  page.push_back(kept ? Reply::make_integer(*kept) : Reply::make_string(""));
  page.push_back(Reply::make_integer(state.more ? 1 : 0));
  page.push_back(Reply::make_string(std::move(state.head)));
  if (!state.chunks.empty()) {
    if (chunk_replies.size() != kPageChunkReplies) {
      return std::nullopt;
    }
    for (const Reply& reply : chunk_replies) {
      if (reply.is_error()) {
        return std::nullopt;  // the script reads it, and reports what is wrong
      }
    }
    if (text_or_empty(chunk_replies[2]) != state.gen) {
      return std::nullopt;  // sealed or appended to meanwhile, or deleted
    }
    const ReplyArray& summaries = chunk_replies[0].as_array();
    ReplyArray& bytes = chunk_replies[1].as_array();
    if (summaries.size() != state.chunks.size() || bytes.size() != state.chunks.size()) {
      throw ProtocolError("time-series read: chunk replies do not match the chunks asked for");
    }
    for (std::size_t i = 0; i < state.chunks.size(); ++i) {
      if (bytes[i].is_nil()) {
        return std::nullopt;  // rewritten or trimmed meanwhile
      }
      facts.push_back(Reply::make_string(std::move(state.chunks[i].first)));
      facts.push_back(Reply::make_string(std::move(state.chunks[i].second)));
      facts.push_back(Reply::make_string(text_or_empty(summaries[i])));
    }
    page.push_back(Reply::make_array(std::move(facts)));
    for (std::size_t i = 0; i < state.chunks.size(); ++i) {
      page.push_back(std::move(bytes[i]));
    }
  } else {
    page.push_back(Reply::make_array({}));
  }
  return Reply::make_array(std::move(page));
}

}  // namespace redkit::ts::detail
