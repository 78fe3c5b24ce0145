// The Redis keys of one series and of the label index (docs/KEYS.md). Every
// key of a series carries the hash tag {NAME}; the index keys share
// {ts-index}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace redkit::ts::detail {

struct SeriesKeys {
  SeriesKeys(std::string_view prefix, std::string_view name);

  std::string meta;     // <prefix>ts:{NAME}           hash: settings, counters
  std::string head;     // <prefix>ts:{NAME}:head      string: raw 16-byte records
  std::string chunks;   // <prefix>ts:{NAME}:chunks    zset: chunk id -> first timestamp
  std::string summary;  // <prefix>ts:{NAME}:summary   hash: chunk id -> summary
  std::string labels;   // <prefix>ts:{NAME}:labels    hash: label -> value
  std::string rules;    // <prefix>ts:{NAME}:rules     hash: destination -> "AGG BUCKET ALIGN OPEN"
  std::string sketches;  // <prefix>ts:{NAME}:sketch   zset: bucket start -> percentile sketch

  // <prefix>ts:{NAME}:c:<id>, a sealed chunk.
  std::string chunk(std::string_view id) const;
};

// <prefix>ts:{NAME}:<part> alone, for reads of one key of many series that
// need not build all of SeriesKeys.
std::string series_part_key(std::string_view prefix, std::string_view name, std::string_view part);

// <prefix>{ts-index}:, before "series", "label:K=V" and "key:K".
std::string index_prefix(std::string_view prefix);
// <prefix>{ts-index}:series, the set of every series name.
std::string series_set_key(std::string_view prefix);

}  // namespace redkit::ts::detail
