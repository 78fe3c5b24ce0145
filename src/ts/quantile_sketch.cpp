#include "ts/quantile_sketch.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "redkit/error.hpp"
#include "redkit/ts_types.hpp"
#include "ts/codec/varint.hpp"

namespace redkit::ts::detail {

namespace {

// The first byte of an encoding; a later layout takes another.
constexpr char kSketchLayout = 1;

void put_bins(std::string& out, std::int32_t first, const std::vector<std::uint64_t>& counts) {
  std::size_t occupied = 0;
  for (const std::uint64_t n : counts) occupied += n != 0 ? 1 : 0;
  put_varint(out, occupied);
  // Each occupied bin: its distance from the previous one (the first's from
  // `first`'s zigzag), then its count.
  bool leading = true;
  std::int64_t previous = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    const std::int64_t index = first + static_cast<std::int64_t>(i);
    if (leading) {
      put_varint(out, zigzag_encode(static_cast<std::uint64_t>(index)));
      leading = false;
    } else {
      put_varint(out, static_cast<std::uint64_t>(index - previous));
    }
    put_varint(out, counts[i]);
    previous = index;
  }
}

}  // namespace

void QuantileSketch::Bins::add(std::int32_t index, std::uint64_t n) {
  if (counts.empty()) {
    first = index;
    counts.push_back(n);
    return;
  }
  if (index < first) {
    counts.insert(counts.begin(), static_cast<std::size_t>(first - index), 0);
    first = index;
  } else if (static_cast<std::size_t>(index - first) >= counts.size()) {
    counts.resize(static_cast<std::size_t>(index - first) + 1, 0);
  }
  counts[static_cast<std::size_t>(index - first)] += n;
}

QuantileSketch::QuantileSketch()
    : gamma_((1 + kSketchRelativeAccuracy) / (1 - kSketchRelativeAccuracy)), log_gamma_(std::log(gamma_)) {}

std::int32_t QuantileSketch::index_of(double magnitude) const {
  return static_cast<std::int32_t>(std::ceil(std::log(magnitude) / log_gamma_));
}

double QuantileSketch::value_of(std::int32_t index) const {
  return 2 * std::exp(static_cast<double>(index) * log_gamma_) / (gamma_ + 1);
}

void QuantileSketch::add(double value) {
  ++count_;
  const double magnitude = std::abs(value);
  if (magnitude < std::numeric_limits<double>::min()) {
    ++zeros_;
  } else if (value > 0) {
    positive_.add(index_of(magnitude), 1);
  } else {
    negative_.add(index_of(magnitude), 1);
  }
}

void QuantileSketch::merge(const QuantileSketch& other) {
  for (std::size_t i = 0; i < other.positive_.counts.size(); ++i) {
    if (other.positive_.counts[i] != 0) {
      positive_.add(other.positive_.first + static_cast<std::int32_t>(i), other.positive_.counts[i]);
    }
  }
  for (std::size_t i = 0; i < other.negative_.counts.size(); ++i) {
    if (other.negative_.counts[i] != 0) {
      negative_.add(other.negative_.first + static_cast<std::int32_t>(i), other.negative_.counts[i]);
    }
  }
  zeros_ += other.zeros_;
  count_ += other.count_;
}

double QuantileSketch::quantile(double q) const {
  if (count_ == 0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const auto rank = static_cast<std::uint64_t>(std::floor(q * static_cast<double>(count_ - 1)));
  std::uint64_t seen = 0;
  // Most negative first: the largest magnitude index of the negative bins.
  for (std::size_t i = negative_.counts.size(); i-- > 0;) {
    seen += negative_.counts[i];
    if (seen > rank) return -value_of(negative_.first + static_cast<std::int32_t>(i));
  }
  seen += zeros_;
  if (seen > rank) return 0;
  for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
    if (seen > rank) return value_of(positive_.first + static_cast<std::int32_t>(i));
  }
  return value_of(positive_.first + static_cast<std::int32_t>(positive_.counts.size()) - 1);
}

std::string QuantileSketch::encode() const {
  std::string out(1, kSketchLayout);
  put_varint(out, zeros_);
  put_bins(out, positive_.first, positive_.counts);
  put_bins(out, negative_.first, negative_.counts);
  return out;
}

QuantileSketch QuantileSketch::decode(std::string_view bytes, std::string_view what) {
  const std::string name(what);
  if (bytes.empty() || bytes[0] != kSketchLayout) {
    throw ProtocolError(fmt::format("{} is not a quantile sketch", what));
  }
  QuantileSketch sketch;
  std::size_t pos = 1;
  sketch.zeros_ = get_varint(bytes, pos, name.c_str());
  sketch.count_ = sketch.zeros_;
  // Indices of a double's magnitude stay within about ±36,000 at α = 1 %.
  constexpr std::int64_t kIndexLimit = 1 << 20;
  for (Bins* bins : {&sketch.positive_, &sketch.negative_}) {
    const std::uint64_t occupied = get_varint(bytes, pos, name.c_str());
    if (occupied > bytes.size()) {
      throw ProtocolError(fmt::format("{} claims {} bins in {} bytes", what, occupied, bytes.size()));
    }
    std::int64_t index = 0;
    for (std::uint64_t b = 0; b < occupied; ++b) {
      const std::uint64_t step = get_varint(bytes, pos, name.c_str());
      index = b == 0 ? static_cast<std::int64_t>(zigzag_decode(step)) : index + static_cast<std::int64_t>(step);
      const std::uint64_t n = get_varint(bytes, pos, name.c_str());
      if (index < -kIndexLimit || index > kIndexLimit || (b > 0 && step == 0) || n == 0) {
        throw ProtocolError(fmt::format("{} holds a bin out of order or out of range", what));
      }
      bins->add(static_cast<std::int32_t>(index), n);
      sketch.count_ += n;
    }
  }
  if (pos != bytes.size()) {
    throw ProtocolError(fmt::format("{} has {} bytes after its bins", what, bytes.size() - pos));
  }
  return sketch;
}

}  // namespace redkit::ts::detail
