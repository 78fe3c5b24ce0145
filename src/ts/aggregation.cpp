#include "ts/aggregation.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "analytics/outliers.hpp"
#include "redkit/error.hpp"

namespace redkit::ts::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean(std::span<const Sample> bucket) {
  double sum = 0;
  for (const Sample& sample : bucket) {
    sum += sample.value;
  }
  return sum / static_cast<double>(bucket.size());
}

// Sum of squared deviations from the mean (two passes, for accuracy).
double squared_deviations(std::span<const Sample> bucket) {
  const double average = mean(bucket);
  double sum = 0;
  for (const Sample& sample : bucket) {
    const double deviation = sample.value - average;
    sum += deviation * deviation;
  }
  return sum;
}

double sample_variance(std::span<const Sample> bucket) {
  // One sample has no spread; report 0 rather than 0/0.
  if (bucket.size() < 2) {
    return 0;
  }
  return squared_deviations(bucket) / static_cast<double>(bucket.size() - 1);
}

double interpolate(const Sample& a, const Sample& b, Timestamp t) {
  const double fraction = static_cast<double>(t - a.timestamp) / static_cast<double>(b.timestamp - a.timestamp);
  return a.value + (b.value - a.value) * fraction;
}

// Average of the piecewise-linear curve through the samples over the bucket.
// The curve reaches the bucket's edges by interpolation with the neighbouring
// samples; without a neighbour it starts (or ends) at the bucket's first (or
// last) sample.
double time_weighted_average(std::span<const Sample> bucket, Timestamp window_start, Timestamp window_end,
                             const Sample* before, const Sample* after) {
  Sample left = bucket.front();
  if (before != nullptr && left.timestamp > window_start) {
    left = Sample{window_start, interpolate(*before, bucket.front(), window_start)};
  }
  Sample right = bucket.back();
  if (after != nullptr && right.timestamp < window_end) {
    right = Sample{window_end, interpolate(bucket.back(), *after, window_end)};
  }
  const double span = static_cast<double>(right.timestamp - left.timestamp);
  if (span <= 0) {
    return bucket.front().value;
  }
  double area = 0;
  Sample previous = left;
  auto add_segment = [&](const Sample& next) {
    area += (previous.value + next.value) / 2 * static_cast<double>(next.timestamp - previous.timestamp);
    previous = next;
  };
  for (const Sample& sample : bucket) {
    add_segment(sample);
  }
  add_segment(right);
  return area / span;
}

// Prometheus's extrapolated increase of a counter over [window_start,
// window_end) from the bucket's samples (at least two): the rise from the
// first to the last, each drop adding back the value before it (a reset to
// 0), then stretched from the sampled interval towards the window's edges:
// all the way to an edge closer than 1.1 average intervals, else half an
// interval; and towards the start no further than where the counter, at
// that rate, would have been 0.
double counter_increase(std::span<const Sample> bucket, Timestamp window_start, Timestamp window_end) {
  double rise = bucket.back().value - bucket.front().value;
  for (std::size_t i = 1; i < bucket.size(); ++i) {
    if (bucket[i].value < bucket[i - 1].value) {
      rise += bucket[i - 1].value;
    }
  }
  const auto sampled = static_cast<double>(bucket.back().timestamp - bucket.front().timestamp);
  const double average_gap = sampled / static_cast<double>(bucket.size() - 1);
  auto to_start = static_cast<double>(bucket.front().timestamp - window_start);
  const auto to_end = static_cast<double>(window_end - bucket.back().timestamp);
  if (rise > 0 && bucket.front().value >= 0) {
    to_start = std::min(to_start, sampled * (bucket.front().value / rise));
  }
  const double threshold = average_gap * 1.1;
  double covered = sampled;
  covered += to_start < threshold ? to_start : average_gap / 2;
  covered += to_end < threshold ? to_end : average_gap / 2;
  return rise * (covered / sampled);
}

}  // namespace

std::string aggregator_token(const Aggregation& aggregation) {
  if (aggregation.aggregator == Aggregator::percentile) {
    return fmt::format("q{}", aggregation.quantile);
  }
  return to_string(aggregation.aggregator);
}

void parse_aggregator_token(std::string_view token, Aggregation& aggregation) {
  if (token.size() > 1 && token[0] == 'q') {
    double quantile = 0;
    const auto [end, error] = std::from_chars(token.data() + 1, token.data() + token.size(), quantile);
    if (error != std::errc() || end != token.data() + token.size() || !(quantile >= 0 && quantile <= 1)) {
      throw ProtocolError(fmt::format("stored aggregator '{}' is not a percentile", token));
    }
    aggregation.aggregator = Aggregator::percentile;
    aggregation.quantile = quantile;
    return;
  }
  try {
    aggregation.aggregator = parse_aggregator(token);
  } catch (const InvalidArgument& e) {
    throw ProtocolError(fmt::format("stored aggregator: {}", e.what()));
  }
}

bool needs_two_samples(Aggregator aggregator) {
  return aggregator == Aggregator::increase || aggregator == Aggregator::rate;
}

