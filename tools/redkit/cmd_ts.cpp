// `redkit ts create | alter | add | import | range | revrange | mrange | mget | get |
// info | rule add|list|del | preset retention | del`: the time-series store
// from the shell.
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "csv_samples.hpp"
#include "option_args.hpp"
#include "redkit/client.hpp"
#include "redkit/duration.hpp"
#include "redkit/error.hpp"
#include "redkit/time_series.hpp"
#include "usage_error.hpp"

namespace redkit::cli {
namespace {

struct SeriesArgs {
  std::string name;
  std::string retention;
  std::string labels;
  std::string duplicate_policy;
};

struct AddArgs {
  std::string name;
  std::string timestamp;
  std::string value;
  std::string on_duplicate;
};

struct ImportArgs {
  std::string name;
  std::string file;
  std::size_t batch = 10'000;
};

struct RangeArgs {
  std::string name;
  std::string from = "-";
  std::string to = "+";
  std::string aggregation;
  std::string bucket;
  std::string align;
  bool empty = false;
  std::string bucket_timestamp;
  std::string count;
  std::string min_value;
  std::string max_value;
  std::vector<std::string> filter_by_ts;
  bool latest = false;
};

struct RuleArgs {
  std::string source;
  std::string destination;
  std::string aggregation;
  std::string bucket;
  std::string align;
};

struct MultiRangeArgs {
  RangeArgs range;
  std::vector<std::string> filters;
  std::string labels = "all";
  std::string group_by;
  std::string reducer = "sum";
};

struct GetArgs {
  std::string name;
  bool open_bucket = false;
};

struct DeleteArgs {
  std::string name;
  std::string from;
  std::string to;
};

ts::Store make_store(const GlobalOptions& global) {
  return ts::Store(Client(ClientOptions{.connection = global.connection(), .pool = {}}));
}

// A mistyped option value is a usage error (exit 2), like a bad duration.
ts::DuplicatePolicy policy_option(const std::string& text, std::string_view option) {
  try {
    return ts::parse_duplicate_policy(text);
  } catch (const InvalidArgument& e) {
    throw UsageError(fmt::format("{}: {}", option, e.what()));
  }
}


// "k=v,k2=v2"
ts::Labels labels_argument(const std::string& text) {
  ts::Labels labels;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string pair = text.substr(start, end - start);
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw UsageError(fmt::format("--labels: '{}' is not name=value", pair));
    }
    labels[pair.substr(0, equals)] = pair.substr(equals + 1);
    start = end + 1;
  }
  return labels;
}

std::string value_text(double value) { return fmt::format("{}", value); }

nlohmann::json number_json(double value) {
  if (std::isnan(value)) return nullptr;
  return value;
}

void print_samples(const GlobalOptions& global, const std::vector<ts::Sample>& samples) {
  if (global.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const ts::Sample& sample : samples) out.push_back({sample.timestamp, number_json(sample.value)});
    fmt::print("{}\n", out.dump());
    return;
  }
  std::string text;
  for (const ts::Sample& sample : samples) text += fmt::format("{} {}\n", sample.timestamp, value_text(sample.value));
  std::fwrite(text.data(), 1, text.size(), stdout);
}

nlohmann::json to_json(const ts::CompactionRule& rule);

ts::SeriesOptions series_options(const SeriesArgs& args) {
  ts::SeriesOptions options;
  if (!args.retention.empty()) options.retention = duration_option(args.retention, "--retention");
  if (!args.labels.empty()) options.labels = labels_argument(args.labels);
  if (!args.duplicate_policy.empty()) {
    options.duplicate_policy = policy_option(args.duplicate_policy, "--duplicate-policy");
  }
  return options;
}

void run_create(const GlobalOptions& global, const SeriesArgs& args) {
  const ts::SeriesOptions options = series_options(args);
  make_store(global).create(args.name, options);
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"name", args.name}, {"created", true}}.dump());
  } else {
    fmt::print("created {}\n", args.name);
  }
}

