// Store::mget: every matching series' newest sample. The writers keep it in
// the series' metadata ('nw' beside 'last', see lib/ts_append.lua), so one
// read per series answers, and for the common filter of one label=value a
// single SORT_RO over that label's index set reads every series' fields in
// one command.
#include <algorithm>

#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"
#include "ts/head_records.hpp"
#include "ts/label_filter.hpp"
#include "ts/label_selection.hpp"
#include "ts/series_keys.hpp"
#include "ts/store_impl.hpp"
#include "ts/stored_data.hpp"

namespace redkit::ts {

namespace {

// One series' answer while it is assembled: `newest_in_chunk` when its
// metadata had no 'nw' that matches 'last' (the head was emptied by a
// delete, or a writer that does not keep 'nw' moved 'last'), so the
// newest sample is read from the newest chunk.
struct Pending {
  SeriesSamples series;
  bool newest_in_chunk = false;
};

// The newest sample from 'last' and 'nw' replies into `pending`. 'nw' is
// trusted only when its timestamp is 'last': a writer that moved 'last'
// without it is never mistaken for the newest sample.
void take_newest(const Reply& last, const Reply& record, Pending& pending) {
  if (last.is_nil()) {
    return;  // no samples
  }
  const std::optional<Timestamp> timestamp = detail::parse_last(last.as_string());
  std::vector<Sample> newest;
  if (timestamp && !record.is_nil() && record.as_string().size() == detail::kRecordBytes) {
    detail::decode_records(record.as_string(), kMinTimestamp, kMaxTimestamp, newest);
  }
  if (newest.size() != 1 || newest.front().timestamp != *timestamp) {
    pending.newest_in_chunk = true;
    return;
  }
  pending.series.samples.push_back(newest.front());
}

// The one index set a filter list reads when it is a single label=value.
std::optional<std::string> single_set(const std::vector<std::string>& filters, const std::string& index_prefix) {
  if (filters.size() != 1) {
    return std::nullopt;
  }
  const detail::LabelFilter filter = detail::parse_label_filter(filters.front());
  if (filter.negated || filter.values.size() != 1) {
    return std::nullopt;
  }
  return index_prefix + "label:" + filter.label + "=" + filter.values.front();
}

}  // namespace

std::vector<SeriesSamples> Store::mget(const std::vector<std::string>& filters, const LabelSelection& labels) const {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_mget);
  detail::validate_selection(labels);
  std::vector<Pending> pending;
  bool answered = false;
  // SORT_RO's GET patterns put the series name where the first '*' is and
  // read a hash field after '->': a prefix holding either is read the
  // general way, as is every label (that takes HGETALL per series). A server
  // that refuses the command (a cluster, an ACL) is read the general way too.
  const std::string meta = impl_->options.prefix + "ts:{*}";
  const bool patterns_fit = impl_->options.prefix.find('*') == std::string::npos &&
                            impl_->options.prefix.find("->") == std::string::npos;
  if (const auto set = single_set(filters, impl_->index_prefix);
      set && patterns_fit && labels.mode != LabelSelection::Mode::all) {
    Command sort = Command::raw({"SORT_RO"});
    sort.key(*set).arg("BY").arg("nosort").arg("GET").arg("#");
    sort.arg("GET").arg(meta + "->last").arg("GET").arg(meta + "->nw");
    for (const std::string& label : labels.names) {
      sort.arg("GET").arg(meta + ":labels->" + label);
    }
    Reply reply = impl_->client.command(sort);
    if (!reply.is_error()) {
      const std::size_t stride = 3 + labels.names.size();
      const ReplyArray& fields = reply.as_array();
      pending.reserve(fields.size() / stride);
      for (std::size_t at = 0; at + stride <= fields.size(); at += stride) {
        Pending& entry = pending.emplace_back();
        entry.series.name = fields[at].as_string();
        take_newest(fields[at + 1], fields[at + 2], entry);
        for (std::size_t j = 0; j < labels.names.size(); ++j) {
          if (!fields[at + 3 + j].is_nil()) {
            entry.series.labels.emplace(labels.names[j], fields[at + 3 + j].as_string());
          }
        }
      }
      std::sort(pending.begin(), pending.end(),
                [](const Pending& a, const Pending& b) { return a.series.name < b.series.name; });
      answered = true;
    }
  }
  if (!answered) {
    // Every series' fields (and selected labels) in one pipelined round
    // trip after the index read; 'v' tells a series deleted meanwhile.
    const std::vector<std::string> names = query_index(filters);
    const std::size_t per_series = labels.mode == LabelSelection::Mode::none ? 1 : 2;
    std::vector<Command> commands;
    commands.reserve(per_series * names.size());
    for (const std::string& name : names) {
      const detail::SeriesKeys k = impl_->keys(name);
      commands.push_back(std::move(Command("HMGET").key(k.meta).arg("v").arg("last").arg("nw")));
      if (auto read = detail::labels_command(k.labels, labels)) {
        commands.push_back(std::move(*read));
      }
    }
    const std::vector<Reply> replies = impl_->client.execute(commands);
    pending.reserve(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      const Reply* own = replies.data() + per_series * i;
      const ReplyArray& fields = own[0].throw_if_error().as_array();
      if (fields.at(0).is_nil()) {
        continue;  // deleted between the index read and this one
      }
      Pending& entry = pending.emplace_back();
      entry.series.name = names[i];
      if (per_series == 2) {
        entry.series.labels = detail::selected_labels(own[1], labels);
      }
      take_newest(fields.at(1), fields.at(2), entry);
    }
  }
  // Series whose newest sample is in a chunk: all read in one more round trip.
  std::vector<Command> newest_reads;
  for (const Pending& entry : pending) {
    if (entry.newest_in_chunk) {
      newest_reads.push_back(Impl::newest_call(impl_->keys(entry.series.name)));
    }
  }
  const std::vector<Reply> newest = impl_->execute_sliced(newest_reads, limits::kSeriesCallsPerRoundTrip);
  std::vector<SeriesSamples> out;
  out.reserve(pending.size());
  std::size_t next_read = 0;
  for (Pending& entry : pending) {
    if (entry.newest_in_chunk) {
      try {
        if (auto sample = impl_->newest_from(entry.series.name, newest[next_read++])) {
          entry.series.samples.push_back(*sample);
        }
      } catch (const SeriesNotFound&) {
        continue;  // deleted between the reads
      }
    }
    out.push_back(std::move(entry.series));
  }
  return out;
}

}  // namespace redkit::ts
