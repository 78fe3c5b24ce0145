#include "ts/validation.hpp"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

namespace redkit::ts::detail {

namespace {

constexpr std::size_t kMaxNameBytes = 512;

bool is_label_text(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (unsigned char c : text) {
    if (c == ',' || c == '=' || c == '(' || c == ')' || std::isspace(c) || std::iscntrl(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace

void validate_series_name(std::string_view name) {
  if (name.empty()) {
    throw InvalidArgument("series name is empty");
  }
  if (name.size() > kMaxNameBytes) {
    throw InvalidArgument(fmt::format("series name '{}...' is {} bytes, over the limit of {}", name.substr(0, 32),
                                      name.size(), kMaxNameBytes));
  }
  for (unsigned char c : name) {
    if (c == '{' || c == '}' || std::iscntrl(c)) {
      throw InvalidArgument(fmt::format("series name '{}' holds '{}', which is not allowed in a name", name,
                                        std::iscntrl(c) ? fmt::format("\\x{:02x}", c) : std::string(1, c)));
    }
  }
}

void validate_labels(const Labels& labels) {
  for (const auto& [key, value] : labels) {
    if (!is_label_text(key)) {
      throw InvalidArgument(fmt::format("label name '{}' must be non-empty without ',', '=', '(', ')' or spaces", key));
    }
    if (!is_label_text(value)) {
      throw InvalidArgument(
          fmt::format("value '{}' of label '{}' must be non-empty without ',', '=', '(', ')' or spaces", value, key));
    }
  }
}

void validate_policy(std::optional<DuplicatePolicy> policy) {
  if (!policy) {
    return;
  }
  const auto value = static_cast<int>(*policy);
  if (value < static_cast<int>(DuplicatePolicy::block) || value > static_cast<int>(DuplicatePolicy::sum)) {
    throw InvalidArgument(fmt::format("duplicate policy {} is not one of the DuplicatePolicy values", value));
  }
}

void validate_options(const SeriesOptions& options) {
  if (options.retention.count() < 0) {
    throw InvalidArgument(fmt::format("retention {} ms is negative", options.retention.count()));
  }
  validate_policy(options.duplicate_policy);
  validate_labels(options.labels);
}

void validate_timestamp(Timestamp timestamp) {
  if (timestamp < kMinTimestamp || timestamp > kMaxTimestamp) {
    throw InvalidArgument(
        fmt::format("timestamp {} is out of range [{}, {}]", timestamp, kMinTimestamp, kMaxTimestamp));
  }
}

void validate_value(Timestamp timestamp, double value) {
  if (!std::isfinite(value)) {
    throw InvalidArgument(fmt::format("value {} at timestamp {} is not a finite number", value, timestamp));
  }
}

void validate_samples(std::span<const Sample> samples) {
  for (const Sample& sample : samples) {
    validate_timestamp(sample.timestamp);
    validate_value(sample.timestamp, sample.value);
  }
}

void validate_aggregation(const Aggregation& aggregation) {
  // Values cast from integers are checked too: a switch over them would
  // fall through every case.
  const auto aggregator = static_cast<int>(aggregation.aggregator);
  if (aggregator < static_cast<int>(Aggregator::avg) || aggregator > static_cast<int>(Aggregator::percentile)) {
    throw InvalidArgument(fmt::format("aggregator {} is not one of the Aggregator values", aggregator));
  }
  if (aggregation.aggregator == Aggregator::percentile &&
      !(aggregation.quantile >= 0 && aggregation.quantile <= 1)) {
    throw InvalidArgument(fmt::format("percentile quantile {} is not in [0, 1]", aggregation.quantile));
  }
  const auto when = static_cast<int>(aggregation.bucket_timestamp);
  if (when < static_cast<int>(BucketTimestamp::start) || when > static_cast<int>(BucketTimestamp::end)) {
    throw InvalidArgument(fmt::format("bucket timestamp {} is not one of the BucketTimestamp values", when));
  }
  if (aggregation.bucket.count() <= 0) {
    throw InvalidArgument(fmt::format("aggregation bucket {} ms must be positive", aggregation.bucket.count()));
  }
  if (aggregation.align < kMinTimestamp || aggregation.align > kMaxTimestamp) {
    throw InvalidArgument(fmt::format("aggregation align {} is out of range [{}, {}]", aggregation.align,
                                      kMinTimestamp, kMaxTimestamp));
  }
}

void validate_query(const RangeOptions& query) {
  if (query.from != kEarliest && query.to != kLatest && query.from > query.to) {
    throw InvalidArgument(fmt::format("range start {} is after its end {}", query.from, query.to));
  }
  // NaN compares false with everything: a filter with it would silently
  // match nothing.
  if (query.min_value && std::isnan(*query.min_value)) {
    throw InvalidArgument(fmt::format("value filter minimum {} is not a number", *query.min_value));
  }
  if (query.max_value && std::isnan(*query.max_value)) {
    throw InvalidArgument(fmt::format("value filter maximum {} is not a number", *query.max_value));
  }
  if (query.min_value && query.max_value && *query.min_value > *query.max_value) {
    throw InvalidArgument(
        fmt::format("value filter minimum {} is above its maximum {}", *query.min_value, *query.max_value));
  }
  if (query.aggregation) {
    validate_aggregation(*query.aggregation);
  }
}

}  // namespace redkit::ts::detail
