// Store: multi-series queries through the label index ({ts-index} sets kept
// by the create, alter and delete scripts).
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "redkit/error.hpp"
#include "ts/aggregation.hpp"
#include "ts/head_records.hpp"
#include "ts/label_filter.hpp"
#include "ts/store_impl.hpp"
#include "ts/stored_data.hpp"
#include "ts/validation.hpp"

namespace redkit::ts {

namespace {

using NameSet = std::set<std::string>;

NameSet members_of(const Reply& reply) {
  NameSet names;
  for (const Reply& member : reply.as_array()) {
    names.insert(member.as_string());
  }
  return names;
}

NameSet intersect(const NameSet& a, const NameSet& b) {
  NameSet out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

NameSet subtract(const NameSet& a, const NameSet& b) {
  NameSet out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

bool is_reducer(Aggregator aggregator) {
  switch (aggregator) {
    case Aggregator::first:
    case Aggregator::last:
    case Aggregator::twa:
      return false;
    default:
      return true;
  }
}

Labels labels_of(const Reply& reply) {
  Labels labels;
  const auto& fields = reply.as_array();
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    labels.emplace(fields[i].as_string(), fields[i + 1].as_string());
  }
  return labels;
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
  const auto replies = impl_->client.execute(commands);
  NameSet names = members_of(replies.at(0).throw_if_error());
  std::size_t next = 1;
  for (const detail::LabelFilter* filter : rest) {
    NameSet matched;
    const std::size_t sets = std::max<std::size_t>(filter->values.size(), 1);
    for (std::size_t i = 0; i < sets; ++i) {
      const NameSet found = members_of(replies.at(next++).throw_if_error());
      matched.insert(found.begin(), found.end());
    }
    // "k=" keeps series without k, "k!=" those with it.
    const bool keep_matched = filter->values.empty() ? filter->negated : !filter->negated;
    names = keep_matched ? intersect(names, matched) : subtract(names, matched);
  }
  return {names.begin(), names.end()};
}

std::vector<SeriesSamples> Store::mget(const std::vector<std::string>& filters) const {
  const std::vector<std::string> names = query_index(filters);
  // Every series' labels and newest sample in one pipelined round trip of
  // plain commands (cheaper for the server than the same reads from a
  // script): the head holds the newest samples in timestamp order, so its
  // last record is the newest sample. Each command is atomic and every write
  // appends or cuts whole records, so the last 16 bytes are always a whole
  // record; a head emptied meanwhile (sealed, or the series deleted) is read
  // the usual way below.
  std::vector<Command> commands;
  commands.reserve(3 * names.size());
  for (const std::string& name : names) {
    const auto k = impl_->keys(name);
    commands.push_back(Command::raw({"STRLEN", k.head}));
    commands.push_back(Command::raw({"GETRANGE", k.head, "-16", "-1"}));
    commands.push_back(Command::raw({"HGETALL", k.labels}));
  }
  const std::vector<Reply> replies = impl_->client.execute(commands);
  std::vector<SeriesSamples> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    if (replies[3 * i].throw_if_error().as_integer() % static_cast<long long>(detail::kRecordBytes) != 0) {
      detail::throw_corrupt_head(name, impl_->keys(name), "it is not a whole number of records");
    }
    const std::string& newest = replies[3 * i + 1].throw_if_error().as_string();
    SeriesSamples series{name, labels_of(replies[3 * i + 2].throw_if_error()), {}};
    if (newest.size() == detail::kRecordBytes) {
      detail::decode_records(newest, kMinTimestamp, kMaxTimestamp, series.samples);
    } else {
      // An empty head: the newest sample, if any, is in the newest chunk.
      try {
        if (auto latest_sample = latest(name)) {
          series.samples.push_back(*latest_sample);
        }
      } catch (const SeriesNotFound&) {
        continue;  // deleted between the index read and this one
      }
    }
    out.push_back(std::move(series));
  }
  return out;
}

std::vector<SeriesSamples> Store::mrange(const std::vector<std::string>& filters, const RangeOptions& query,
                                         const std::optional<GroupBy>& group_by) const {
  detail::validate_query(query);
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
  // Every series' labels and the first page of its range in one round trip
  // per kMrangeBatch series; a series whose range spans more pages reads the
  // rest on its own.
  const std::vector<std::string> names = query_index(filters);
  std::vector<SeriesSamples> series;
  for (std::size_t begin = 0; begin < names.size(); begin += limits::kMrangeBatch) {
    const std::size_t end = std::min(names.size(), begin + limits::kMrangeBatch);
    std::vector<Command> commands;
    std::vector<std::size_t> first_reply;  // per series, then the end
    for (std::size_t i = begin; i < end; ++i) {
      first_reply.push_back(commands.size());
      commands.push_back(Command::raw({"HGETALL", impl_->keys(names[i]).labels}));
      for (Command& fetch : impl_->prefetch_commands(names[i], query)) {
        commands.push_back(std::move(fetch));
      }
    }
    first_reply.push_back(commands.size());
    const std::vector<Reply> replies = impl_->client.execute(commands);
    for (std::size_t i = begin; i < end; ++i) {
      const std::span<const Reply> own(replies.data() + first_reply[i - begin],
                                       first_reply[i - begin + 1] - first_reply[i - begin]);
      const Impl::Prefetched prefetched = Impl::prefetched_from(own.subspan(1), query);
      try {
        Labels labels = labels_of(own[0].throw_if_error());
        series.push_back(SeriesSamples{names[i], std::move(labels), impl_->query(names[i], query, false, &prefetched)});
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
