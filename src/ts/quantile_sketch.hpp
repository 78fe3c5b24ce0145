// A mergeable quantile sketch with relative accuracy (the DDSketch idea):
// each value v ≠ 0 falls in the log-spaced bin i = ⌈log_γ |v|⌉ with
// γ = (1 + α) / (1 − α), so every value of a bin lies within α of the bin's
// representative 2γ^i / (γ + 1). A quantile walks the bins to the rank
// ⌊q × (n − 1)⌋ and returns that bin's representative: it is within α of the
// value at that rank among every value added, however many sketches were
// merged (bins of equal index just add their counts).
//
// Compaction rules keep one per percentile bucket beside the destination;
// encode() is its stored form: counts as varints over index deltas, a few
// bytes per occupied bin.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redkit::ts::detail {

class QuantileSketch {
 public:
  // α = redkit::ts::kSketchRelativeAccuracy.
  QuantileSketch();

  // A finite value. Magnitudes below the smallest normal double count as 0.
  void add(double value);
  void merge(const QuantileSketch& other);

  std::uint64_t count() const noexcept { return count_; }
  // The q-quantile (0 ≤ q ≤ 1) as described above; NaN when empty.
  double quantile(double q) const;

  std::string encode() const;
  // Throws ProtocolError naming `what` when the bytes are not an encoding.
  static QuantileSketch decode(std::string_view bytes, std::string_view what);

 private:
  // Counts of consecutive bin indices from `first`; empty when no value.
  struct Bins {
    std::int32_t first = 0;
    std::vector<std::uint64_t> counts{};
    void add(std::int32_t index, std::uint64_t n);
  };
  std::int32_t index_of(double magnitude) const;
  double value_of(std::int32_t index) const;

  double gamma_;
  double log_gamma_;
  Bins positive_{};
  Bins negative_{};  // by the index of |v|
  std::uint64_t zeros_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace redkit::ts::detail
