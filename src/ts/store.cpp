// Store: construction, series administration (create, alter, remove, info).
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "redkit/error.hpp"
#include "ts/head_records.hpp"
#include "ts/store_impl.hpp"
#include "ts/stored_data.hpp"
#include "ts/validation.hpp"

namespace redkit::ts {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

Timestamp parse_kept_from(const Reply& element) {
  if (element.is_integer()) {
    return element.as_integer();
  }
  if (element.is_string() && element.as_string().empty()) {
    return kMinTimestamp;
  }
  throw ProtocolError(fmt::format("time series: expected the oldest kept timestamp, got {}", element.to_display()));
}


Store::Impl::Impl(Client client_in, StoreOptions options_in)
    : client(std::move(client_in)),
      options(std::move(options_in)),
      index_prefix(detail::index_prefix(options.prefix)),
      series_set(detail::series_set_key(options.prefix)) {}

detail::SeriesKeys Store::Impl::keys(std::string_view name) const { return {options.prefix, name}; }

void Store::Impl::throw_not_found(std::string_view name) const {
  throw SeriesNotFound(fmt::format("time series '{}' does not exist", name));
}

void Store::Impl::throw_wrong_type(std::string_view name) const {
  const auto k = keys(name);
  const std::pair<const std::string*, const char*> expected[] = {
      {&k.meta, "hash"},     {&k.head, "string"},   {&k.chunks, "zset"},
      {&k.summary, "hash"},  {&k.labels, "hash"},   {&k.rules, "hash"},
      {&k.sketches, "zset"}};
  std::vector<Command> commands;
  for (const auto& [key, type] : expected) commands.push_back(Command::raw({"TYPE", *key}));
  const auto replies = client.execute(commands);
  std::string culprit = k.meta;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const std::string found = replies[i].is_status() ? replies[i].as_string() : "none";
    if (found != "none" && found != expected[i].second) {
      culprit = *expected[i].first;
      break;
    }
  }
  throw ReplyError(fmt::format("WRONGTYPE time series '{}': key '{}' holds a value of another type, not a time series",
                               name, culprit));
}

void Store::Impl::throw_series_error(std::string_view name, const ReplyError& error) const {
  if (error.code() == "NOSERIES") {
    throw_not_found(name);
  }
  if (error.code() == "WRONGTYPE") {
    throw_wrong_type(name);
  }
  if (error.code() == "CORRUPTHEAD") {
    detail::throw_corrupt_head(name, keys(name), "it is not a whole number of records");
  }
  throw error;
}

std::vector<Reply> Store::Impl::execute_sliced(std::span<const Command> commands, std::size_t per_round_trip) const {
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (std::size_t begin = 0; begin < commands.size(); begin += per_round_trip) {
    for (Reply& reply : client.execute(commands.subspan(begin, std::min(per_round_trip, commands.size() - begin)))) {
      replies.push_back(std::move(reply));
    }
  }
  return replies;
}

Reply Store::Impl::run(std::string_view name, const Command& command) const {
  try {
    return client.command(command);
  } catch (const ReplyError& error) {
    throw_series_error(name, error);
  }
}

bool Store::Impl::create(std::string_view name, const SeriesOptions& series, bool fail_if_exists) const {
  detail::validate_series_name(name);
  detail::validate_options(series);
  const auto k = keys(name);
  std::vector<std::string> args{std::string(name), std::to_string(series.retention.count()),
                                to_string(series.duplicate_policy), index_prefix,
                                fail_if_exists ? "fail" : "keep"};
  for (const auto& [label, value] : series.labels) {
    args.push_back(label);
    args.push_back(value);
  }
  try {
    return client.command(embedded_script(ScriptName::ts_create).call({k.meta, k.labels, series_set}, std::move(args)))
               .as_integer() == 1;
  } catch (const ReplyError& error) {
    if (error.code() == "EXISTS") {
      throw Error(fmt::format("time series '{}' already exists", name));
    }
    if (error.code() == "WRONGTYPE") {
      throw_wrong_type(name);
    }
    throw;
  }
}

Store::Store(Client client, StoreOptions options) {
  if (options.prefix.empty()) {
    throw InvalidArgument("key prefix is empty");
  }
  detail::validate_options(options.default_series);
  impl_ = std::make_unique<Impl>(std::move(client), std::move(options));
}

Store::~Store() = default;

const StoreOptions& Store::options() const noexcept { return impl_->options; }

void Store::create(std::string_view name, const SeriesOptions& options) { impl_->create(name, options, true); }

bool Store::create_if_missing(std::string_view name, const SeriesOptions& options) {
  return impl_->create(name, options, false);
}

