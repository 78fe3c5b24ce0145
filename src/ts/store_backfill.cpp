// Store::backfill_rule: a rule's destination below the rule's SINCE, from the
// source's stored samples. The order of the steps is what makes it safe
// while samples keep arriving:
//   1. the destination's samples in [from, SINCE) are deleted; nothing else
//      writes there, since the rule ignores buckets below SINCE;
//   2. SINCE is lowered to `from` (lua/ts_rule_backfill.lua), checked to be
//      the SINCE read in step 1: from now on a late sample there makes the
//      rule recompute its bucket from the source, as above SINCE. The old
//      SINCE is recorded in the source's metadata until the backfill ends,
//      so one that stopped part way (or that another overtook) is resumed:
//      steps 1 and 3 again over the whole range;
//   3. slices of buckets are computed from the source, newest first, and
//      stored only where the destination holds nothing yet: prepended as
//      chunks of their own while older than everything it holds
//      (lua/ts_prepend_blocks.lua), otherwise added with the duplicate
//      policy 'first'. A bucket the rule recomputed meanwhile (from newer
//      data than this slice read) is kept; one the rule recomputes after
//      this slice stored it is replaced by the rule's, as any late sample's.
// Not covered: source samples deleted between a slice's read and its store
// can leave their bucket's old aggregate in the destination (the rule found
// no destination sample to remove yet) until the next write in that bucket.
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

// Stores a slice's buckets (sorted, all below what the rule covers) where
// the destination holds nothing yet: each piece, newest first, prepended as
// a chunk of its own while it is older than everything stored; the pieces
// refused (the destination holds a bucket the rule wrote inside or below
// them) are added with the duplicate policy 'first', which keeps the
// rule's buckets.
void store_backfill_slice(const Store::Impl& impl, Store& store, std::string_view destination,
                          const detail::SeriesKeys& keys, const std::vector<Sample>& buckets) {
  const auto pieces = encode_pieces(buckets, limits::kBulkBlockSamples);
  std::vector<std::size_t> begins(pieces.size());
  for (std::size_t i = 0, begin = 0; i < pieces.size(); ++i) {
    begins[i] = begin;
    begin += pieces[i].count;
  }
  std::vector<Command> prepends;
  for (std::size_t i = pieces.size(); i-- > 0;) {
    const Sample& newest = buckets[begins[i] + pieces[i].count - 1];
    prepends.push_back(embedded_script(ScriptName::ts_prepend_blocks)
                           .call({keys.meta, keys.chunks, keys.summary, keys.rules},
                                 {pieces[i].bytes, std::to_string(pieces[i].first), pieces[i].summary,
                                  detail::encode_records(std::span(&newest, 1))}));
  }
  const std::vector<Reply> replies = impl.client.execute(prepends);
  std::vector<RuleUpdate> updates;
  std::vector<Sample> refused;
  for (std::size_t j = 0; j < replies.size(); ++j) {
    const std::size_t piece = pieces.size() - 1 - j;
    const auto& parts = replies[j].throw_if_error().as_array();
    if (parts.at(0).as_integer() == 1) {
      parse_rule_updates(parts, 1, updates);
    } else {
      const auto first = buckets.begin() + static_cast<std::ptrdiff_t>(begins[piece]);
      refused.insert(refused.begin(), first, first + static_cast<std::ptrdiff_t>(pieces[piece].count));
    }
  }
  impl.apply_rule_updates(destination, updates);
  if (!refused.empty()) {
    try {
      store.add_many(destination, refused, DuplicatePolicy::first);
    } catch (const SampleRejected&) {
      // Older than the destination's retention now keeps: skipped.
    }
  }
}

}  // namespace

RuleBackfill Store::backfill_rule(std::string_view source, std::string_view destination,
                                  const std::function<void(const RuleBackfill&)>& progress) {
  detail::validate_series_name(source);
  detail::validate_series_name(destination);
  const auto source_keys = impl_->keys(source);
  const auto destination_keys = impl_->keys(destination);
  const std::string marker = "fill:" + std::string(destination);
  RuleBackfill out;
  Aggregation aggregation;
  std::optional<std::string> pending;  // the SINCE an unfinished backfill recorded
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
    const Reply recorded = impl_->client.command({"HGET", source_keys.meta, marker});
    pending = recorded.is_nil() ? std::nullopt : std::optional<std::string>(recorded.as_string());
    const SeriesInfo from_info = info(source);
    const std::optional<Timestamp> since =
        pending ? std::optional<Timestamp>(std::stoll(*pending)) : rule->since;
    if (!since || !from_info.first_timestamp) {
      return out;  // the rule covers every bucket, or there is nothing to compute
    }
    Timestamp from = detail::bucket_start(*from_info.first_timestamp, width, aggregation.align);
    const SeriesInfo to_info = info(destination);
    if (to_info.retention.count() > 0 && to_info.last_timestamp) {
      from = std::max(from, detail::bucket_at_or_after(*to_info.last_timestamp - to_info.retention.count(), width,
                                               aggregation.align));
    }
    out = RuleBackfill{.from = std::min(from, *since), .to = *since, .done_from = *since, .buckets = 0};
    if (from >= *since) {
      break;
    }
    // What the destination holds below SINCE is rebuilt whole: this
    // backfill fills every bucket it deletes, whatever another one did.
    delete_range(destination, from, *since - 1);
    if (pending) {
      break;  // SINCE was lowered by the backfill that recorded it
    }
    const Reply lowered = impl_->client.command(
        embedded_script(ScriptName::ts_rule_backfill)
            .call({source_keys.rules, source_keys.meta},
                  {std::string(destination), std::to_string(*since), std::to_string(from)}));
    if (lowered.is_error() && lowered.error_message().starts_with("NORULE")) {
      continue;  // removed meanwhile: the next read reports it
    }
    if (lowered.throw_if_error().as_integer() == 1) {
      pending = std::to_string(*since);
      break;
    }
    // Another backfill lowered SINCE first: resume from what it recorded.
  }
  const Timestamp width = aggregation.bucket.count();
  const Timestamp slice = width * static_cast<Timestamp>(limits::kBackfillBucketsPerSlice);
  for (Timestamp hi = out.to - 1; out.from < out.to && hi >= out.from; hi -= slice) {
    const Timestamp lo = std::max(out.from, hi - slice + 1);
    const RuleBuckets computed = impl_->rule_buckets(source, aggregation, lo, hi);
    if (!computed.buckets.empty()) {
      // Sketches before the buckets, whose store runs the destination's own
      // rules (store_rules.cpp says why).
      impl_->store_sketches(destination, computed, false);
      store_backfill_slice(*impl_, *this, destination, destination_keys, computed.buckets);
      out.buckets += computed.buckets.size();
    }
    out.done_from = lo;
    if (progress) {
      progress(out);
    }
    if (lo == out.from) {
      break;
    }
  }
  if (pending) {
    // Over: the recorded SINCE goes, unless a newer backfill replaced it.
    impl_->client.command(
        embedded_script(ScriptName::ts_rule_backfill_done).call({source_keys.meta}, {marker, *pending}));
  }
  return out;
}

}  // namespace redkit::ts