void run_alter(const GlobalOptions& global, const SeriesArgs& args) {
  ts::SeriesChanges changes;
  if (!args.retention.empty()) changes.retention = duration_option(args.retention, "--retention");
  if (!args.labels.empty()) changes.labels = labels_argument(args.labels);
  if (!args.duplicate_policy.empty()) {
    changes.duplicate_policy = policy_option(args.duplicate_policy, "--duplicate-policy");
  }
  if (!changes.retention && !changes.labels && !changes.duplicate_policy) {
    throw UsageError("ts alter: nothing to change; give --retention, --labels or --duplicate-policy");
  }
  make_store(global).alter(args.name, changes);
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"name", args.name}, {"altered", true}}.dump());
  } else {
    fmt::print("altered {}\n", args.name);
  }
}

void run_add(const GlobalOptions& global, const AddArgs& args) {
  const double value = number_argument(args.value, "value");
  std::optional<ts::DuplicatePolicy> on_duplicate;
  if (!args.on_duplicate.empty()) on_duplicate = policy_option(args.on_duplicate, "--on-duplicate");
  ts::Store store = make_store(global);
  ts::Timestamp timestamp = 0;
  if (args.timestamp == "*") {
    timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  } else {
    timestamp = timestamp_argument(args.timestamp, "timestamp");
    if (timestamp == ts::kEarliest || timestamp == ts::kLatest) {
      throw UsageError(fmt::format("timestamp '{}': give Unix milliseconds or '*'", args.timestamp));
    }
  }
  store.add(args.name, timestamp, value, on_duplicate);
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"name", args.name}, {"timestamp", timestamp}, {"value", value}}.dump());
  } else {
    fmt::print("{}\n", timestamp);
  }
}

void run_import(const GlobalOptions& global, const ImportArgs& args) {
  std::ifstream file;
  std::istream* in = &std::cin;
  std::vector<ts::Sample> batch;
  std::size_t line_number = 0;
  if (args.file != "-") {
    file.open(args.file);
    if (!file) throw Error(fmt::format("cannot open '{}' for reading", args.file));
    // A file is checked whole before anything is stored, so a bad line
    // leaves the series untouched; standard input is streamed.
    while (read_csv_batch(file, args.batch, batch, line_number)) {
    }
    file.clear();
    file.seekg(0);
    line_number = 0;
    in = &file;
  }
  ts::Store store = make_store(global);
  const bool progress = isatty(STDERR_FILENO) == 1 && !global.json();
  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  std::uint64_t imported = 0;
  auto rate = [&] {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return seconds > 0 ? static_cast<double>(imported) / seconds : 0.0;
  };
  bool more = true;
  while (more) {
    more = read_csv_batch(*in, args.batch, batch, line_number);
    store.add_many(args.name, batch);
    imported += batch.size();
    const auto now = std::chrono::steady_clock::now();
    if (progress && now - last_report > std::chrono::milliseconds(250)) {
      fmt::print(stderr, "\rimported {} samples ({:.0f}/s)", imported, rate());
      last_report = now;
    }
  }
  if (progress) fmt::print(stderr, "\r\033[K");
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"name", args.name}, {"imported", imported}, {"lines", line_number}}.dump());
  } else {
    fmt::print("imported {} samples into {} ({:.0f} samples/s)\n", imported, args.name, rate());
  }
}

ts::RangeOptions range_options(const RangeArgs& args) {
  ts::RangeOptions query;
  query.from = timestamp_argument(args.from, "FROM");
  query.to = timestamp_argument(args.to, "TO");
  if (!args.count.empty()) {
    std::size_t count = 0;
    const auto [end, error] = std::from_chars(args.count.data(), args.count.data() + args.count.size(), count);
    if (error != std::errc() || end != args.count.data() + args.count.size()) {
      throw UsageError(fmt::format("--count: '{}' is not a whole number", args.count));
    }
    query.count = count;
  }
  if (!args.min_value.empty()) query.min_value = number_argument(args.min_value, "--min");
  if (!args.max_value.empty()) query.max_value = number_argument(args.max_value, "--max");
  // "--filter-by-ts 1000,2000 --filter-by-ts 3000": the union.
  for (const std::string& list : args.filter_by_ts) {
    for (std::size_t start = 0; start <= list.size();) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      const std::string one = list.substr(start, comma - start);
      if (one == "-" || one == "+") {
        throw UsageError(fmt::format("--filter-by-ts: '{}' is not a Unix timestamp in milliseconds", one));
      }
      query.timestamps.push_back(timestamp_argument(one, "--filter-by-ts"));
      start = comma + 1;
    }
  }
  query.latest = args.latest;
  if (!args.bucket_timestamp.empty() && args.aggregation.empty()) {
    throw UsageError("--bucket-timestamp goes with --agg and --bucket");
  }
  if (!args.aggregation.empty() || !args.bucket.empty()) {
    if (args.aggregation.empty() || args.bucket.empty()) {
      throw UsageError("--agg and --bucket go together");
    }
    ts::Aggregation aggregation;
    aggregation_option(args.aggregation, "--agg", aggregation);
    aggregation.bucket = duration_option(args.bucket, "--bucket");
    if (aggregation.bucket.count() == 0) throw UsageError(fmt::format("--bucket: '{}' must be positive", args.bucket));
    if (!args.align.empty()) aggregation.align = timestamp_argument(args.align, "--align");
    aggregation.empty_buckets = args.empty;
    if (!args.bucket_timestamp.empty()) {
      try {
        aggregation.bucket_timestamp = ts::parse_bucket_timestamp(args.bucket_timestamp);
      } catch (const InvalidArgument& e) {
        throw UsageError(fmt::format("--bucket-timestamp: {}", e.what()));
      }
    }
    query.aggregation = aggregation;
  }
  return query;
}

