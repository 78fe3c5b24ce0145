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
      {&k.summary, "hash"},  {&k.labels, "hash"},   {&k.rules, "hash"}};
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

Reply Store::Impl::run(std::string_view name, const Command& command) const {
  try {
    return client.command(command);
  } catch (const ReplyError& error) {
    if (error.code() == "NOSERIES") {
      throw_not_found(name);
    }
    if (error.code() == "WRONGTYPE") {
      throw_wrong_type(name);
    }
    if (error.code() == "CORRUPTHEAD") {
      detail::throw_corrupt_head(name, keys(name), "it is not a whole number of records");
    }
    throw;
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
    return client.command(embedded_script("ts_create").call({k.meta, k.labels, series_set}, std::move(args)))
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
  impl_->run(name, embedded_script("ts_alter").call({k.meta, k.labels}, std::move(args)));
}

bool Store::remove(std::string_view name) {
  detail::validate_series_name(name);
  const auto k = impl_->keys(name);
  return impl_->run(name, embedded_script("ts_delete")
                              .call({k.meta, k.head, k.chunks, k.summary, k.labels, impl_->series_set, k.rules},
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
  const Reply reply =
      impl_->run(name, embedded_script("ts_info").call({k.meta, k.head, k.chunks, k.summary, k.labels, k.rules}, {}));
  const auto& parts = reply.as_array();
  SeriesInfo info;
  info.name = std::string(name);
  const auto& fields = parts.at(0).as_array();
  std::uint64_t sealed = 0;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& field = fields[i].as_string();
    const std::string& value = fields[i + 1].as_string();
    if (field == "sealed") {
      sealed = std::stoull(value);
    } else if (field == "first") {
      info.first_timestamp = std::stoll(value);
    } else if (field == "last") {
      info.last_timestamp = std::stoll(value);
    } else if (field == "ret") {
      info.retention = std::chrono::milliseconds(std::stoll(value));
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
  info.samples = sealed + head_bytes / detail::kRecordBytes;
  info.chunks = static_cast<std::uint64_t>(parts.at(2).as_integer());
  info.memory_bytes = static_cast<std::uint64_t>(parts.at(3).as_integer());
  const auto& labels = parts.at(4).as_array();
  for (std::size_t i = 0; i + 1 < labels.size(); i += 2) {
    info.labels.emplace(labels[i].as_string(), labels[i + 1].as_string());
  }
  info.rules = parse_rules(parts.at(5).as_array());
  return info;
}

}  // namespace redkit::ts
