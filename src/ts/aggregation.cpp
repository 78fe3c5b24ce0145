#include "ts/aggregation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

}  // namespace

Timestamp bucket_start(Timestamp t, Timestamp width, Timestamp align) {
  Timestamp offset = (t - align) % width;
  if (offset < 0) {
    offset += width;
  }
  return t - offset;
}

double aggregate_bucket(Aggregator aggregator, std::span<const Sample> bucket, Timestamp window_start,
                        Timestamp window_end, const Sample* before, const Sample* after) {
  switch (aggregator) {
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
                                                     window_start, window_end, previous, next)});
    begin = end;
  }
  return buckets;
}

}  // namespace redkit::ts::detail
