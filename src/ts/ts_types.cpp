// Names of the time-series enums, as the CLI and the scripts spell them.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "common/enum_names.hpp"
#include "redkit/ts_types.hpp"

namespace redkit::ts {

namespace {

constexpr std::array<std::pair<DuplicatePolicy, const char*>, 6> kPolicies{{
    {DuplicatePolicy::block, "block"},
    {DuplicatePolicy::first, "first"},
    {DuplicatePolicy::last, "last"},
    {DuplicatePolicy::min, "min"},
    {DuplicatePolicy::max, "max"},
    {DuplicatePolicy::sum, "sum"},
}};

constexpr std::array<std::pair<Aggregator, const char*>, 16> kAggregators{{
    {Aggregator::avg, "avg"},
    {Aggregator::sum, "sum"},
    {Aggregator::min, "min"},
    {Aggregator::max, "max"},
    {Aggregator::range, "range"},
    {Aggregator::count, "count"},
    {Aggregator::first, "first"},
    {Aggregator::last, "last"},
    {Aggregator::std_p, "std.p"},
    {Aggregator::std_s, "std.s"},
    {Aggregator::var_p, "var.p"},
    {Aggregator::var_s, "var.s"},
    {Aggregator::twa, "twa"},
    {Aggregator::increase, "increase"},
    {Aggregator::rate, "rate"},
    {Aggregator::percentile, "percentile"},
}};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

using ::redkit::detail::name_of;

template <typename Enum, std::size_t N>
Enum parse(const std::array<std::pair<Enum, const char*>, N>& table, std::string_view text, const char* what) {
  return ::redkit::detail::parse_name(table, text, what);
}

}  // namespace

const char* to_string(DuplicatePolicy policy) noexcept { return name_of(kPolicies, policy); }

DuplicatePolicy parse_duplicate_policy(std::string_view text) {
  return parse(kPolicies, text, "duplicate policy");
}

const char* to_string(Aggregator aggregator) noexcept { return name_of(kAggregators, aggregator); }

Aggregator parse_aggregator(std::string_view text) { return parse(kAggregators, text, "aggregation"); }

std::string aggregator_name(const Aggregation& aggregation) {
  if (aggregation.aggregator != Aggregator::percentile) {
    return to_string(aggregation.aggregator);
  }
  // Ten significant digits print 0.999 as p99.9 rather than the nearest
  // double's p99.90000000000001.
  return fmt::format("p{:.10g}", aggregation.quantile * 100);
}

void parse_aggregator_name(std::string_view text, Aggregation& aggregation) {
  if (text.size() > 1 && (text[0] == 'p' || text[0] == 'P') &&
      (std::isdigit(static_cast<unsigned char>(text[1])) != 0 || text[1] == '.')) {
    const std::string_view digits = text.substr(1);
    double percent = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), percent);
    if (error != std::errc() || end != digits.data() + digits.size() || !(percent >= 0 && percent <= 100)) {
      throw InvalidArgument(fmt::format("percentile '{}' is not 'p' and a percent in [0, 100] (p50, p99, p99.9)", text));
    }
    aggregation.aggregator = Aggregator::percentile;
    aggregation.quantile = percent / 100;
    return;
  }
  const std::string wanted = lower(text);
  std::string known;
  for (const auto& [aggregator, name] : kAggregators) {
    if (wanted == name) {
      aggregation.aggregator = aggregator;
      return;
    }
    if (aggregator != Aggregator::percentile) known.append(name).append(", ");
  }
  throw InvalidArgument(
      fmt::format("unknown aggregation '{}' (expected one of: {}or a percentile such as p50, p99, p99.9)", text, known));
}

const char* to_string(BucketTimestamp when) noexcept {
  switch (when) {
    case BucketTimestamp::start:
      return "start";
    case BucketTimestamp::middle:
      return "mid";
    case BucketTimestamp::end:
      return "end";
  }
  return "unknown";
}

BucketTimestamp parse_bucket_timestamp(std::string_view text) {
  const std::string wanted = lower(text);
  if (wanted == "start" || wanted == "-") return BucketTimestamp::start;
  if (wanted == "mid" || wanted == "middle" || wanted == "~") return BucketTimestamp::middle;
  if (wanted == "end" || wanted == "+") return BucketTimestamp::end;
  throw InvalidArgument(fmt::format("unknown bucket timestamp '{}' (expected one of: start, mid, end)", text));
}

}  // namespace redkit::ts
