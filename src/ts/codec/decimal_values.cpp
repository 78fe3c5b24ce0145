#include "ts/codec/decimal_values.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace redkit::ts::detail {
namespace {

constexpr std::int64_t kMantissaLimit = std::int64_t{1} << 53;

bool same_bits(double a, double b) noexcept {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// The mantissa of `v` at `scale`, if it has one. v * 10^s is within 2 of the
// mantissa (two roundings of at most 2^-53 relative each), so the neighbours
// of the rounded product are tried when it misses.
bool mantissa_at(double v, unsigned scale, std::int64_t& m) noexcept {
  const double x = v * kPow10[scale];
  if (!(std::fabs(x) <= 0x1p53)) return false;  // NaN, infinities, too large
  const auto guess = static_cast<std::int64_t>(x >= 0 ? x + 0.5 : x - 0.5);
  if (same_bits(static_cast<double>(guess) / kPow10[scale], v) && guess < kMantissaLimit && guess > -kMantissaLimit) {
    m = guess;
    return true;
  }
  for (const std::int64_t offset : {-1, 1, -2, 2}) {
    const std::int64_t c = guess + offset;
    if (c >= kMantissaLimit || c <= -kMantissaLimit) continue;
    if (same_bits(static_cast<double>(c) / kPow10[scale], v)) {
      m = c;
      return true;
    }
  }
  return false;
}

}  // namespace

bool find_decimal_mantissas(std::span<const Sample> samples, unsigned& scale, std::vector<std::int64_t>& mantissas) {
  mantissas.resize(samples.size());
  unsigned s = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double v = samples[i].value;
    while (!mantissa_at(v, s, mantissas[i])) {
      if (s == kMaxDecimalScale) return false;
      ++s;
      // Earlier values keep qualifying at the larger scale while their
      // mantissas stay below 2^53.
      for (std::size_t j = 0; j < i; ++j) {
        mantissas[j] *= 10;
        if (mantissas[j] >= kMantissaLimit || mantissas[j] <= -kMantissaLimit) return false;
      }
    }
  }
  scale = s;
  return true;
}

void plan_decimal_stream(std::span<const std::int64_t> mantissas, DecimalStream& stream) {
  const std::size_t n = mantissas.size();
  stream.deltas.resize(n - 1);
  for (std::size_t i = 1; i < n; ++i) {
    stream.deltas[i - 1] = static_cast<std::uint64_t>(mantissas[i]) - static_cast<std::uint64_t>(mantissas[i - 1]);
  }
  stream.delta_of_delta = false;
  stream.first_delta = n >= 2 ? stream.deltas[0] : 0;
  stream.bits = plan_rice_groups(stream.deltas, stream.delta_groups);
  if (n < 3) return;
  stream.dods.resize(n - 2);
  // Rice codes grow with the magnitude of what they code: plan
  // delta-of-deltas only when they are smaller in sum (linear trends).
  // Codes are capped so that sums over a block (at most 2^16) cannot overflow.
  constexpr std::uint64_t kCap = std::uint64_t{1} << 47;
  std::uint64_t delta_sum = 0;
  std::uint64_t dod_sum = 0;
  for (std::size_t i = 1; i + 1 < n; ++i) {
    stream.dods[i - 1] = stream.deltas[i] - stream.deltas[i - 1];
    // Groups of deltas that are all >= 0 skip the zigzag (rice_coder.hpp).
    const std::uint64_t delta = stream.deltas[i];
    delta_sum += std::min(delta >> 63 != 0 ? zigzag_encode(delta) : delta, kCap);
    dod_sum += std::min(zigzag_encode(stream.dods[i - 1]), kCap);
  }
  if (dod_sum >= delta_sum) return;
  const std::uint64_t dod_bits =
      plan_rice_groups(stream.dods, stream.dod_groups) + 8 * varint_size(zigzag_encode(stream.first_delta));
  if (dod_bits < stream.bits) {
    stream.delta_of_delta = true;
    stream.bits = dod_bits;
  }
}

}  // namespace redkit::ts::detail