void run_range(const GlobalOptions& global, const RangeArgs& args, bool reverse) {
  const ts::RangeOptions query = range_options(args);
  ts::Store store = make_store(global);
  print_samples(global, reverse ? store.reverse_range(args.name, query) : store.range(args.name, query));
}

// --labels: all, none, or the names to read, comma-separated.
ts::LabelSelection label_selection(const std::string& text) {
  if (text == "all") return ts::LabelSelection::all();
  if (text == "none") return ts::LabelSelection::none();
  std::vector<std::string> names;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    names.push_back(text.substr(start, comma - start));
    if (names.back().empty()) {
      throw UsageError(fmt::format("--labels '{}': an empty label name (give all, none or names like host,dc)", text));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return ts::LabelSelection::only(std::move(names));
}

nlohmann::json labels_json(const ts::Labels& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : labels) out[key] = value;
  return out;
}

std::string labels_text(const ts::Labels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) out += fmt::format("{}{}={}", out.empty() ? "" : ",", key, value);
  return out;
}

void run_mget(const GlobalOptions& global, const std::vector<std::string>& filters, const std::string& labels) {
  const auto series = make_store(global).mget(filters, label_selection(labels));
  if (global.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& one : series) {
      nlohmann::json sample = nullptr;
      if (!one.samples.empty()) sample = {one.samples.front().timestamp, number_json(one.samples.front().value)};
      out.push_back({{"name", one.name}, {"labels", labels_json(one.labels)}, {"sample", sample}});
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  for (const auto& one : series) {
    const std::string sample = one.samples.empty() ? "-" : fmt::format("{} {}", one.samples.front().timestamp,
                                                                        value_text(one.samples.front().value));
    const std::string text = labels_text(one.labels);
    fmt::print("{} {}{}{}\n", one.name, sample, text.empty() ? "" : " ", text);
  }
}

void run_mrange(const GlobalOptions& global, const MultiRangeArgs& args) {
  const ts::RangeOptions query = range_options(args.range);
  std::optional<ts::GroupBy> group_by;
  if (!args.group_by.empty()) {
    group_by = ts::GroupBy{.label = args.group_by, .reducer = aggregator_option(args.reducer, "--reduce")};
  }
  const auto series = make_store(global).mrange(args.filters, query, group_by, label_selection(args.labels));
  if (global.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& one : series) {
      nlohmann::json samples = nlohmann::json::array();
      for (const auto& sample : one.samples) samples.push_back({sample.timestamp, number_json(sample.value)});
      out.push_back({{"name", one.name}, {"labels", labels_json(one.labels)}, {"samples", samples}});
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  for (const auto& one : series) {
    fmt::print("{}\n", one.name);
    for (const auto& sample : one.samples) fmt::print("  {} {}\n", sample.timestamp, value_text(sample.value));
  }
}

void run_get(const GlobalOptions& global, const GetArgs& args) {
  const std::string& name = args.name;
  std::optional<ts::Sample> latest;
  if (args.open_bucket) {
    const auto newest = make_store(global).reverse_range(name, {.count = 1, .latest = true});
    if (!newest.empty()) latest = newest.front();
  } else {
    latest = make_store(global).latest(name);
  }
  if (global.json()) {
    fmt::print("{}\n", latest ? nlohmann::json{latest->timestamp, number_json(latest->value)}.dump() : "null");
  } else if (latest) {
    fmt::print("{} {}\n", latest->timestamp, value_text(latest->value));
  } else {
    fmt::print("{}: no samples\n", name);
  }
}

nlohmann::json usage_json(const ts::StorageUsage& usage) {
  return {{"series", usage.series}, {"samples", usage.samples}, {"memory_bytes", usage.memory_bytes}};
}

std::string bytes_per_sample(const ts::StorageUsage& usage) {
  return usage.samples == 0
             ? "-"
             : fmt::format("{:.2f}", static_cast<double>(usage.memory_bytes) / static_cast<double>(usage.samples));
}

void run_stats(const GlobalOptions& global, const std::string& label, std::size_t top) {
  const ts::StorageStats stats = make_store(global).storage_stats(label, top);
  if (global.json()) {
    nlohmann::json out = usage_json(stats.total);
    nlohmann::json largest = nlohmann::json::array();
    for (const auto& info : stats.largest) {
      largest.push_back({{"name", info.name}, {"samples", info.samples}, {"memory_bytes", info.memory_bytes}});
    }
    out["largest"] = std::move(largest);
    if (!label.empty()) {
      nlohmann::json groups = nlohmann::json::object();
      for (const auto& [value, usage] : stats.by_label) groups[value] = usage_json(usage);
      out["by"] = {{"label", label}, {"groups", std::move(groups)}};
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("{} series, {} samples, {} bytes ({} B/sample)\n", stats.total.series, stats.total.samples,
             stats.total.memory_bytes, bytes_per_sample(stats.total));
  if (!label.empty()) {
    fmt::print("by {}:\n", label);
    for (const auto& [value, usage] : stats.by_label) {
      fmt::print("  {}  {} series, {} samples, {} bytes ({} B/sample)\n", value.empty() ? "(none)" : value,
                 usage.series, usage.samples, usage.memory_bytes, bytes_per_sample(usage));
    }
  }
  if (!stats.largest.empty()) fmt::print("largest:\n");
  for (const auto& info : stats.largest) {
    fmt::print("  {}  {} samples, {} bytes\n", info.name, info.samples, info.memory_bytes);
  }
}

void run_info(const GlobalOptions& global, const std::string& name) {
  const ts::SeriesInfo info = make_store(global).info(name);
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [key, value] : info.labels) labels[key] = value;
  if (global.json()) {
    nlohmann::json out = {{"name", info.name},
                          {"samples", info.samples},
                          {"chunks", info.chunks},
                          {"memory_bytes", info.memory_bytes},
                          {"first_timestamp", nullptr},
                          {"last_timestamp", nullptr},
                          {"retention_ms", info.retention.count()},
                          {"duplicate_policy", ts::to_string(info.duplicate_policy)},
                          {"labels", labels}};
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& rule : info.rules) rules.push_back(to_json(rule));
    out["rules"] = rules;
    out["source"] = info.source ? nlohmann::json(*info.source) : nlohmann::json(nullptr);
    if (info.first_timestamp) out["first_timestamp"] = *info.first_timestamp;
    if (info.last_timestamp) out["last_timestamp"] = *info.last_timestamp;
    fmt::print("{}\n", out.dump());
    return;
  }
  std::string label_text;
  for (const auto& [key, value] : info.labels) label_text += fmt::format("{}{}={}", label_text.empty() ? "" : ",", key, value);
  const double per_sample =
      info.samples == 0 ? 0.0 : static_cast<double>(info.memory_bytes) / static_cast<double>(info.samples);
  fmt::print(
      "name              {}\nsamples           {}\nfirst timestamp   {}\nlast timestamp    {}\nchunks            {}\n"
      "memory            {} bytes ({:.2f} per sample)\nretention         {}\nduplicate policy  {}\nlabels            {}\n",
      info.name, info.samples, info.first_timestamp ? std::to_string(*info.first_timestamp) : "-",
      info.last_timestamp ? std::to_string(*info.last_timestamp) : "-", info.chunks, info.memory_bytes, per_sample,
      info.retention.count() == 0 ? "none" : format_duration(info.retention), ts::to_string(info.duplicate_policy),
      label_text.empty() ? "-" : label_text);
  if (info.source) fmt::print("source            {}\n", *info.source);
  for (const auto& rule : info.rules) {
    fmt::print("rule              -> {} ({} {})\n", rule.destination, ts::aggregator_name(rule.aggregation),
               format_duration(rule.aggregation.bucket));
  }
}

void run_delete(const GlobalOptions& global, const DeleteArgs& args) {
  ts::Store store = make_store(global);
  if (args.from.empty() && args.to.empty()) {
    const bool removed = store.remove(args.name);
    if (!removed) throw Error(fmt::format("time series '{}' does not exist", args.name));
    if (global.json()) {
      fmt::print("{}\n", nlohmann::json{{"name", args.name}, {"deleted", true}}.dump());
    } else {
      fmt::print("deleted {}\n", args.name);
    }
    return;
  }
  if (args.from.empty() || args.to.empty()) throw UsageError("ts del: give both FROM and TO, or neither");
  const auto deleted = store.delete_range(args.name, timestamp_argument(args.from, "FROM"),
                                          timestamp_argument(args.to, "TO"));
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"name", args.name}, {"samples_deleted", deleted}}.dump());
  } else {
    fmt::print("deleted {} samples from {}\n", deleted, args.name);
  }
}

