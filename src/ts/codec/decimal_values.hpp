// Decimal value coding: a block whose values are all short decimals (42.17)
// is stored as integer mantissas m with value = m / 10^scale, and the
// mantissas as Rice-coded deltas or delta-of-deltas (rice_coder.hpp).
//
// A value v qualifies at scale s when static_cast<double>(m) / kPow10[s] is
// bitwise equal to v for some |m| < 2^53, so decoding reproduces every bit;
// -0.0, NaN and infinities never qualify. If v qualifies at s it qualifies at
// every larger s whose mantissa stays below 2^53 (m·10^d / 10^(s+d) is the
// same real number, rounded once), so the block's scale is the largest of the
// values' smallest scales.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ts/codec/bit_reader.hpp"
#include "ts/codec/rice_coder.hpp"
#include "ts/sample.hpp"

namespace redkit::ts::detail {

inline constexpr unsigned kMaxDecimalScale = 15;
inline constexpr double kPow10[kMaxDecimalScale + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// Finds the smallest scale at which every value of `samples` qualifies and
// fills `mantissas`; false when there is none.
bool find_decimal_mantissas(std::span<const Sample> samples, unsigned& scale, std::vector<std::int64_t>& mantissas);

// The coded mantissa stream of one block, the cheaper of deltas and
// delta-of-deltas.
struct DecimalStream {
  bool delta_of_delta = false;
  std::uint64_t first_delta = 0;      // m1 - m0, kept in the header in delta-of-delta mode
  std::vector<std::uint64_t> deltas;  // m[i] - m[i-1], i >= 1
  std::vector<std::uint64_t> dods;    // deltas[i] - deltas[i-1], i >= 1
  std::vector<RiceGroup> delta_groups;
  std::vector<RiceGroup> dod_groups;
  std::uint64_t bits = 0;  // coded size of the chosen stream plus its header varint, in bits

  std::span<const std::uint64_t> values() const noexcept { return delta_of_delta ? dods : deltas; }
  std::span<const RiceGroup> groups() const noexcept { return delta_of_delta ? dod_groups : delta_groups; }
};

// Plans the stream for `mantissas` (at least one).
void plan_decimal_stream(std::span<const std::int64_t> mantissas, DecimalStream& stream);

inline double decimal_value(std::uint64_t mantissa, unsigned scale) noexcept {
  return static_cast<double>(static_cast<std::int64_t>(mantissa)) / kPow10[scale];
}

// values[i] /= divisor for all i, two lanes at a time (divpd): exactly the
// scalar quotients, at about half the cost of divsd one by one.
inline void divide_all(double* values, std::size_t n, double divisor) noexcept {
  using Lanes = double __attribute__((vector_size(16)));
  const Lanes by = {divisor, divisor};
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    Lanes v;
    __builtin_memcpy(&v, values + i, sizeof v);
    v /= by;
    __builtin_memcpy(values + i, &v, sizeof v);
  }
  if (i < n) values[i] /= divisor;
}

// Fills values[0..n) from the first mantissa and the stream. `scale` must be
// <= kMaxDecimalScale. Wrapping arithmetic: garbage in, garbage out, no UB.
inline void read_decimal_values(BitReader& in, bool delta_of_delta, unsigned scale, std::uint64_t first_mantissa,
                                std::uint64_t first_delta, double* values, std::size_t n) {
  // Mantissas first, as doubles (exact below 2^53), then one division pass
  // that the compiler vectorises.
  const auto as_double = [](std::uint64_t m) { return static_cast<double>(static_cast<std::int64_t>(m)); };
  std::uint64_t m = first_mantissa;
  values[0] = as_double(m);
  double* out = values + 1;
  if (n >= 2 && !delta_of_delta) {
    read_rice_groups(in, n - 1, [&](const std::uint64_t* deltas, std::size_t count) {
      if (deltas == nullptr) {
        const double v = as_double(m);
        for (std::size_t j = 0; j < count; ++j) out[j] = v;
      } else {
        for (std::size_t j = 0; j < count; ++j) {
          m += deltas[j];
          out[j] = as_double(m);
        }
      }
      out += count;
    });
  } else if (n >= 2) {
    std::uint64_t delta = first_delta;
    m += delta;
    *out++ = as_double(m);
    read_rice_groups(in, n - 2, [&](const std::uint64_t* dods, std::size_t count) {
      for (std::size_t j = 0; j < count; ++j) {
        if (dods != nullptr) delta += dods[j];
        m += delta;
        out[j] = as_double(m);
      }
      out += count;
    });
  }
  if (scale == 0) return;
  divide_all(values, n, kPow10[scale]);
}

}  // namespace redkit::ts::detail
