// Bucket aggregation of samples already read and filtered: pure code, the
// same arithmetic as a naive pass over each bucket's samples.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ts/sample.hpp"

namespace redkit::ts::detail {

// An aggregator as rules and alert rules store it, one word: its name, or
// for a percentile "q" and the quantile with every digit it needs to read
// back the same double ("q0.999").
std::string aggregator_token(const Aggregation& aggregation);
// Sets `aggregation`'s aggregator (and quantile) from a stored token.
// Throws ProtocolError naming it when it is not one.
void parse_aggregator_token(std::string_view token, Aggregation& aggregation);

// Start of the bucket holding t: align + k × width, the greatest not above t.
Timestamp bucket_start(Timestamp t, Timestamp width, Timestamp align);
// The first bucket start at or after t: the start of the first bucket that
// lies wholly at or after t.
Timestamp bucket_at_or_after(Timestamp t, Timestamp width, Timestamp align);

// One sample per non-empty bucket (and per empty one between them when the
// aggregation asks for empty buckets), stamped with the bucket's start,
// oldest first. `samples` are in timestamp order, all within the queried
// [lo, hi]. The time-weighted average covers each bucket's part of [lo, hi]
// and interpolates to its edges with the neighbouring samples: `before` and
// `after` are the series' samples just outside the range; the other
// aggregators ignore them.
std::vector<Sample> aggregate(std::span<const Sample> samples, const Aggregation& aggregation, Timestamp lo,
                              Timestamp hi, std::optional<Sample> before = std::nullopt,
                              std::optional<Sample> after = std::nullopt);

// increase and rate: a bucket with a single sample has no value and counts
// as empty.
bool needs_two_samples(Aggregator aggregator);

// The aggregator over one bucket's samples (non-empty, in timestamp order).
// For increase and rate, `window_start`/`window_end` are the bucket's edges
// the increase is extrapolated towards (NaN for fewer than two samples).
// For twa, `window_start`/`window_end` bound the bucket and `before`/`after`
// are its neighbouring samples, if any. `quantile` is percentile's q.
double aggregate_bucket(Aggregator aggregator, std::span<const Sample> bucket, Timestamp window_start,
                        Timestamp window_end, const Sample* before, const Sample* after, double quantile = 0.5);

}  // namespace redkit::ts::detail
