// Store::backfill_rule: a rule's destination below the rule's SINCE, from the
// source's stored samples. The order of the steps is what makes it safe
// while samples keep arriving:
//   1. the destination's samples in [from, SINCE) are deleted; nothing else
//      writes there, since the rule ignores buckets below SINCE;
//   2. SINCE is lowered to `from` (lua/ts_rule_backfill.lua), checked to be
//      the SINCE read in step 1: from now on a late sample there makes the
//      rule recompute its bucket from the source, as above SINCE;
//   3. slices of buckets are computed from the source, newest first, and
//      stored only where the destination holds nothing yet: prepended as
//      chunks of their own while older than everything it holds
//      (lua/ts_prepend_blocks.lua), otherwise added with the duplicate
//      policy 'first'. A bucket the rule recomputed meanwhile (from newer
//      data than this slice read) is kept; one the rule recomputes after
//      this slice stored it is replaced by the rule's, as any late sample's.
#include <algorithm>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "redkit/error.hpp"
#include "ts/aggregation.hpp"
#include "ts/head_records.hpp"
#include "ts/store_impl.hpp"
#include "ts/validation.hpp"

namespace redkit::ts {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

namespace {

// The first bucket start at or after t.
Timestamp bucket_at_or_after(Timestamp t, Timestamp width, Timestamp align) {
  const Timestamp start = detail::bucket_start(t, width, align);
  return start == t ? start : start + width;
}

}  // namespace

RuleBackfill Store::backfill_rule(std::string_view source, std::string_view destination,
                                  const std::function<void(const RuleBackfill&)>& progress) {
  detail::validate_series_name(source);
  detail::validate_series_name(destination);
  const auto source_keys = impl_->keys(source);
  const auto destination_keys = impl_->keys(destination);
  RuleBackfill out;
  Aggregation aggregation;
  for (int attempt = 0;; ++attempt) {
    if (attempt == limits::kMaxRewriteAttempts) {
      throw Error(fmt::format("backfill {} -> {}: the rule kept moving under it", source, destination));
    }
    const auto rule = impl_->rule_state(source, destination);
    if (!rule) {
      throw Error(fmt::format("backfill {} -> {}: {} has no compaction rule to {}", source, destination, source,
                              destination));
    }
    aggregation = rule->aggregation;
    const Timestamp width = aggregation.bucket.count();
    const SeriesInfo from_info = info(source);
    if (!rule->since || !from_info.first_timestamp) {
      return out;  // the rule covers every bucket, or there is nothing to compute
    }
    Timestamp from = detail::bucket_start(*from_info.first_timestamp, width, aggregation.align);
    const SeriesInfo to_info = info(destination);
    if (to_info.retention.count() > 0 && to_info.last_timestamp) {
      from = std::max(from, bucket_at_or_after(*to_info.last_timestamp - to_info.retention.count(), width,
                                               aggregation.align));
    }
    const Timestamp since = *rule->since;
    out = RuleBackfill{.from = std::min(from, since), .to = since, .done_from = since, .buckets = 0};
    if (from >= since) {
      return out;
    }
    delete_range(destination, from, since - 1);
    const Reply lowered = impl_->client.command(
        embedded_script(ScriptName::ts_rule_backfill)
            .call({source_keys.rules}, {std::string(destination), std::to_string(since), std::to_string(from)}));
    if (lowered.is_error() && lowered.error_message().starts_with("NORULE")) {
      continue;  // removed meanwhile: the next read reports it
    }
    if (lowered.throw_if_error().as_integer() == 1) {
      break;
    }
  }
  const Timestamp width = aggregation.bucket.count();
  const Timestamp slice = width * static_cast<Timestamp>(limits::kBackfillBucketsPerSlice);
  for (Timestamp hi = out.to - 1; hi >= out.from; hi -= slice) {
    const Timestamp lo = std::max(out.from, hi - slice + 1);
    const std::vector<Sample> buckets =
        range(source, {.from = lo, .to = hi, .aggregation = aggregation, .use_compactions = false});
    if (!buckets.empty()) {
      const auto pieces = encode_pieces(buckets, limits::kBulkBlockSamples);
      // Newest piece first, each older than all the destination holds.
      std::vector<std::size_t> ends(pieces.size());
      for (std::size_t i = 0, end = 0; i < pieces.size(); ++i) ends[i] = end += pieces[i].count;
      std::vector<Command> prepends;
      for (std::size_t i = pieces.size(); i-- > 0;) {
        prepends.push_back(embedded_script(ScriptName::ts_prepend_blocks)
                               .call({destination_keys.meta, destination_keys.chunks, destination_keys.summary,
                                      destination_keys.rules},
                                     {pieces[i].bytes, std::to_string(pieces[i].first), pieces[i].summary,
                                      detail::encode_records(std::span(&buckets[ends[i] - 1], 1)).substr(8)}));
      }
      const std::vector<Reply> replies = impl_->client.execute(prepends);
      std::vector<RuleUpdate> updates;
      std::size_t unstored = buckets.size();  // buckets [0, unstored) are not stored yet
      for (const Reply& reply : replies) {
        const auto& parts = reply.throw_if_error().as_array();
        if (parts.at(0).as_integer() != 1) {
          break;  // refused: so were the older pieces after it
        }
        parse_rule_updates(parts, 1, updates);
        unstored -= pieces[pieces.size() - 1 - (&reply - replies.data())].count;
      }
      impl_->apply_rule_updates(destination, updates);
      if (unstored > 0) {
        // The destination holds a bucket in this slice already (the rule
        // recomputed it for a late sample): keep it, add the others.
        try {
          add_many(destination, std::span(buckets).first(unstored), DuplicatePolicy::first);
        } catch (const SampleRejected&) {
          // Older than the destination's retention now keeps: skipped.
        }
      }
      out.buckets += buckets.size();
    }
    out.done_from = lo;
    if (progress) {
      progress(out);
    }
    if (lo == out.from) {
      break;
    }
  }
  return out;
}

}  // namespace redkit::ts
