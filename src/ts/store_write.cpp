// Store: the write path. Samples newer than a series go to its head (one
// APPEND in ts_add) or, in bulk, straight into compressed chunks; older
// samples land in the head or in the sealed chunk that covers them.
#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"
#include "ts/codec/block_codec.hpp"
#include "ts/head_records.hpp"
#include "ts/store_impl.hpp"
#include "ts/stored_data.hpp"
#include "ts/validation.hpp"

namespace redkit::ts {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

namespace {

bool timestamp_less(const Sample& a, const Sample& b) { return a.timestamp < b.timestamp; }

// Head records sealed per ts_store_blocks call: a few blocks, under a
// chunk's size target for decimal gauges.
constexpr std::size_t kSealSamplesPerCall = 8 * limits::kBulkBlockSamples;

SampleRejected duplicate(std::string_view name, Timestamp timestamp) {
  return SampleRejected(fmt::format(
      "time series '{}' already has a sample at timestamp {} and its duplicate policy is block", name, timestamp));
}

SampleRejected too_old(std::string_view name, Timestamp timestamp) {
  return SampleRejected(
      fmt::format("timestamp {} is older than the retention of time series '{}' keeps", timestamp, name));
}

[[noreturn]] void throw_contended(std::string_view name) {
  throw Error(fmt::format("time series '{}': gave up after {} attempts lost to concurrent rewrites", name,
                          limits::kMaxRewriteAttempts));
}

double merge(DuplicatePolicy policy, double stored, double added) {
  switch (policy) {
    case DuplicatePolicy::last:
      return added;
    case DuplicatePolicy::min:
      return std::min(stored, added);
    case DuplicatePolicy::max:
      return std::max(stored, added);
    case DuplicatePolicy::sum:
      return stored + added;
    case DuplicatePolicy::block:
    case DuplicatePolicy::first:
      break;
  }
  return stored;
}

// ARGV of ts_chunk_put after the chunk's length and id: the count change and
// the pieces.
void append_pieces(std::vector<std::string>& args, const std::vector<EncodedPiece>& pieces) {
  for (const EncodedPiece& piece : pieces) {
    args.push_back(std::to_string(piece.first));
    args.push_back(piece.bytes);
    args.push_back(piece.summary);
  }
}

// The chunk a ts_chunk_get reply holds (parts 1, 2, 5 and 6).
detail::StoredChunk chunk_of(const ReplyArray& parts) {
  return detail::StoredChunk{.id = parts.at(1).as_string(),
                             .first = detail::parse_first_timestamp(parts.at(5).as_string()),
                             .summary = parts.at(6).as_string(),
                             .bytes = parts.at(2).as_string()};
}

}  // namespace

void Store::Impl::trim(const detail::SeriesKeys& k) const {
  client.command(embedded_script(ScriptName::ts_trim).call({k.meta, k.chunks, k.summary},
                                                 {std::to_string(limits::kTrimChunksPerCall)}));
}

std::optional<Store::Impl::SealStep> Store::Impl::seal_step(std::string_view name, const detail::SeriesKeys& k,
                                                             const Reply& head_reply, std::size_t min_samples,
                                                             SealExtent extent) const {
  const auto& parts = head_reply.as_array();
  const std::string& gen = parts.at(0).as_string();
  const std::string& bytes = parts.at(1).as_string();
  const Timestamp kept_from = parse_kept_from(parts.at(2));
  const std::size_t count = bytes.size() / detail::kRecordBytes;
  if (count == 0 || count < min_samples) {
    return std::nullopt;  // another writer sealed it
  }
  std::vector<Sample> head;
  // A damaged head is refused here rather than sealed into a chunk whose
  // summary would then vouch for it.
  detail::decode_stored_head(name, k, bytes, "", kEarliest, kLatest, head);
  // Records retention dropped leave the head without being sealed: that is
  // when they are freed.
  const auto expired = static_cast<std::size_t>(
      std::lower_bound(head.begin(), head.end(), Sample{kept_from, 0}, timestamp_less) - head.begin());
  auto kept = std::span(head).subspan(expired);
  if (extent == SealExtent::all_but_newest && !kept.empty()) {
    kept = kept.first(kept.size() - 1);
  }
  // One chunk-sized piece per call; a head grown far past the threshold
  // (sealing failed for a while) takes several rounds.
  std::size_t cut = expired;
  std::vector<std::string> args{"seal", gen, "", "", "", "", std::to_string(limits::kChunkTargetBytes)};
  if (!kept.empty()) {
    const auto pieces =
        encode_pieces(kept.first(std::min(kept.size(), kSealSamplesPerCall)), limits::kBulkBlockSamples);
    const EncodedPiece& piece = pieces.front();
    cut += piece.count;
    args[3] = piece.bytes;
    args[4] = std::to_string(piece.first);
    args[5] = piece.summary;
  }
  args[2] = std::to_string(cut * detail::kRecordBytes);
  return SealStep{
      .store = embedded_script(ScriptName::ts_store_blocks)
                   .call({k.meta, k.head, k.chunks, k.summary, k.rules}, std::move(args)),
      .trim = embedded_script(ScriptName::ts_trim)
                  .call({k.meta, k.chunks, k.summary}, {std::to_string(limits::kTrimChunksPerCall)}),
      .left = count - cut,
  };
}

bool Store::Impl::seal_step_done(const SealStep& step, const Reply& stored, const Reply& trimmed,
                                 std::size_t min_samples, SealExtent extent) {
  stored.throw_if_error();
  trimmed.throw_if_error();
  const std::size_t stays = extent == SealExtent::all_but_newest ? 1 : 0;
  return stored.as_array().at(0).as_integer() == 1 && (step.left < min_samples || step.left <= stays);
}

void Store::Impl::seal_head(std::string_view name, const detail::SeriesKeys& k, std::size_t min_samples,
                            SealExtent extent) const {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_seal);
  for (int attempt = 0; attempt < limits::kMaxRewriteAttempts; ++attempt) {
    Reply reply;
    try {
      reply = client.command(embedded_script(ScriptName::ts_head).call({k.meta, k.head}, {}));
    } catch (const ReplyError& error) {
      if (error.code() == "NOSERIES") {
        return;  // deleted meanwhile: nothing to seal
      }
      throw;
    }
    const auto step = seal_step(name, k, reply, min_samples, extent);
    if (!step) {
      return;
    }
    const std::vector<Command> commands{step->store, step->trim};
    const auto replies = client.execute(commands);
    if (seal_step_done(*step, replies[0], replies[1], min_samples, extent)) {
      return;
    }
  }
  throw Error(fmt::format("sealing {} kept losing to concurrent writers", k.head));
}