nlohmann::json to_json(const ts::CompactionRule& rule) {
  return {{"destination", rule.destination},
          {"aggregation", ts::aggregator_name(rule.aggregation)},
          {"bucket_ms", rule.aggregation.bucket.count()},
          {"align", rule.aggregation.align}};
}

void run_rule_add(const GlobalOptions& global, const RuleArgs& args) {
  ts::Aggregation aggregation;
  aggregation_option(args.aggregation, "--agg", aggregation);
  aggregation.bucket = duration_option(args.bucket, "--bucket");
  if (aggregation.bucket.count() == 0) throw UsageError(fmt::format("--bucket: '{}' must be positive", args.bucket));
  if (!args.align.empty()) aggregation.align = timestamp_argument(args.align, "--align");
  make_store(global).create_rule(args.source, args.destination, aggregation);
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"source", args.source}, {"rule", to_json({args.destination, aggregation})}}.dump());
  } else {
    fmt::print("rule {} -> {}: {} over {}\n", args.source, args.destination, ts::aggregator_name(aggregation),
               format_duration(aggregation.bucket));
  }
}

// Progress on stderr (a line per slice) so stdout stays the result.
void run_rule_backfill(const GlobalOptions& global, const RuleArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  const ts::RuleBackfill done =
      make_store(global).backfill_rule(args.source, args.destination, [&](const ts::RuleBackfill& at) {
        const double span = static_cast<double>(at.to - at.from);
        fmt::print(stderr, "backfill {} -> {}: {} buckets, {:.0f}% of [{}, {})\n", args.source, args.destination,
                   at.buckets, span > 0 ? 100.0 * static_cast<double>(at.to - at.done_from) / span : 100.0, at.from,
                   at.to);
      });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"source", args.source},
                                      {"destination", args.destination},
                                      {"from", done.from},
                                      {"to", done.to},
                                      {"buckets", done.buckets},
                                      {"seconds", seconds}}
                           .dump());
  } else if (done.from == done.to) {
    fmt::print("backfill {} -> {}: nothing to fill (the rule covers every stored sample)\n", args.source,
               args.destination);
  } else {
    fmt::print("backfill {} -> {}: {} buckets in [{}, {}) in {:.2f} s\n", args.source, args.destination, done.buckets,
               done.from, done.to, seconds);
  }
}