Timestamp bucket_start(Timestamp t, Timestamp width, Timestamp align) {
  Timestamp offset = (t - align) % width;
  if (offset < 0) {
    offset += width;
  }
  return t - offset;
}

Timestamp bucket_at_or_after(Timestamp t, Timestamp width, Timestamp align) {
  const Timestamp start = bucket_start(t, width, align);
  return start == t ? start : start + width;
}

double aggregate_bucket(Aggregator aggregator, std::span<const Sample> bucket, Timestamp window_start,
                        Timestamp window_end, const Sample* before, const Sample* after, double quantile) {
  switch (aggregator) {
    case Aggregator::percentile: {
      std::vector<double> sorted;
      sorted.reserve(bucket.size());
      for (const Sample& sample : bucket) {
        sorted.push_back(sample.value);
      }
      std::sort(sorted.begin(), sorted.end());
      return analytics::quantile_of_sorted(sorted, quantile);
    }
    case Aggregator::avg:
      return mean(bucket);
    case Aggregator::sum: {
      double sum = 0;
      for (const Sample& sample : bucket) {
        sum += sample.value;
      }
      return sum;
    }
    case Aggregator::min:
      return std::min_element(bucket.begin(), bucket.end(),
                              [](const Sample& a, const Sample& b) { return a.value < b.value; })
          ->value;
    case Aggregator::max:
      return std::max_element(bucket.begin(), bucket.end(),
                              [](const Sample& a, const Sample& b) { return a.value < b.value; })
          ->value;
    case Aggregator::range:
      return aggregate_bucket(Aggregator::max, bucket, window_start, window_end, before, after) -
             aggregate_bucket(Aggregator::min, bucket, window_start, window_end, before, after);
    case Aggregator::count:
      return static_cast<double>(bucket.size());
    case Aggregator::first:
      return bucket.front().value;
    case Aggregator::last:
      return bucket.back().value;
    case Aggregator::var_p:
      return squared_deviations(bucket) / static_cast<double>(bucket.size());
    case Aggregator::var_s:
      return sample_variance(bucket);
    case Aggregator::std_p:
      return std::sqrt(squared_deviations(bucket) / static_cast<double>(bucket.size()));
    case Aggregator::std_s:
      return std::sqrt(sample_variance(bucket));
    case Aggregator::twa:
      return time_weighted_average(bucket, window_start, window_end, before, after);
    case Aggregator::increase:
    case Aggregator::rate: {
      if (bucket.size() < 2) {
        return kNaN;
      }
      const double increase = counter_increase(bucket, window_start, window_end);
      return aggregator == Aggregator::increase ? increase
                                                : increase / (static_cast<double>(window_end - window_start) / 1000);
    }
  }
  return kNaN;
}

std::vector<Sample> aggregate(std::span<const Sample> samples, const Aggregation& aggregation, Timestamp lo,
                              Timestamp hi, std::optional<Sample> before, std::optional<Sample> after) {
  std::vector<Sample> buckets;
  const Timestamp width = aggregation.bucket.count();
  std::size_t begin = 0;
  while (begin < samples.size()) {
    const Timestamp start = bucket_start(samples[begin].timestamp, width, aggregation.align);
    std::size_t end = begin + 1;
    while (end < samples.size() && samples[end].timestamp - start < width) {
      ++end;
    }
    if (end - begin < 2 && needs_two_samples(aggregation.aggregator)) {
      begin = end;  // no rate from one sample: the bucket counts as empty
      continue;
    }
    if (aggregation.empty_buckets && !buckets.empty()) {
      const bool zero_when_empty =
          aggregation.aggregator == Aggregator::count || aggregation.aggregator == Aggregator::sum;
      for (Timestamp gap = buckets.back().timestamp + width; gap < start; gap += width) {
        double value = zero_when_empty ? 0.0 : kNaN;
        if (aggregation.aggregator == Aggregator::twa) {
          // The curve runs straight through an empty bucket from the sample
          // before it to the one after: its average is its middle value.
          const Timestamp window_start = std::max(gap, lo);
          const Timestamp window_end = std::min(gap + width, hi + 1);
          const Sample& previous = samples[begin - 1];
          const Sample& next = samples[begin];
          value = (interpolate(previous, next, window_start) + interpolate(previous, next, window_end)) / 2;
        }
        buckets.push_back(Sample{gap, value});
      }
    }
    const Sample* previous = begin > 0 ? &samples[begin - 1] : (before ? &*before : nullptr);
    const Sample* next = end < samples.size() ? &samples[end] : (after ? &*after : nullptr);
    const Timestamp window_start = std::max(start, lo);
    const Timestamp window_end = std::min(start + width, hi + 1);
    buckets.push_back(Sample{start, aggregate_bucket(aggregation.aggregator, samples.subspan(begin, end - begin),
                                                     window_start, window_end, previous, next, aggregation.quantile)});
    begin = end;
  }
  return buckets;
}

}  // namespace redkit::ts::detail