void Store::Impl::seal_heads(std::span<const DueSeal> seals) const {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_seal, seals.size() > 1);  // one head: seal_head's own
  if (seals.empty()) {
    return;
  }
  if (seals.size() == 1) {
    seal_head(seals[0].name, seals[0].keys, seals[0].min_samples);
    return;
  }
  // The first step of every seal in two round trips: every head, then every
  // head's blocks. A seal that needs more (a concurrent writer changed the
  // head, or it holds more than one call seals) goes on alone.
  std::vector<Command> reads;
  reads.reserve(seals.size());
  for (const DueSeal& seal : seals) {
    reads.push_back(embedded_script(ScriptName::ts_head).call({seal.keys.meta, seal.keys.head}, {}));
  }
  const std::vector<Reply> heads = execute_sliced(reads, limits::kSeriesCallsPerRoundTrip);
  std::vector<const DueSeal*> stepped;
  std::vector<SealStep> steps;
  for (std::size_t i = 0; i < seals.size(); ++i) {
    if (heads[i].is_error()) {
      if (heads[i].error_message().starts_with("NOSERIES")) {
        continue;  // deleted meanwhile: nothing to seal
      }
      throw_series_error(seals[i].name, ReplyError(heads[i].error_message()));
    }
    if (auto step = seal_step(seals[i].name, seals[i].keys, heads[i], seals[i].min_samples,
                              SealExtent::all_but_newest)) {
      stepped.push_back(&seals[i]);
      steps.push_back(std::move(*step));
    }
  }
  std::vector<Command> writes;
  writes.reserve(2 * steps.size());
  for (const SealStep& step : steps) {
    writes.push_back(step.store);
    writes.push_back(step.trim);
  }
  const std::vector<Reply> written = execute_sliced(writes, limits::kSeriesCallsPerRoundTrip);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!seal_step_done(steps[i], written[2 * i], written[2 * i + 1], stepped[i]->min_samples,
                        SealExtent::all_but_newest)) {
      seal_head(stepped[i]->name, stepped[i]->keys, stepped[i]->min_samples);
    }
  }
}