void run_rule_list(const GlobalOptions& global, const std::string& source) {
  const auto rules = make_store(global).rules(source);
  if (global.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& rule : rules) out.push_back(to_json(rule));
    fmt::print("{}\n", out.dump());
    return;
  }
  if (rules.empty()) fmt::print("{}: no rules\n", source);
  for (const auto& rule : rules) {
    fmt::print("{} -> {}  {} {}{}\n", source, rule.destination, ts::aggregator_name(rule.aggregation),
               format_duration(rule.aggregation.bucket),
               rule.aggregation.align == 0 ? "" : fmt::format(" align {}", rule.aggregation.align));
  }
}

void run_rule_delete(const GlobalOptions& global, const RuleArgs& args) {
  const bool deleted = make_store(global).delete_rule(args.source, args.destination);
  if (!deleted) throw Error(fmt::format("no compaction rule from '{}' to '{}'", args.source, args.destination));
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"source", args.source}, {"destination", args.destination}, {"deleted", true}}.dump());
  } else {
    fmt::print("deleted rule {} -> {}\n", args.source, args.destination);
  }
}

void run_preset_retention(const GlobalOptions& global, const std::string& name, const std::string& aggregation,
                          bool chained) {
  ts::Aggregation parsed;
  aggregation_option(aggregation, "--agg", parsed);
  const auto destinations = make_store(global).apply_retention_preset(
      name, ts::RetentionPreset{.aggregator = parsed.aggregator, .quantile = parsed.quantile, .chained = chained});
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"name", name}, {"destinations", destinations}, {"chained", chained}}.dump());
    return;
  }
  fmt::print("{}: raw samples kept {}\n", name, format_duration(ts::kPresetRawRetention));
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    fmt::print("  -> {} ({}, kept {}, from {})\n", destinations[i], ts::aggregator_name(parsed),
               format_duration(ts::kRetentionPresetLevels[i].retention),
               chained && i > 0 ? destinations[i - 1] : name);
  }
}

