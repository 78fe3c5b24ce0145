// Turning option text into values the library takes, shared by the CLI's
// commands: a value the library refuses becomes a usage error (exit status
// 2) that names the option.
#pragma once

#include <charconv>
#include <chrono>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "redkit/duration.hpp"
#include "redkit/error.hpp"
#include "redkit/ts_types.hpp"
#include "usage_error.hpp"

namespace redkit::cli {

// "250ms", "30s", "1h", ... as parse_duration reads them.
inline std::chrono::milliseconds duration_option(const std::string& text, std::string_view option) {
  try {
    return parse_duration(text);
  } catch (const InvalidArgument& e) {
    throw UsageError(fmt::format("{}: {}", option, e.what()));
  }
}

// Any double, subnormals included (std::stod refuses those as out of range).
inline double number_argument(const std::string& text, std::string_view what) {
  std::string_view digits = text;
  if (digits.starts_with('+')) digits.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error == std::errc::result_out_of_range) {
    throw UsageError(fmt::format("{} '{}' is out of the range of a double", what, text));
  }
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    throw UsageError(fmt::format("{} '{}' is not a number", what, text));
  }
  return value;
}

// A mistyped aggregator is a usage error, like a bad duration.
inline ts::Aggregator aggregator_option(const std::string& text, std::string_view option) {
  try {
    return ts::parse_aggregator(text);
  } catch (const InvalidArgument& e) {
    throw UsageError(fmt::format("{}: {}", option, e.what()));
  }
}

// An aggregator that may be a percentile ("p99"), into `aggregation`.
inline void aggregation_option(const std::string& text, std::string_view option, ts::Aggregation& aggregation) {
  try {
    ts::parse_aggregator_name(text, aggregation);
  } catch (const InvalidArgument& e) {
    throw UsageError(fmt::format("{}: {}", option, e.what()));
  }
}

// "-" and "+" mean the earliest and latest sample; otherwise Unix ms.
inline ts::Timestamp timestamp_argument(const std::string& text, std::string_view what) {
  if (text == "-") return ts::kEarliest;
  if (text == "+") return ts::kLatest;
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("{} '{}' is not a Unix timestamp in milliseconds, '-' or '+'", what, text));
}

}  // namespace redkit::cli