std::size_t Store::Impl::append_compressed(std::string_view name, const detail::SeriesKeys& k, std::span<const Sample> samples,
                                           std::vector<RuleUpdate>& updates) const {
  const auto pieces = encode_pieces(samples, limits::kBulkBlockSamples);
  constexpr std::size_t kPiecesPerRoundTrip = 32;
  std::size_t stored = 0;
  std::size_t next = 0;
  bool sealed = false;
  // Each piece's newest sample, which becomes the series' newest.
  std::vector<Sample> piece_newest;
  piece_newest.reserve(pieces.size());
  for (std::size_t i = 0, end = 0; i < pieces.size(); ++i) {
    end += pieces[i].count;
    piece_newest.push_back(samples[end - 1]);
  }
  while (next < pieces.size()) {
    std::vector<Command> commands;
    const std::size_t end = std::min(pieces.size(), next + kPiecesPerRoundTrip);
    for (std::size_t i = next; i < end; ++i) {
      commands.push_back(embedded_script(ScriptName::ts_store_blocks)
                             .call({k.meta, k.head, k.chunks, k.summary, k.rules},
                                   {"append", "", "", pieces[i].bytes, std::to_string(pieces[i].first),
                                    pieces[i].summary, std::to_string(limits::kChunkTargetBytes),
                                    detail::encode_records(std::span(&piece_newest[i], 1))}));
    }
    const auto replies = client.execute(commands);
    std::size_t accepted = 0;
    for (const Reply& reply : replies) {
      reply.throw_if_error();
      if (reply.as_array().at(0).as_integer() != 1) {
        break;  // the pieces after a refused one were refused too
      }
      stored += pieces[next + accepted].count;
      ++accepted;
      parse_rule_updates(reply.as_array(), 1, updates);
    }
    next += accepted;
    if (accepted == replies.size()) {
      continue;
    }
    // Refused because the head holds older samples: seal them once and
    // resend. Refused because another writer added newer samples: the rest
    // takes the head path.
    if (replies[accepted].as_array().at(1).as_string() != "head" || sealed) {
      break;
    }
    seal_head(name, k, 1, SealExtent::whole_head);
    sealed = true;
  }
  trim(k);
  return stored;
}

void Store::Impl::place_in_chunk(std::string_view name, const detail::SeriesKeys& k, const Sample& sample,
                                 AddCall& call, std::vector<RuleUpdate>& updates) const {
  std::vector<Sample> samples;
  if (call.refuse_before && sample.timestamp < *call.refuse_before) {
    call.reject(too_old(name, sample.timestamp));
    return;
  }
  for (int attempt = 0; attempt < limits::kMaxRewriteAttempts; ++attempt) {
    const Reply reply =
        run(name, embedded_script(ScriptName::ts_chunk_get)
                      .call({k.meta, k.chunks, k.summary},
                            {std::to_string(sample.timestamp), std::to_string(std::max(call.newest, sample.timestamp))}));
    const auto& parts = reply.as_array();
    if (parts.size() == 1) {
      // Every chunk went away meanwhile (deleted range): the head takes it.
      add_through_head(name, k, std::span(&sample, 1), call, updates);
      return;
    }
    const std::string& id = parts.at(1).as_string();
    const DuplicatePolicy policy =
        call.on_duplicate ? *call.on_duplicate : parse_duplicate_policy(parts.at(3).as_string());
    if (sample.timestamp < parse_kept_from(parts.at(4))) {
      return;  // the call's newer samples push it out of retention
    }
    samples.clear();
    // Checked against its summary before it is rewritten: a rewrite would
    // store damaged samples with a fresh, matching summary.
    detail::decode_stored_chunk(name, k, chunk_of(parts), kEarliest, kLatest, samples);
    auto at = std::lower_bound(samples.begin(), samples.end(), sample, timestamp_less);
    long long added = 0;
    if (at != samples.end() && at->timestamp == sample.timestamp) {
      if (policy == DuplicatePolicy::block) {
        call.reject(duplicate(name, sample.timestamp));
        return;
      }
      if (policy == DuplicatePolicy::first) {
        return;
      }
      at->value = merge(policy, at->value, sample.value);
    } else {
      samples.insert(at, sample);
      added = 1;
    }
    std::vector<std::string> args{std::to_string(parts.at(2).as_string().size()), id, std::to_string(added)};
    append_pieces(args, encode_pieces(samples, limits::kBulkBlockSamples));
    if (client.command(embedded_script(ScriptName::ts_chunk_put).call({k.meta, k.head, k.chunks, k.summary}, std::move(args)))
            .as_integer() == 1) {
      return;
    }
  }
  throw_contended(name);
}

