// XOR value coding for arbitrary doubles (Gorilla class): each value is XORed
// with the previous one and only the bits between the XOR's leading and
// trailing zeros are stored, in a window that later values reuse.
//
// Layout per value after the first (the first is raw in the block header),
// bits most significant first:
//   0                                   same bits as the previous value
//   10  + w bits                        the XOR fits the current window
//                                       (w = its width), stored shifted down
//   11  + 6 bits leading zeros L + 6 bits (w - 1) + w bits
//                                       a new window: L leading zeros, w bits,
//                                       64 - L - w trailing zeros
// Unlike Gorilla, a wide window is not reused for a XOR that would cost 13 or
// more bits less in a window of its own, leading zeros take 6 bits (no cap at
// 31) and the width covers all 64 bits.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include "redkit/error.hpp"
#include "ts/codec/bit_reader.hpp"
#include "ts/sample.hpp"

namespace redkit::ts::detail {

// Writes the values of samples[1..] to `out` (a BitWriter or a BitCounter).
template <class Sink>
void write_xor_values(std::span<const Sample> samples, Sink& out) {
  std::uint64_t prev = std::bit_cast<std::uint64_t>(samples[0].value);
  unsigned lead = 0;
  unsigned trail = 0;
  unsigned width = 0;  // 0: no window yet
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const std::uint64_t cur = std::bit_cast<std::uint64_t>(samples[i].value);
    const std::uint64_t x = cur ^ prev;
    prev = cur;
    if (x == 0) {
      out.write(0, 1);
      continue;
    }
    const auto l = static_cast<unsigned>(std::countl_zero(x));
    const auto t = static_cast<unsigned>(std::countr_zero(x));
    const unsigned w = 64 - l - t;
    if (width != 0 && l >= lead && t >= trail && width <= w + 12) {
      out.write(0b10, 2);
      out.write(x >> trail, width);
      continue;
    }
    lead = l;
    trail = t;
    width = w;
    out.write((0b11u << 12) | (l << 6) | (w - 1), 14);
    out.write(x >> t, w);
  }
}

// Whether write_xor_values would write more than `limit` bits, by a lower
// bound of its size: a value costs at least 1 bit, and 2 plus its XOR's
// meaningful bits when it changes. Cheaper than the exact count, and enough
// to rule XOR out for short decimals, usually after a few values.
inline bool xor_exceeds(std::span<const Sample> samples, std::uint64_t limit) noexcept {
  std::uint64_t bits = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    if (bits > limit) return true;
    const std::uint64_t x =
        std::bit_cast<std::uint64_t>(samples[i].value) ^ std::bit_cast<std::uint64_t>(samples[i - 1].value);
    bits += x == 0 ? 1 : 66 - static_cast<unsigned>(std::countl_zero(x)) - static_cast<unsigned>(std::countr_zero(x));
  }
  return bits > limit;
}

// Fills values[0..n) from the first value's bits and the stream. Throws
// ProtocolError on a window that cannot have been written.
inline void read_xor_values(BitReader& reader, std::uint64_t first_bits, double* values, std::size_t n) {
  BitReader in = reader;  // in registers, see read_rice_groups
  std::uint64_t prev = first_bits;
  values[0] = std::bit_cast<double>(prev);
  unsigned trail = 0;
  unsigned width = 0;
  for (std::size_t i = 1; i < n; ++i) {
    in.refill();
    const std::uint64_t window = in.peek();
    if ((window >> 63) == 0) {
      in.consume(1);
    } else if (((window >> 62) & 1) == 0) {
      in.consume(2);
      if (width == 0) throw ProtocolError("time-series block reuses an XOR window before defining one");
      prev ^= in.read(width) << trail;
    } else {
      const auto lead = static_cast<unsigned>((window >> 56) & 63);
      width = static_cast<unsigned>((window >> 50) & 63) + 1;
      in.consume(14);
      if (lead + width > 64) throw ProtocolError("time-series block has an XOR window wider than 64 bits");
      trail = 64 - lead - width;
      prev ^= in.read(width) << trail;
    }
    values[i] = std::bit_cast<double>(prev);
  }
  reader = in;
}

}  // namespace redkit::ts::detail