void Store::alter(std::string_view name, const SeriesChanges& changes) {
  detail::validate_series_name(name);
  if (changes.retention && changes.retention->count() < 0) {
    throw InvalidArgument(fmt::format("retention {} ms is negative", changes.retention->count()));
  }
  detail::validate_policy(changes.duplicate_policy);
  if (changes.labels) {
    detail::validate_labels(*changes.labels);
  }
  const auto k = impl_->keys(name);
  std::vector<std::string> args{std::string(name), impl_->index_prefix,
                                changes.retention ? std::to_string(changes.retention->count()) : "",
                                changes.duplicate_policy ? to_string(*changes.duplicate_policy) : "",
                                changes.labels ? "1" : "0"};
  if (changes.labels) {
    for (const auto& [label, value] : *changes.labels) {
      args.push_back(label);
      args.push_back(value);
    }
  }
  impl_->run(name, embedded_script(ScriptName::ts_alter).call({k.meta, k.labels}, std::move(args)));
  if (changes.retention) {
    // A shorter retention frees the chunks it drops now, not at the next seal.
    while (impl_->client.command(embedded_script(ScriptName::ts_trim).call({k.meta, k.chunks, k.summary},
                                                               {std::to_string(limits::kTrimChunksPerCall)}))
               .as_integer() == limits::kTrimChunksPerCall) {
    }
  }
}

bool Store::remove(std::string_view name) {
  detail::validate_series_name(name);
  const auto k = impl_->keys(name);
  return impl_->run(name, embedded_script(ScriptName::ts_delete)
                              .call({k.meta, k.head, k.chunks, k.summary, k.labels, impl_->series_set, k.rules, k.sketches},
                                    {std::string(name), impl_->index_prefix, impl_->options.prefix}))
             .as_integer() == 1;
}

bool Store::exists(std::string_view name) const {
  detail::validate_series_name(name);
  // Someone else's key of another type at the metadata key is not a series.
  return impl_->client.command({"TYPE", impl_->keys(name).meta}).as_string() == "hash";
}

SeriesInfo Store::info(std::string_view name) const {
  detail::validate_series_name(name);
  const auto k = impl_->keys(name);
  return Impl::info_from(name, k, impl_->run(name, Impl::info_call(k)));
}

Command Store::Impl::info_call(const detail::SeriesKeys& k) {
  return embedded_script(ScriptName::ts_info)
      .call({k.meta, k.head, k.chunks, k.summary, k.labels, k.rules, k.sketches}, {});
}

SeriesInfo Store::Impl::info_from(std::string_view name, const detail::SeriesKeys& k, const Reply& reply) {
  // The reply's layout is documented in lua/ts_info.lua.
  const auto& parts = reply.as_array();
  SeriesInfo info;
  info.name = std::string(name);
  const auto& fields = parts.at(0).as_array();
  std::string last;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& field = fields[i].as_string();
    const std::string& value = fields[i + 1].as_string();
    if (field == "last") {
      last = value;
    } else if (field == "ret") {
      info.retention = std::chrono::milliseconds(
          fields[i + 1].integer_field(fmt::format("time series '{}': metadata field '{}'", name, field)));
    } else if (field == "dup") {
      info.duplicate_policy = parse_duplicate_policy(value);
    } else if (field == "src") {
      info.source = value;
    }
  }
  const auto head_bytes = static_cast<std::uint64_t>(parts.at(1).as_integer());
  if (head_bytes % detail::kRecordBytes != 0) {
    detail::throw_corrupt_head(name, k, fmt::format("{} bytes is not a whole number of records", head_bytes));
  }
  info.memory_bytes = static_cast<std::uint64_t>(parts.at(2).as_integer());
  const auto& labels = parts.at(3).as_array();
  for (std::size_t i = 0; i + 1 < labels.size(); i += 2) {
    info.labels.emplace(labels[i].as_string(), labels[i + 1].as_string());
  }
  info.rules = parse_rules(parts.at(4).as_array());

  // Counts cover what a read returns: chunks wholly kept by their
  // summaries, the straddling chunk decoded here, and the kept head records.
  const Timestamp kept_from = parse_kept_from(parts.at(5));
  info.samples = static_cast<std::uint64_t>(parts.at(6).as_integer());
  info.chunks = static_cast<std::uint64_t>(parts.at(7).as_integer());
  std::optional<Timestamp> first_whole;
  if (!parts.at(8).as_string().empty()) {
    first_whole = detail::parse_first_timestamp(parts.at(8).as_string());  // an index score
  }
  const auto head_kept = static_cast<std::uint64_t>(parts.at(9).as_integer());
  const auto& straddling = parts.at(11).as_array();
  if (!straddling.empty()) {
    std::vector<Sample> kept;
    const detail::StoredChunk chunk{.id = straddling.at(0).as_string(),
                                    .first = detail::parse_first_timestamp(straddling.at(1).as_string()),
                                    .summary = straddling.at(2).as_string(),
                                    .bytes = parts.at(12).as_string()};
    detail::decode_stored_chunk(name, k, chunk, kept_from, kLatest, kept);
    if (!kept.empty()) {
      info.samples += kept.size();
      info.chunks += 1;
      info.first_timestamp = kept.front().timestamp;
    }
  }
  if (!info.first_timestamp) {
    info.first_timestamp = first_whole;
  }
  if (!info.first_timestamp && head_kept > 0) {
    info.first_timestamp = parts.at(10).as_integer();
  }
  info.samples += head_kept;
  if (info.samples > 0) {
    info.last_timestamp = detail::parse_last(last);
  } else {
    info.first_timestamp.reset();
  }
  return info;
}

}  // namespace redkit::ts
