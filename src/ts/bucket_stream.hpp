// Bucket aggregation fed piece by piece while a range is decoded, so a long
// range is reduced chunk by chunk instead of being materialised whole and
// bucketed in a second pass. The arithmetic is exactly aggregate()'s: sums
// run in timestamp order, and the spread aggregators keep the open bucket's
// samples for aggregate_bucket's two passes.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "ts/sample.hpp"

namespace redkit::ts::detail {

class BucketStream {
 public:
  // Every aggregator but twa, which needs each bucket's neighbours, and the
  // counter functions, which need a bucket's samples in order (aggregate()
  // does those).
  explicit BucketStream(const Aggregation& aggregation);
  static bool handles(Aggregator aggregator) {
    return aggregator != Aggregator::twa && aggregator != Aggregator::increase && aggregator != Aggregator::rate;
  }

  // Samples in timestamp order, each newer than the ones added before.
  void add(std::span<const Sample> samples);
  // The buckets, as aggregate() returns them.
  std::vector<Sample> finish() &&;

 private:
  void open(Timestamp start);
  void close();

  Aggregation aggregation_;
  bool keeps_samples_;
  bool zero_when_empty_;
  std::vector<Sample> buckets_;
  bool open_ = false;
  Timestamp start_ = 0;
  std::size_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
  double first_ = 0;
  double last_ = 0;
  std::vector<Sample> samples_;  // the open bucket's, for the spread aggregators
};

}  // namespace redkit::ts::detail
