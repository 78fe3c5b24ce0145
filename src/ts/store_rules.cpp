// Store: compaction rules. The scripts track each rule's open bucket and
// report the buckets that closed or took late samples; the client computes
// them from the source with the same aggregation code as a range query and
// stores them in the destination.
#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"
#include "ts/aggregation.hpp"
#include "ts/store_impl.hpp"
#include "ts/validation.hpp"

namespace redkit::ts {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

namespace {

Aggregation stored_aggregation(const std::string& aggregator, long long width, Timestamp align) {
  Aggregation aggregation{.bucket = std::chrono::milliseconds(width), .align = align};
  detail::parse_aggregator_token(aggregator, aggregation);
  return aggregation;
}

// A rule as lua/lib/ts_rules.lua stores it: "AGGREGATOR BUCKET ALIGN [OPEN [SINCE]]".
struct RuleText {
  CompactionRule rule;
  std::optional<Timestamp> open;
  std::optional<Timestamp> since;
};

RuleText parse_rule(const std::string& destination, const std::string& text) {
  std::istringstream in(text);
  std::string aggregator;
  long long width = 0;
  long long align = 0;
  if (!(in >> aggregator >> width >> align) || width <= 0) {
    throw ProtocolError(fmt::format("compaction rule to '{}' is stored as '{}', not as a rule", destination, text));
  }
  RuleText parsed{CompactionRule{destination, stored_aggregation(aggregator, width, align)}, std::nullopt,
                  std::nullopt};
  long long bound = 0;
  if (in >> bound) {
    parsed.open = bound;
    if (in >> bound) {
      parsed.since = bound;
    }
  }
  return parsed;
}

std::vector<RuleText> parse_rule_texts(const ReplyArray& fields) {
  std::vector<RuleText> rules;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    rules.push_back(parse_rule(fields[i].as_string(), fields[i + 1].as_string()));
  }
  return rules;
}

// Aggregators whose aggregate of per-bucket aggregates equals the aggregate
// of the samples (percentile through its sketches).
bool composes(Aggregator aggregator) {
  switch (aggregator) {
    case Aggregator::sum:
    case Aggregator::min:
    case Aggregator::max:
    case Aggregator::first:
    case Aggregator::last:
    case Aggregator::percentile:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<CompactionRule> parse_rules(const ReplyArray& fields) {
  std::vector<CompactionRule> rules;
  for (auto& parsed : parse_rule_texts(fields)) {
    rules.push_back(std::move(parsed.rule));
  }
  std::sort(rules.begin(), rules.end(),
            [](const CompactionRule& a, const CompactionRule& b) { return a.destination < b.destination; });
  return rules;
}

void parse_rule_updates(const ReplyArray& parts, std::size_t begin, std::vector<RuleUpdate>& out) {
  for (std::size_t i = begin; i + 6 < parts.size(); i += 7) {
    out.push_back(RuleUpdate{parts[i].as_string(),
                             stored_aggregation(parts[i + 1].as_string(), parts[i + 2].as_integer(),
                                                parts[i + 3].as_integer()),
                             parts[i + 4].as_integer(), parts[i + 5].as_integer(), parse_kept_from(parts[i + 6])});
  }
}

void Store::Impl::apply_rule_updates(std::string_view source, std::vector<RuleUpdate>& updates,
                                     bool remove_emptied) const {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_rule_update, !updates.empty());
  if (updates.empty()) {
    return;
  }
  // One read of the source per run of adjacent or overlapping buckets of a
  // destination: a late sample far back and a bucket closing now are two
  // short reads, not one over everything between them.
  std::sort(updates.begin(), updates.end(), [](const RuleUpdate& a, const RuleUpdate& b) {
    return std::tie(a.destination, a.first) < std::tie(b.destination, b.first);
  });
  std::vector<std::pair<std::string, RuleUpdate>> merged;
  // A bucket reaching below what the source keeps has lost samples to
  // retention: its destination keeps the aggregate computed while it was
  // whole (that is what compaction is for). The line only rises, so the
  // highest any script of this call reported is the current one.
  Timestamp kept_from = kMinTimestamp;
  for (RuleUpdate& update : updates) {
    kept_from = std::max(kept_from, update.kept_from);
    if (!merged.empty() && merged.back().first == update.destination &&
        update.first <= merged.back().second.last + update.aggregation.bucket.count()) {
      merged.back().second.last = std::max(merged.back().second.last, update.last);
    } else {
      merged.emplace_back(update.destination, update);
    }
  }
  updates.clear();
  for (auto& [destination, update] : merged) {
    const Timestamp width = update.aggregation.bucket.count();
    Timestamp first = update.first;
    if (first < kept_from) {
      first = detail::bucket_at_or_after(kept_from, width, update.aggregation.align);
    }
    if (first > update.last) {
      continue;
    }
    const Timestamp end = update.last + width - 1;
    RuleBuckets computed;
    try {
      computed = rule_buckets(source, update.aggregation, first, end);
    } catch (const SeriesNotFound&) {
      return;  // the source was deleted meanwhile
    }
    const std::vector<Sample>& buckets = computed.buckets;
    // A bucket older than the destination keeps is not written: the rule's
    // writes never fail the source's add.
    AddCall call{.on_duplicate = DuplicatePolicy::last, .refuse_before = kMinTimestamp,
                 .newest = buckets.empty() ? kMinTimestamp : buckets.back().timestamp};
    try {
      // Sketches first: adding the buckets runs the destination's own rules,
      // and a percentile rule there merges these sketches.
      store_sketches(destination, computed);
      add_sorted(destination, buckets, call);
      if (remove_emptied) {
        // Buckets whose samples were all deleted lose their aggregate.
        for (const Sample& stored : read(destination, first, end, {}, false, std::nullopt)) {
          const bool recomputed = std::binary_search(
              buckets.begin(), buckets.end(), stored,
              [](const Sample& a, const Sample& b) { return a.timestamp < b.timestamp; });
          if (!recomputed) {
            delete_samples(destination, stored.timestamp, stored.timestamp);
          }
        }
      }
    } catch (const SeriesNotFound&) {
      // The destination was deleted since the script read the rule.
    }
  }
}

std::optional<Store::Impl::RuleState> Store::Impl::rule_state(std::string_view source,
                                                             std::string_view destination) const {
  const auto k = keys(source);
  const auto replies = client.execute(std::vector<Command>{
      Command::raw({"EXISTS", k.meta}), Command::raw({"HGET", k.rules, std::string(destination)})});
  if (replies.at(0).as_integer() == 0) {
    throw_not_found(source);
  }
  if (replies.at(1).is_nil()) {
    return std::nullopt;
  }
  RuleText text = parse_rule(std::string(destination), replies.at(1).as_string());
  return RuleState{.aggregation = text.rule.aggregation, .open = text.open, .since = text.since};
}

std::vector<CompactionRule> Store::Impl::rules(std::string_view name) const {
  detail::validate_series_name(name);
  const auto k = keys(name);
  const auto replies = client.execute(std::vector<Command>{Command::raw({"EXISTS", k.meta}),
                                                           Command::raw({"HGETALL", k.rules})});
  if (replies.at(0).as_integer() == 0) {
    throw_not_found(name);
  }
  return parse_rules(replies.at(1).as_array());
}

std::vector<std::pair<CompactionRule, std::optional<Timestamp>>> Store::Impl::open_rules(std::string_view source) const {
  std::vector<std::pair<CompactionRule, std::optional<Timestamp>>> out;
  for (RuleText& parsed : parse_rule_texts(client.command({"HGETALL", keys(source).rules}).as_array())) {
    out.emplace_back(std::move(parsed.rule), parsed.open);
  }
  return out;
}

std::optional<std::vector<Sample>> Store::Impl::aggregate_from_rule(std::string_view name, const RangeOptions& query,
                                                                    Timestamp lo, Timestamp hi,
                                                                    const Reply* rules) const {
  const Aggregation& wanted = *query.aggregation;
  if (!query.use_compactions || wanted.aggregator == Aggregator::twa || wanted.empty_buckets || query.min_value ||
      query.max_value || !query.timestamps.empty()) {
    return std::nullopt;
  }
  const Timestamp width = wanted.bucket.count();
  const Reply fields = rules != nullptr ? *rules : client.command({"HGETALL", keys(name).rules});
  for (const RuleText& candidate : parse_rule_texts(fields.throw_if_error().as_array())) {
    const Aggregation& has = candidate.rule.aggregation;
    if (!candidate.open || has.aggregator != wanted.aggregator || has.bucket != wanted.bucket ||
        (has.aggregator == Aggregator::percentile && has.quantile != wanted.quantile) ||
        detail::bucket_start(wanted.align, width, has.align) != wanted.align) {
      continue;
    }
    // Whole buckets inside [lo, hi] that the rule has closed, from the first
    // one it covers.
    Timestamp first_whole = detail::bucket_at_or_after(lo, width, has.align);
    if (candidate.since && first_whole < *candidate.since) {
      first_whole = *candidate.since;
    }
    const Timestamp last_whole = std::min(*candidate.open, detail::bucket_start(hi + 1, width, has.align)) - width;
    if (first_whole > last_whole) {
      return std::nullopt;
    }
    // Buckets at their start: the caller moves every bucket to its reported
    // instant once.
    Aggregation at_start = wanted;
    at_start.bucket_timestamp = BucketTimestamp::start;
    const RangeOptions raw{.aggregation = at_start, .use_compactions = false};
    std::vector<Sample> out;
    if (lo < first_whole) {
      RangeOptions before = raw;
      before.from = lo;
      before.to = first_whole - 1;
      out = this->query(name, before, false);
    }
    const auto whole = read(candidate.rule.destination, first_whole, last_whole, {}, false, std::nullopt);
    out.insert(out.end(), whole.begin(), whole.end());
    if (last_whole + width <= hi) {
      RangeOptions after = raw;
      after.from = last_whole + width;
      after.to = hi;
      const auto tail = this->query(name, after, false);
      out.insert(out.end(), tail.begin(), tail.end());
    }
    return out;
  }
  return std::nullopt;
}

void Store::create_rule(std::string_view source, std::string_view destination, const Aggregation& aggregation) {
  detail::validate_series_name(source);
  detail::validate_series_name(destination);
  if (source == destination) {
    throw InvalidArgument(fmt::format("compaction rule from '{}' to itself", source));
  }
  detail::validate_aggregation(aggregation);
  if (aggregation.bucket_timestamp != BucketTimestamp::start) {
    throw InvalidArgument(fmt::format("compaction rule {} -> {}: a rule stores buckets at their start, not at their {}",
                                      source, destination, to_string(aggregation.bucket_timestamp)));
  }
  const auto from = impl_->keys(source);
  const auto to = impl_->keys(destination);
  try {
    for (int attempt = 0;; ++attempt) {
      // The series upstream of the source, source by source: the script
      // checks each link still holds and that the destination is not among
      // them (a cycle).
      std::vector<std::string> keys{from.meta, from.rules, to.meta, to.rules};
      std::vector<std::string> args{std::string(source), std::string(destination),
                                    detail::aggregator_token(aggregation), std::to_string(aggregation.bucket.count()),
                                    std::to_string(aggregation.align)};
      for (std::string below = from.meta;;) {
        const Reply upstream = impl_->client.command({"HGET", below, "src"});
        if (upstream.is_nil()) {
          break;
        }
        if (args.size() - 5 == limits::kMaxRuleChain) {
          throw Error(fmt::format("compaction rule {} -> {}: {} is more than {} rules below the first source",
                                  source, destination, source, limits::kMaxRuleChain));
        }
        args.push_back(upstream.as_string());
        keys.push_back(impl_->keys(args.back()).meta);
        below = keys.back();
        if (args.back() == destination) {
          break;  // a cycle: the script says so
        }
      }
      const Reply created = impl_->client.command(embedded_script(ScriptName::ts_rule_create).call(keys, args));
      if (!created.is_error() || created.error_message() != "CHAINMOVED" ||
          attempt + 1 == limits::kMaxRewriteAttempts) {
        created.throw_if_error();
        break;
      }
    }
  } catch (const ReplyError& error) {
    if (error.message() == "NOSERIES source") {
      impl_->throw_not_found(source);
    }
    if (error.message() == "NOSERIES destination") {
      impl_->throw_not_found(destination);
    }
    if (error.code() == "RULE") {
      throw Error(fmt::format("compaction rule {} -> {}: {}", source, destination, error.message().substr(5)));
    }
    throw;
  }
}

bool Store::delete_rule(std::string_view source, std::string_view destination) {
  detail::validate_series_name(source);
  detail::validate_series_name(destination);
  const auto from = impl_->keys(source);
  const auto to = impl_->keys(destination);
  return impl_->client
             .command(embedded_script(ScriptName::ts_rule_delete)
                          .call({from.meta, from.rules, to.meta}, {std::string(destination)}))
             .as_integer() == 1;
}

std::vector<CompactionRule> Store::rules(std::string_view source) const { return impl_->rules(source); }

std::vector<std::string> Store::apply_retention_preset(std::string_view name, Aggregator aggregator) {
  return apply_retention_preset(name, RetentionPreset{.aggregator = aggregator});
}

std::vector<std::string> Store::apply_retention_preset(std::string_view name, const RetentionPreset& preset) {
  detail::validate_series_name(name);
  const Aggregation rule_aggregation{.aggregator = preset.aggregator, .bucket = kRetentionPresetLevels[0].bucket,
                                     .quantile = preset.quantile};
  detail::validate_aggregation(rule_aggregation);
  if (preset.chained && !composes(preset.aggregator)) {
    throw InvalidArgument(fmt::format("retention preset of {}: {} cannot feed one level from the one below (its "
                                      "aggregate of aggregates is not the aggregate of the samples); chain sum, min, "
                                      "max, first, last or a percentile, or feed every level from the series",
                                      name, aggregator_name(rule_aggregation)));
  }
  const auto set_retention = [&](std::string_view series, std::chrono::milliseconds retention) {
    SeriesOptions options = impl_->options.default_series;
    options.retention = retention;
    if (!create_if_missing(series, options)) {
      alter(series, {.retention = retention, .duplicate_policy = {}, .labels = {}});
    }
  };
  // Everything that would refuse a rule is checked before the first write,
  // so a refused preset leaves every series as it was (the checks and the
  // writes are separate round trips: a concurrent change can still slip in).
  std::vector<std::string> destinations;
  std::vector<std::string> sources;
  for (const RetentionLevel& level : kRetentionPresetLevels) {
    sources.push_back(preset.chained && !destinations.empty() ? destinations.back() : std::string(name));
    destinations.push_back(std::string(name).append(level.suffix));
    detail::validate_series_name(destinations.back());
  }
  const auto source_keys = impl_->keys(name);
  std::vector<Command> checks{Command::raw({"HGET", source_keys.meta, "src"})};
  for (const std::string& destination : destinations) {
    checks.push_back(Command::raw({"HGET", impl_->keys(destination).meta, "src"}));
  }
  const auto found = impl_->client.execute(checks);
  for (const Reply& reply : found) reply.throw_if_error();
  // A level whose destination is already fed by its source keeps its rule.
  std::vector<bool> present;
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    const Reply& source_of_destination = found[1 + i];
    present.push_back(!source_of_destination.is_nil() && source_of_destination.as_string() == sources[i]);
    if (!source_of_destination.is_nil() && !present.back()) {
      throw Error(fmt::format("compaction rule {} -> {}: the destination already has a source, {}", sources[i],
                              destinations[i], source_of_destination.as_string()));
    }
  }
  // The series upstream of NAME: a preset destination among them would make
  // its rule close a cycle, which create_rule would refuse halfway through.
  std::string upstream = found[0].is_nil() ? std::string() : found[0].as_string();
  std::size_t depth = 0;
  for (; !upstream.empty() && depth < limits::kMaxRuleChain; ++depth) {
    if (std::find(destinations.begin(), destinations.end(), upstream) != destinations.end()) {
      throw Error(fmt::format("compaction rule {} -> {}: it would close a cycle: {} is upstream of {}", name,
                              upstream, upstream, name));
    }
    const Reply above = impl_->client.command({"HGET", impl_->keys(upstream).meta, "src"});
    upstream = above.is_nil() ? std::string() : above.as_string();
  }
  const std::size_t levels_below = preset.chained ? destinations.size() - 1 : 0;
  if (depth + levels_below >= limits::kMaxRuleChain) {
    throw Error(fmt::format("retention preset of {}: its chained levels would be more than {} rules below the "
                            "first source",
                            name, limits::kMaxRuleChain));
  }

  set_retention(name, kPresetRawRetention);
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    const RetentionLevel& level = kRetentionPresetLevels[i];
    set_retention(destinations[i], level.retention);
    if (!present[i]) {
      Aggregation aggregation = rule_aggregation;
      aggregation.bucket = level.bucket;
      create_rule(sources[i], destinations[i], aggregation);
    }
  }
  return destinations;
}

}  // namespace redkit::ts
