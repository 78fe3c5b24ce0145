// Store: multi-series queries through the label index ({ts-index} sets kept
// by the create, alter and delete scripts).
#include <algorithm>
#include <future>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"
#include "ts/aggregation.hpp"
#include "ts/head_records.hpp"
#include "ts/label_filter.hpp"
#include "ts/label_selection.hpp"
#include "ts/series_keys.hpp"
#include "ts/store_impl.hpp"
#include "ts/stored_data.hpp"
#include "ts/validation.hpp"

namespace redkit::ts {

namespace {

// Series names, sorted, for the set algebra of label filters.
using NameList = std::vector<std::string>;

NameList members_of(Reply& reply) {
  reply.throw_if_error();
  NameList names;
  ReplyArray& members = reply.as_array();
  names.reserve(members.size());
  for (Reply& member : members) {
    names.push_back(std::move(member).take_string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

NameList intersect(const NameList& a, const NameList& b) {
  NameList out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

NameList subtract(const NameList& a, const NameList& b) {
  NameList out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

NameList unite(const NameList& a, const NameList& b) {
  NameList out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

bool is_reducer(Aggregator aggregator) {
  switch (aggregator) {
    case Aggregator::first:
    case Aggregator::last:
    case Aggregator::twa:
    case Aggregator::increase:
    case Aggregator::rate:
    case Aggregator::percentile:  // a reducer has no quantile to take
      return false;
    default:
      return true;
  }
}

}  // namespace

std::vector<std::string> Store::query_index(const std::vector<std::string>& filters) const {
  if (filters.empty()) {
    throw InvalidArgument("a multi-series query needs at least one label filter");
  }
  std::vector<detail::LabelFilter> parsed;
  for (const std::string& text : filters) {
    parsed.push_back(detail::parse_label_filter(text));
  }
  // One round trip. The base is the server's intersection of the sets of
  // every "k=v" filter (each holds only existing series), or the set of all
  // series when there is none; the other filters' sets come after it and are
  // applied here.
  std::vector<std::string> exact;
  std::vector<const detail::LabelFilter*> rest;
  for (const auto& filter : parsed) {
    if (!filter.negated && filter.values.size() == 1) {
      exact.push_back(impl_->index_prefix + "label:" + filter.label + "=" + filter.values.front());
    } else {
      rest.push_back(&filter);
    }
  }
  std::vector<Command> commands;
  if (exact.empty()) {
    commands.push_back(Command::raw({"SMEMBERS", impl_->series_set}));
  } else {
    Command intersection = Command::raw({"SINTER"});
    for (const std::string& key : exact) {
      intersection.key(key);
    }
    commands.push_back(std::move(intersection));
  }
  for (const detail::LabelFilter* filter : rest) {
    if (filter->values.empty()) {
      commands.push_back(Command::raw({"SMEMBERS", impl_->index_prefix + "key:" + filter->label}));
    }
    for (const std::string& value : filter->values) {
      commands.push_back(Command::raw({"SMEMBERS", impl_->index_prefix + "label:" + filter->label + "=" + value}));
    }
  }
  std::vector<Reply> replies = impl_->client.execute(commands);
  NameList names = members_of(replies.at(0));
  std::size_t next = 1;
  for (const detail::LabelFilter* filter : rest) {
    NameList matched;
    const std::size_t sets = std::max<std::size_t>(filter->values.size(), 1);
    for (std::size_t i = 0; i < sets; ++i) {
      matched = unite(matched, members_of(replies.at(next++)));
    }
    // "k=" keeps series without k, "k!=" those with it.
    const bool keep_matched = filter->values.empty() ? filter->negated : !filter->negated;
    names = keep_matched ? intersect(names, matched) : subtract(names, matched);
  }
  return names;
}

std::vector<SeriesSamples> Store::mrange(const std::vector<std::string>& filters, const RangeOptions& query,
                                         const std::optional<GroupBy>& group_by, const LabelSelection& labels) const {
  ::redkit::detail::SelfTimer self_timer(SelfOp::ts_mrange);
  detail::validate_query(query);
  detail::validate_selection(labels);
  if (group_by) {
    if (group_by->label.empty()) {
      throw InvalidArgument("group-by label is empty");
    }
    if (!is_reducer(group_by->reducer)) {
      throw InvalidArgument(fmt::format("'{}' cannot reduce a group (use avg, sum, min, max, range, count, std.p, "
                                        "std.s, var.p or var.s)",
                                        to_string(group_by->reducer)));
    }
  }
  // Every series' labels and the first page of its range in two round trips
  // per kMrangeBatch series (Impl::PrefetchState); a series whose range
  // spans more pages reads the rest on its own. Groups need only the label
  // they group by. The next batch is fetched (and its replies parsed) on a
  // second thread while this one is decoded and aggregated, so the server's
  // work and ours overlap.
  const LabelSelection read_labels = group_by ? LabelSelection::only({group_by->label}) : labels;
  const std::vector<std::string> names = query_index(filters);
  struct Batch {
    std::vector<Labels> labels;
    std::vector<Impl::Prefetched> prefetched;
  };
  auto fetch = [&](std::size_t begin) {
    const std::size_t end = std::min(names.size(), begin + limits::kMrangeBatch);
    const std::size_t label_replies = read_labels.mode == LabelSelection::Mode::none ? 0 : 1;
    std::vector<Command> commands;
    std::vector<std::size_t> first_reply;  // per series, then the end
    std::vector<detail::SeriesKeys> keys;
    keys.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      first_reply.push_back(commands.size());
      const detail::SeriesKeys& k = keys.emplace_back(impl_->keys(names[i]));
      if (auto read = detail::labels_command(k.labels, read_labels)) {
        commands.push_back(std::move(*read));
      }
      for (Command& fetch_command : impl_->prefetch_commands(k, query)) {
        commands.push_back(std::move(fetch_command));
      }
    }
    first_reply.push_back(commands.size());
    std::vector<Reply> replies = impl_->client.execute(commands);
    Batch batch;
    // The second round: the chunks each series' first page needs.
    std::vector<Impl::PrefetchState> states;
    std::vector<std::pair<std::size_t, std::size_t>> chunk_reply;  // per series: its replies (first, count)
    std::vector<Command> chunk_reads;
    for (std::size_t i = begin; i < end; ++i) {
      const std::span<Reply> own(replies.data() + first_reply[i - begin],
                                 first_reply[i - begin + 1] - first_reply[i - begin]);
      // A missing series answers an empty labels hash; its read reports it.
      batch.labels.push_back(label_replies == 1 ? detail::selected_labels(own[0], read_labels) : Labels{});
      states.push_back(Impl::prefetch_state(own.subspan(label_replies), query));
      std::vector<Command> reads = Impl::prefetch_chunk_commands(keys[i - begin], states.back());
      chunk_reply.emplace_back(chunk_reads.size(), reads.size());
      for (Command& read : reads) {
        chunk_reads.push_back(std::move(read));
      }
    }
    std::vector<Reply> chunk_replies =
        chunk_reads.empty() ? std::vector<Reply>{} : impl_->client.execute(chunk_reads);
    for (std::size_t i = 0; i < states.size(); ++i) {
      const std::span<Reply> own(chunk_replies.data() + chunk_reply[i].first, chunk_reply[i].second);
      batch.prefetched.push_back(Impl::prefetched_from(std::move(states[i]), own));
    }
    return batch;
  };
  std::vector<SeriesSamples> series;
  series.reserve(names.size());
  std::future<Batch> next;
  if (!names.empty()) {
    next = std::async(std::launch::async, fetch, 0);
  }
  for (std::size_t begin = 0; begin < names.size(); begin += limits::kMrangeBatch) {
    Batch batch = next.get();
    if (begin + limits::kMrangeBatch < names.size()) {
      next = std::async(std::launch::async, fetch, begin + limits::kMrangeBatch);
    }
    for (std::size_t j = 0; j < batch.prefetched.size(); ++j) {
      const std::string& name = names[begin + j];
      try {
        series.push_back(
            SeriesSamples{name, std::move(batch.labels[j]), impl_->query(name, query, false, &batch.prefetched[j])});
      } catch (const SeriesNotFound&) {
        // Deleted between the index read and this one.
      }
    }
  }
  if (!group_by) {
    return series;
  }
  // label value -> member series
  std::map<std::string, std::vector<const SeriesSamples*>> groups;
  for (const SeriesSamples& member : series) {
    if (auto label = member.labels.find(group_by->label); label != member.labels.end()) {
      groups[label->second].push_back(&member);
    }
  }
  std::vector<SeriesSamples> reduced;
  for (const auto& [value, members] : groups) {
    std::map<Timestamp, std::vector<Sample>> at;
    std::string sources;
    for (const SeriesSamples* member : members) {
      sources += (sources.empty() ? "" : ",") + member->name;
      for (const Sample& sample : member->samples) {
        at[sample.timestamp].push_back(sample);
      }
    }
    SeriesSamples group{fmt::format("{}={}", group_by->label, value),
                        {{group_by->label, value}, {"__reducer__", to_string(group_by->reducer)}, {"__source__", sources}},
                        {}};
    for (const auto& [timestamp, values] : at) {
      group.samples.push_back(
          {timestamp, detail::aggregate_bucket(group_by->reducer, values, timestamp, timestamp + 1, nullptr, nullptr)});
    }
    reduced.push_back(std::move(group));
  }
  return reduced;
}

}  // namespace redkit::ts