void add_series_options(CLI::App* command, SeriesArgs& args) {
  command->add_option("name", args.name, "Series name")->required();
  command->add_option("--retention", args.retention, "Keep samples this long before the newest (24h, 7d; 0: forever)");
  command->add_option("--labels", args.labels, "Labels: name=value,name=value");
  command->add_option("--duplicate-policy", args.duplicate_policy, "block, first, last, min, max or sum");
}

// Options that range, revrange and mrange share.
void add_query_options(CLI::App* command, RangeArgs& args) {
  command->add_option("--bucket-timestamp", args.bucket_timestamp,
                      "With --agg: report each bucket at its start (default), mid or end");
  command->add_option("--count", args.count, "At most this many samples or buckets (0: none)");
  command->add_option("--min", args.min_value, "Only values >= this");
  command->add_option("--max", args.max_value, "Only values <= this");
  command->add_option("--filter-by-ts", args.filter_by_ts, "Only samples at these timestamps (comma-separated)");
  command->add_flag("--latest", args.latest,
                    "For a compaction destination: also the bucket still open in its source, computed now");
}

void add_range_command(CLI::App& ts, GlobalOptions& global, const char* name, const char* description,
                       bool reverse) {
  auto args = std::make_shared<RangeArgs>();
  CLI::App* range = ts.add_subcommand(name, description);
  range->add_option("name", args->name, "Series name")->required();
  range->add_option("from", args->from, "Start, Unix ms or '-' for the earliest")->capture_default_str();
  range->add_option("to", args->to, "End, Unix ms or '+' for the latest")->capture_default_str();
  range->add_option("--agg", args->aggregation,
                    "avg sum min max range count first last std.p std.s var.p var.s twa increase rate, or a "
                    "percentile: p50, p99, p99.9");
  range->add_option("--bucket", args->bucket, "Bucket width with --agg (1m, 5m, 1h)");
  range->add_option("--align", args->align, "Bucket alignment timestamp (default: the epoch)");
  range->add_flag("--empty", args->empty, "Report empty buckets too");
  add_query_options(range, *args);
  range->callback([&global, args, reverse] { run_range(global, *args, reverse); });
}

}  // namespace