std::uint64_t Store::Impl::cut_from_chunk(std::string_view name, const detail::SeriesKeys& k, Timestamp at,
                                          Timestamp lo, Timestamp hi) const {
  std::vector<Sample> samples;
  for (int attempt = 0; attempt < limits::kMaxRewriteAttempts; ++attempt) {
    const Reply reply =
        run(name, embedded_script(ScriptName::ts_chunk_get).call({k.meta, k.chunks, k.summary}, {std::to_string(at)}));
    const auto& parts = reply.as_array();
    if (parts.size() == 1) {
      return 0;
    }
    samples.clear();
    detail::decode_stored_chunk(name, k, chunk_of(parts), kEarliest, kLatest, samples);
    const auto first = std::lower_bound(samples.begin(), samples.end(), Sample{lo, 0}, timestamp_less);
    const auto last = std::upper_bound(samples.begin(), samples.end(), Sample{hi, 0}, timestamp_less);
    const auto removed = static_cast<std::uint64_t>(last - first);
    if (removed == 0) {
      return 0;
    }
    samples.erase(first, last);
    std::vector<std::string> args{std::to_string(parts.at(2).as_string().size()), parts.at(1).as_string(),
                                  std::to_string(-static_cast<long long>(removed))};
    append_pieces(args, encode_pieces(samples, limits::kBulkBlockSamples));
    if (client.command(embedded_script(ScriptName::ts_chunk_put).call({k.meta, k.head, k.chunks, k.summary}, std::move(args)))
            .as_integer() == 1) {
      return removed;
    }
  }
  throw_contended(name);
}

void Store::Impl::finish_add(std::string_view name, const detail::SeriesKeys& k, std::span<const Sample> batch,
                             const Reply& reply, AddCall& call, std::vector<RuleUpdate>& updates,
                             std::vector<DueSeal>* due_seals) const {
  const auto& parts = reply.as_array();
  const long long seal_due = parts.at(0).as_integer();
  if (!call.refuse_before) {
    call.refuse_before = parse_kept_from(parts.at(1));
  }
  if (parts.size() > 2) {
    // Outcomes per record (ts_add.lua), then rule updates.
    parse_rule_updates(parts, 2 + batch.size(), updates);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const long long outcome = parts.at(2 + i).as_integer();
      if (outcome == -1) {
        call.reject(duplicate(name, batch[i].timestamp));
      } else if (outcome == -2) {
        call.reject(too_old(name, batch[i].timestamp));
      } else if (outcome == -3) {
        place_in_chunk(name, k, batch[i], call, updates);
      }
    }
  }
  if (seal_due > 0) {
    // At least this many are in the head unless another writer sealed it.
    const std::size_t min_samples = std::min(static_cast<std::size_t>(seal_due), limits::kHeadSealSamples);
    if (due_seals != nullptr) {
      due_seals->push_back(DueSeal{std::string(name), k, min_samples});
    } else {
      seal_head(name, k, min_samples);
    }
  }
}

void Store::Impl::add_through_head(std::string_view name, const detail::SeriesKeys& k,
                                   std::span<const Sample> samples, AddCall& call,
                                   std::vector<RuleUpdate>& updates) const {
  const std::string policy = call.on_duplicate ? to_string(*call.on_duplicate) : "";
  for (std::size_t begin = 0; begin < samples.size(); begin += limits::kMaxRecordsPerAdd) {
    const auto batch = samples.subspan(begin, std::min(limits::kMaxRecordsPerAdd, samples.size() - begin));
    const Reply reply =
        run(name, embedded_script(ScriptName::ts_add).call(
                      {k.meta, k.head, k.chunks, k.rules},
                      {detail::encode_records(batch), policy,
                       call.refuse_before ? std::to_string(*call.refuse_before) : std::string(),
                       std::to_string(std::max(call.newest, batch.back().timestamp))}));
    finish_add(name, k, batch, reply, call, updates);
  }
}

