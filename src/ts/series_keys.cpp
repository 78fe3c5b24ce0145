#include "ts/series_keys.hpp"

#include <fmt/format.h>

namespace redkit::ts::detail {

namespace {

// meta + suffix in one allocation: multi-series reads build these for
// thousands of series per call.
std::string joined(const std::string& meta, std::string_view suffix) {
  std::string key;
  key.reserve(meta.size() + suffix.size());
  key.append(meta).append(suffix);
  return key;
}

std::string meta_key(std::string_view prefix, std::string_view name) {
  std::string key;
  key.reserve(prefix.size() + name.size() + 5);
  key.append(prefix).append("ts:{").append(name).append("}");
  return key;
}

}  // namespace

SeriesKeys::SeriesKeys(std::string_view prefix, std::string_view name)
    : meta(meta_key(prefix, name)),
      head(joined(meta, ":head")),
      chunks(joined(meta, ":chunks")),
      summary(joined(meta, ":summary")),
      labels(joined(meta, ":labels")),
      rules(joined(meta, ":rules")),
      sketches(joined(meta, ":sketch")) {}

std::string SeriesKeys::chunk(std::string_view id) const { return fmt::format("{}:c:{}", meta, id); }

std::string series_part_key(std::string_view prefix, std::string_view name, std::string_view part) {
  std::string key = meta_key(prefix, name);
  key.reserve(key.size() + part.size() + 1);
  key.append(":").append(part);
  return key;
}

std::string index_prefix(std::string_view prefix) { return fmt::format("{}{{ts-index}}:", prefix); }

std::string series_set_key(std::string_view prefix) { return index_prefix(prefix) + "series"; }

}  // namespace redkit::ts::detail