void add_ts_commands(CLI::App& app, GlobalOptions& global) {
  CLI::App* ts = app.add_subcommand("ts", "Time series: create, add, import, query, inspect");
  ts->require_subcommand(1);

  auto create_args = std::make_shared<SeriesArgs>();
  CLI::App* create = ts->add_subcommand("create", "Create a series");
  add_series_options(create, *create_args);
  create->callback([&global, create_args] { run_create(global, *create_args); });

  auto alter_args = std::make_shared<SeriesArgs>();
  CLI::App* alter = ts->add_subcommand("alter", "Change a series' retention, labels or duplicate policy");
  add_series_options(alter, *alter_args);
  alter->callback([&global, alter_args] { run_alter(global, *alter_args); });

  auto add_args = std::make_shared<AddArgs>();
  CLI::App* add = ts->add_subcommand("add", "Add a sample (creates a missing series)");
  add->add_option("name", add_args->name, "Series name")->required();
  add->add_option("timestamp", add_args->timestamp, "Unix ms, or '*' for now")->required();
  add->add_option("value", add_args->value, "The value")->required();
  add->add_option("--on-duplicate", add_args->on_duplicate, "Duplicate policy for this sample");
  add->callback([&global, add_args] { run_add(global, *add_args); });

  auto import_args = std::make_shared<ImportArgs>();
  CLI::App* import = ts->add_subcommand(
      "import", "Import 'timestamp_ms,value' CSV lines from FILE (checked whole first) or '-' (stdin, streamed)");
  import->add_option("name", import_args->name, "Series name")->required();
  import->add_option("file", import_args->file, "CSV file, or '-' for standard input")->required();
  import->add_option("--batch", import_args->batch, "Samples per pipelined batch")
      ->check(CLI::Range(std::size_t{1}, std::numeric_limits<std::size_t>::max()))
      ->capture_default_str();
  import->callback([&global, import_args] { run_import(global, *import_args); });

  add_range_command(*ts, global, "range", "Samples (or buckets) from FROM to TO, oldest first", false);
  add_range_command(*ts, global, "revrange", "Samples (or buckets) from TO down to FROM, newest first", true);

  auto mrange_args = std::make_shared<MultiRangeArgs>();
  CLI::App* mrange = ts->add_subcommand("mrange", "Ranges of every series whose labels match the filters");
  mrange->add_option("from", mrange_args->range.from, "Start, Unix ms or '-'")->required();
  mrange->add_option("to", mrange_args->range.to, "End, Unix ms or '+'")->required();
  mrange->add_option("--filter", mrange_args->filters, "k=v, k!=v, k=(a,b), k!=(a,b), k= (absent), k!= (present)")
      ->required();
  mrange->add_option("--agg", mrange_args->range.aggregation, "Aggregation per series");
  mrange->add_option("--bucket", mrange_args->range.bucket, "Bucket width with --agg");
  mrange->add_option("--align", mrange_args->range.align, "Bucket alignment timestamp (default: the epoch)");
  mrange->add_flag("--empty", mrange_args->range.empty, "Report empty buckets too");
  add_query_options(mrange, mrange_args->range);
  mrange->add_option("--group-by", mrange_args->group_by, "Reduce the series sharing a value of this label");
  mrange->add_option("--reduce", mrange_args->reducer, "Reducer with --group-by (sum, avg, min, max, ...)")
      ->capture_default_str();
  mrange->add_option("--labels", mrange_args->labels, "Labels to return: all, none, or names (host,dc)")
      ->capture_default_str();
  mrange->callback([&global, mrange_args] { run_mrange(global, *mrange_args); });

  auto mget_filters = std::make_shared<std::vector<std::string>>();
  auto mget_labels = std::make_shared<std::string>("all");
  CLI::App* mget = ts->add_subcommand("mget", "The newest sample of every series whose labels match the filters");
  mget->add_option("--filter", *mget_filters, "k=v, k!=v, k=(a,b), k!=(a,b), k= (absent), k!= (present)")
      ->required();
  mget->add_option("--labels", *mget_labels, "Labels to return: all, none, or names (host,dc)")
      ->capture_default_str();
  mget->callback([&global, mget_filters, mget_labels] { run_mget(global, *mget_filters, *mget_labels); });

  auto get_args = std::make_shared<GetArgs>();
  CLI::App* get = ts->add_subcommand("get", "The newest sample");
  get->add_option("name", get_args->name, "Series name")->required();
  get->add_flag("--latest", get_args->open_bucket,
                "For a compaction destination: the bucket still open in its source, computed now");
  get->callback([&global, get_args] { run_get(global, *get_args); });

  auto info_name = std::make_shared<std::string>();
  auto stats_label = std::make_shared<std::string>();
  auto stats_top = std::make_shared<std::size_t>(10);
  CLI::App* stats = ts->add_subcommand("stats", "Series, samples and memory of the whole store (no KEYS, no SCAN)");
  stats->add_option("--by", *stats_label, "Totals per value of this label");
  stats->add_option("--top", *stats_top, "How many of the largest series to list")->capture_default_str();
  stats->callback([&global, stats_label, stats_top] { run_stats(global, *stats_label, *stats_top); });
  CLI::App* info = ts->add_subcommand("info", "Samples, chunks, memory, retention, labels of a series");
  info->add_option("name", *info_name, "Series name")->required();
  info->callback([&global, info_name] { run_info(global, *info_name); });

  CLI::App* rule = ts->add_subcommand("rule", "Compaction rules: downsample a series into another as data arrives");
  rule->require_subcommand(1);
  auto rule_args = std::make_shared<RuleArgs>();
  CLI::App* rule_add = rule->add_subcommand("add", "Add a rule from SRC to DST (both must exist)");
  rule_add->add_option("source", rule_args->source, "Source series")->required();
  rule_add->add_option("destination", rule_args->destination, "Destination series")->required();
  rule_add->add_option("--agg", rule_args->aggregation, "Aggregation (avg, sum, min, max, ..., p99)")->required();
  rule_add->add_option("--bucket", rule_args->bucket, "Bucket width (1m, 5m, 1h, 1d)")->required();
  rule_add->add_option("--align", rule_args->align, "Bucket alignment timestamp (default: the epoch)");
  rule_add->callback([&global, rule_args] { run_rule_add(global, *rule_args); });
  auto list_source = std::make_shared<std::string>();
  CLI::App* rule_list = rule->add_subcommand("list", "The rules from a series");
  rule_list->add_option("source", *list_source, "Source series")->required();
  rule_list->callback([&global, list_source] { run_rule_list(global, *list_source); });
  auto del_args = std::make_shared<RuleArgs>();
  CLI::App* rule_del = rule->add_subcommand("del", "Remove the rule from SRC to DST (the series stay)");
  rule_del->add_option("source", del_args->source, "Source series")->required();
  rule_del->add_option("destination", del_args->destination, "Destination series")->required();
  rule_del->callback([&global, del_args] { run_rule_delete(global, *del_args); });
  auto backfill_args = std::make_shared<RuleArgs>();
  CLI::App* rule_backfill =
      rule->add_subcommand("backfill", "Fill DST from the samples SRC held before the rule (replaces what DST had there)");
  rule_backfill->add_option("source", backfill_args->source, "Source series")->required();
  rule_backfill->add_option("destination", backfill_args->destination, "Destination series")->required();
  rule_backfill->callback([&global, backfill_args] { run_rule_backfill(global, *backfill_args); });

  CLI::App* preset = ts->add_subcommand("preset", "Ready-made setups");
  preset->require_subcommand(1);
  auto preset_name = std::make_shared<std::string>();
  auto preset_aggregation = std::make_shared<std::string>("avg");
  CLI::App* retention = preset->add_subcommand(
      "retention", "Raw 24h, NAME:1m 7d, NAME:5m 30d, NAME:1h 90d, NAME:1d 1y, fed by rules");
  retention->add_option("name", *preset_name, "Series name")->required();
  auto preset_chained = std::make_shared<bool>(false);
  retention->add_option("--agg", *preset_aggregation, "Aggregation of the rules (avg, sum, ..., p99)")
      ->capture_default_str();
  retention->add_flag("--chain", *preset_chained,
                      "Feed each level from the one below (sum, min, max, first, last or a percentile)");
  retention->callback([&global, preset_name, preset_aggregation, preset_chained] {
    run_preset_retention(global, *preset_name, *preset_aggregation, *preset_chained);
  });

  add_ts_alert_commands(*ts, global);
  add_ts_watch_command(*ts, global);
  add_ts_anomalies_command(*ts, global);
  add_ts_analytics_commands(*ts, global);

  auto delete_args = std::make_shared<DeleteArgs>();
  CLI::App* del = ts->add_subcommand("del", "Delete a series, or the samples from FROM to TO");
  del->add_option("name", delete_args->name, "Series name")->required();
  del->add_option("from", delete_args->from, "Start of the samples to delete");
  del->add_option("to", delete_args->to, "End of the samples to delete");
  del->callback([&global, delete_args] { run_delete(global, *delete_args); });
}

}  // namespace redkit::cli
