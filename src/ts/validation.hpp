// Checks of what users hand the store, before anything is sent: each throws
// InvalidArgument naming the bad value.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "redkit/ts_types.hpp"

namespace redkit::ts::detail {

// Non-empty, at most 512 bytes, no '{', '}' (they would break the hash tag)
// and no control characters.
void validate_series_name(std::string_view name);
void validate_labels(const Labels& labels);
// Refuses a DuplicatePolicy cast from an integer outside the enum.
void validate_policy(std::optional<DuplicatePolicy> policy);
void validate_options(const SeriesOptions& options);
void validate_timestamp(Timestamp timestamp);
void validate_value(Timestamp timestamp, double value);
void validate_samples(std::span<const Sample> samples);
// A positive bucket and an alignment in the timestamp range.
void validate_aggregation(const Aggregation& aggregation);
// from <= to (after resolving kEarliest/kLatest), value bounds that are
// numbers with min <= max, and a valid aggregation.
void validate_query(const RangeOptions& query);

}  // namespace redkit::ts::detail