void Store::Impl::add_sorted(std::string_view name, std::span<const Sample> samples, AddCall& call) const {
  const auto k = keys(name);
  std::vector<RuleUpdate> updates;
  auto attempt = [&] {
    std::size_t split = 0;  // samples before it may be older than the series
    if (samples.size() >= limits::kBulkMinSamples) {
      // Bulk storing skips ts_add, which would report what the call judges
      // retention by: read it here.
      const Reply state = run(name, embedded_script(ScriptName::ts_kept_from).call({k.meta}, {}));
      const auto& fields = state.as_array();
      if (!call.refuse_before) {
        call.refuse_before = parse_kept_from(fields.at(1));
      }
      if (const auto last = detail::parse_last(fields.at(0).as_string())) {
        split = static_cast<std::size_t>(
            std::upper_bound(samples.begin(), samples.end(), Sample{*last, 0}, timestamp_less) - samples.begin());
      }
    }
    add_through_head(name, k, samples.first(split), call, updates);
    auto newer = samples.subspan(split);
    if (newer.size() >= limits::kBulkMinSamples) {
      newer = newer.subspan(append_compressed(name, k, newer, updates));
    }
    add_through_head(name, k, newer, call, updates);
  };
  try {
    attempt();
  } catch (const SeriesNotFound&) {
    create(name, options.default_series, false);
    attempt();
  }
  apply_rule_updates(name, updates);
}

void Store::add(std::string_view name, Timestamp timestamp, double value, std::optional<DuplicatePolicy> on_duplicate) {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_add);
  detail::validate_series_name(name);
  detail::validate_timestamp(timestamp);
  detail::validate_value(timestamp, value);
  detail::validate_policy(on_duplicate);
  const Sample sample{timestamp, value};
  AddCall call{.on_duplicate = on_duplicate, .newest = timestamp};
  impl_->add_sorted(name, std::span(&sample, 1), call);
  call.throw_if_rejected();
}

Timestamp Store::add_now(std::string_view name, double value) {
  const Timestamp now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  add(name, now, value);
  return now;
}

namespace {

// Adds one series' samples, in any order, within `call`.
void add_unsorted(const Store::Impl& impl, std::string_view name, std::span<const Sample> samples, AddCall& call) {
  std::vector<Sample> sorted(samples.begin(), samples.end());
  if (!std::is_sorted(sorted.begin(), sorted.end(), timestamp_less)) {
    std::stable_sort(sorted.begin(), sorted.end(), timestamp_less);
  }
  call.newest = std::max(call.newest, sorted.back().timestamp);
  // Samples sharing a timestamp go in successive passes, in the order given,
  // so the duplicate policy resolves them as if they had been added one by
  // one; every pass judges retention by the line the first one reported.
  auto same_timestamp = [](const Sample& a, const Sample& b) { return a.timestamp == b.timestamp; };
  while (std::adjacent_find(sorted.begin(), sorted.end(), same_timestamp) != sorted.end()) {
    std::vector<Sample> firsts;
    std::vector<Sample> later;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      (i > 0 && sorted[i].timestamp == sorted[i - 1].timestamp ? later : firsts).push_back(sorted[i]);
    }
    impl.add_sorted(name, firsts, call);
    sorted = std::move(later);
  }
  impl.add_sorted(name, sorted, call);
}

}  // namespace

void Store::add_many(std::string_view name, std::span<const Sample> samples,
                     std::optional<DuplicatePolicy> on_duplicate) {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_add_many);
  detail::validate_series_name(name);
  detail::validate_samples(samples);
  detail::validate_policy(on_duplicate);
  if (samples.empty()) {
    return;
  }
  AddCall call{.on_duplicate = on_duplicate};
  add_unsorted(*impl_, name, samples, call);
  call.throw_if_rejected();
}

