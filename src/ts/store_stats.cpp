// Store::storage_stats: the store's storage from the index of series, every
// series read once as info() reads it, pipelined, never a KEYS or a SCAN.
#include <algorithm>

#include "redkit/error.hpp"
#include "ts/store_impl.hpp"

namespace redkit::ts {

namespace {

void count(StorageUsage& usage, const SeriesInfo& info) {
  usage.series += 1;
  usage.samples += info.samples;
  usage.memory_bytes += info.memory_bytes;
}

}  // namespace

StorageStats Store::storage_stats(std::string_view label, std::size_t top) const {
  const Reply members = impl_->client.command({"SMEMBERS", impl_->series_set});
  std::vector<std::string> names;
  for (const Reply& member : members.as_array()) {
    names.push_back(member.as_string());
  }
  std::sort(names.begin(), names.end());
  std::vector<detail::SeriesKeys> keys;
  std::vector<Command> calls;
  keys.reserve(names.size());
  calls.reserve(names.size());
  for (const std::string& name : names) {
    keys.push_back(impl_->keys(name));
    calls.push_back(Impl::info_call(keys.back()));
  }
  const std::vector<Reply> replies = impl_->execute_sliced(calls, limits::kSeriesCallsPerRoundTrip);
  StorageStats stats{.label = std::string(label)};
  std::vector<SeriesInfo> all;
  all.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (replies[i].is_error()) {
      if (replies[i].error_message().starts_with("NOSERIES")) {
        continue;  // deleted since the index was read
      }
      impl_->throw_series_error(names[i], ReplyError(replies[i].error_message()));
    }
    SeriesInfo info = Impl::info_from(names[i], keys[i], replies[i]);
    count(stats.total, info);
    if (!label.empty()) {
      const auto value = info.labels.find(std::string(label));
      count(stats.by_label[value == info.labels.end() ? std::string() : value->second], info);
    }
    all.push_back(std::move(info));
  }
  const std::size_t kept = std::min(top, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(kept), all.end(),
                    [](const SeriesInfo& a, const SeriesInfo& b) {
                      return a.memory_bytes != b.memory_bytes ? a.memory_bytes > b.memory_bytes : a.name < b.name;
                    });
  all.resize(kept);
  stats.largest = std::move(all);
  return stats;
}

}  // namespace redkit::ts
