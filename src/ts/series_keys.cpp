#include "ts/series_keys.hpp"

#include <fmt/format.h>

namespace redkit::ts::detail {

SeriesKeys::SeriesKeys(std::string_view prefix, std::string_view name)
    : meta(fmt::format("{}ts:{{{}}}", prefix, name)),
      head(meta + ":head"),
      chunks(meta + ":chunks"),
      summary(meta + ":summary"),
      labels(meta + ":labels"),
      rules(meta + ":rules") {}

std::string SeriesKeys::chunk(std::string_view id) const { return fmt::format("{}:c:{}", meta, id); }

std::string series_part_key(std::string_view prefix, std::string_view name, std::string_view part) {
  std::string key;
  key.reserve(prefix.size() + name.size() + part.size() + 6);
  key.append(prefix).append("ts:{").append(name).append("}:").append(part);
  return key;
}

std::string index_prefix(std::string_view prefix) { return fmt::format("{}{{ts-index}}:", prefix); }

std::string series_set_key(std::string_view prefix) { return index_prefix(prefix) + "series"; }

}  // namespace redkit::ts::detail