void Store::add_many(std::span<const NamedSample> samples, std::optional<DuplicatePolicy> on_duplicate) {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_add_many);
  detail::validate_policy(on_duplicate);
  std::map<std::string, std::vector<Sample>> by_series;
  for (const NamedSample& named : samples) {
    detail::validate_series_name(named.series);
    detail::validate_timestamp(named.timestamp);
    detail::validate_value(named.timestamp, named.value);
    by_series[named.series].push_back({named.timestamp, named.value});
  }
  // Series whose samples fit one ts_add call, in order and without repeated
  // timestamps, share one pipeline; the others take the one-series path
  // after it. A refusal in one series never stops the others: the first is
  // thrown once all are stored.
  std::optional<SampleRejected> rejected;
  auto remember = [&](const AddCall& call) {
    if (call.rejected && !rejected) {
      rejected = call.rejected;
    }
  };
  using SeriesRef = std::pair<const std::string*, std::vector<Sample>*>;
  std::vector<SeriesRef> simple;
  std::vector<SeriesRef> one_by_one;
  for (auto& [name, series] : by_series) {
    const bool fits = series.size() <= limits::kMaxRecordsPerAdd &&
                      std::adjacent_find(series.begin(), series.end(), [](const Sample& a, const Sample& b) {
                        return a.timestamp >= b.timestamp;
                      }) == series.end();
    (fits ? simple : one_by_one).emplace_back(&name, &series);
  }
  // The common case first: the simple series' records appended by
  // ts_add_many, kAddManyBatch series per call, kAddManyCallsPerRoundTrip
  // calls per round trip.
  // The series it leaves alone go through ts_add below.
  std::vector<SeriesRef> pipelined;
  std::vector<Store::Impl::DueSeal> due_seals;
  {
    std::vector<detail::SeriesKeys> simple_keys;
    simple_keys.reserve(simple.size());
    std::vector<Command> batches;
    for (std::size_t begin = 0; begin < simple.size(); begin += limits::kAddManyBatch) {
      std::vector<std::string> keys;
      std::vector<std::string> records;
      for (std::size_t i = begin; i < std::min(simple.size(), begin + limits::kAddManyBatch); ++i) {
        const auto& k = simple_keys.emplace_back(impl_->keys(*simple[i].first));
        keys.push_back(k.meta);
        keys.push_back(k.head);
        records.push_back(detail::encode_records(*simple[i].second));
      }
      batches.push_back(embedded_script(ScriptName::ts_add_many).call(keys, records));
    }
    const std::vector<Reply> answers = impl_->execute_sliced(batches, limits::kAddManyCallsPerRoundTrip);
    for (std::size_t batch = 0; batch < answers.size(); ++batch) {
      const auto& per_series = answers[batch].throw_if_error().as_array();
      const std::size_t sent = std::min(limits::kAddManyBatch, simple.size() - batch * limits::kAddManyBatch);
      if (per_series.size() != sent) {
        throw ProtocolError(fmt::format("ts_add_many answered {} series of {}", per_series.size(), sent));
      }
      for (std::size_t j = 0; j < per_series.size(); ++j) {
        const std::size_t index = batch * limits::kAddManyBatch + j;
        const SeriesRef& ref = simple.at(index);
        if (!per_series[j].is_array()) {
          pipelined.push_back(ref);
          continue;
        }
        AddCall call{.on_duplicate = on_duplicate, .newest = ref.second->back().timestamp};
        std::vector<RuleUpdate> updates;
        impl_->finish_add(*ref.first, simple_keys.at(index), *ref.second, per_series[j], call, updates, &due_seals);
        remember(call);
      }
    }
  }
  std::vector<Command> commands;
  const std::string policy = on_duplicate ? to_string(*on_duplicate) : "";
  for (const auto& [name, series] : pipelined) {
    const auto k = impl_->keys(*name);
    commands.push_back(embedded_script(ScriptName::ts_add).call(
        {k.meta, k.head, k.chunks, k.rules},
        {detail::encode_records(*series), policy, "", std::to_string(series->back().timestamp)}));
  }
  const std::vector<Reply> replies = impl_->execute_sliced(commands, limits::kSeriesCallsPerRoundTrip);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const std::string& name = *pipelined[i].first;
    const std::vector<Sample>& series = *pipelined[i].second;
    AddCall call{.on_duplicate = on_duplicate, .newest = series.back().timestamp};
    if (replies[i].is_error() && replies[i].error_message().starts_with("NOSERIES")) {
      add_unsorted(*impl_, name, series, call);  // creates it
      remember(call);
      continue;
    }
    if (replies[i].is_error()) {
      impl_->throw_series_error(name, ReplyError(replies[i].error_message()));
    }
    replies[i].throw_if_error();
    std::vector<RuleUpdate> updates;
    const auto k = impl_->keys(name);
    impl_->finish_add(name, k, series, replies[i], call, updates, &due_seals);
    impl_->apply_rule_updates(name, updates);
    remember(call);
  }
  // Heads the adds above filled, sealed together.
  impl_->seal_heads(due_seals);
  for (const auto& [name, series] : one_by_one) {
    AddCall call{.on_duplicate = on_duplicate};
    add_unsorted(*impl_, *name, *series, call);
    remember(call);
  }
  if (rejected) {
    throw *rejected;
  }
}

}  // namespace redkit::ts
