#include "ts/bucket_stream.hpp"

#include <limits>

#include "ts/aggregation.hpp"

namespace redkit::ts::detail {

namespace {

bool keeps_bucket_samples(Aggregator aggregator) {
  switch (aggregator) {
    case Aggregator::var_p:
    case Aggregator::var_s:
    case Aggregator::std_p:
    case Aggregator::std_s:
    case Aggregator::percentile:
      return true;
    default:
      return false;
  }
}

}  // namespace

BucketStream::BucketStream(const Aggregation& aggregation)
    : aggregation_(aggregation),
      keeps_samples_(keeps_bucket_samples(aggregation.aggregator)),
      zero_when_empty_(aggregation.aggregator == Aggregator::count || aggregation.aggregator == Aggregator::sum) {}

void BucketStream::open(Timestamp start) {
  if (aggregation_.empty_buckets && !buckets_.empty()) {
    const Timestamp width = aggregation_.bucket.count();
    const double empty = zero_when_empty_ ? 0.0 : std::numeric_limits<double>::quiet_NaN();
    for (Timestamp gap = buckets_.back().timestamp + width; gap < start; gap += width) {
      buckets_.push_back(Sample{gap, empty});
    }
  }
  open_ = true;
  start_ = start;
  count_ = 0;
  sum_ = 0;
  samples_.clear();
}

void BucketStream::close() {
  double value = 0;
  switch (aggregation_.aggregator) {
    case Aggregator::avg:
      value = sum_ / static_cast<double>(count_);
      break;
    case Aggregator::sum:
      value = sum_;
      break;
    case Aggregator::min:
      value = min_;
      break;
    case Aggregator::max:
      value = max_;
      break;
    case Aggregator::range:
      value = max_ - min_;
      break;
    case Aggregator::count:
      value = static_cast<double>(count_);
      break;
    case Aggregator::first:
      value = first_;
      break;
    case Aggregator::last:
      value = last_;
      break;
    default:
      value = aggregate_bucket(aggregation_.aggregator, samples_, start_, start_, nullptr, nullptr,
                               aggregation_.quantile);
      break;
  }
  buckets_.push_back(Sample{start_, value});
  open_ = false;
}

void BucketStream::add(std::span<const Sample> samples) {
  const Timestamp width = aggregation_.bucket.count();
  std::size_t at = 0;
  while (at < samples.size()) {
    if (open_ && samples[at].timestamp - start_ >= width) {
      close();
    }
    if (!open_) {
      open(bucket_start(samples[at].timestamp, width, aggregation_.align));
      first_ = min_ = max_ = samples[at].value;
    }
    // The run of samples in the open bucket, reduced in locals: members
    // written through `this` would be stored back on every sample, since a
    // Sample's value might alias them.
    double sum = sum_;
    double min = min_;
    double max = max_;
    std::size_t end = at;
    for (; end < samples.size() && samples[end].timestamp - start_ < width; ++end) {
      const double value = samples[end].value;
      sum += value;
      // As std::min_element / max_element pick: a later value replaces only
      // a strictly greater (smaller) one.
      if (value < min) min = value;
      if (max < value) max = value;
    }
    sum_ = sum;
    min_ = min;
    max_ = max;
    count_ += end - at;
    last_ = samples[end - 1].value;
    if (keeps_samples_) {
      samples_.insert(samples_.end(), samples.begin() + static_cast<std::ptrdiff_t>(at),
                      samples.begin() + static_cast<std::ptrdiff_t>(end));
    }
    at = end;
  }
}

std::vector<Sample> BucketStream::finish() && {
  if (open_) {
    close();
  }
  return std::move(buckets_);
}

}  // namespace redkit::ts::detail
