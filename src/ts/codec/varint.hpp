// Byte-aligned integer codes of the block header: LEB128 varints and zigzag.
//
// Signed quantities travel as the bit pattern of an int64 in a uint64 so that
// differences can wrap (timestamps near INT64_MIN/INT64_MAX) without undefined
// behaviour; zigzag maps small magnitudes of either sign to small codes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "redkit/error.hpp"

namespace redkit::ts::detail {

inline constexpr std::size_t kMaxVarintBytes = 10;

// 0 → 0, -1 → 1, 1 → 2, -2 → 3, ...; `v` is an int64 bit pattern.
constexpr std::uint64_t zigzag_encode(std::uint64_t v) noexcept { return (v << 1) ^ (0 - (v >> 63)); }
constexpr std::uint64_t zigzag_decode(std::uint64_t z) noexcept { return (z >> 1) ^ (0 - (z & 1)); }

// Bytes put_varint writes for `v`.
constexpr unsigned varint_size(std::uint64_t v) noexcept {
  unsigned n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

inline void put_varint(std::string& out, std::uint64_t v) {
  char buf[kMaxVarintBytes];
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

// Reads a varint of `data` at `pos` and advances `pos`. Throws ProtocolError
// naming `what` when the varint runs past the end or does not fit 64 bits.
std::uint64_t get_varint(std::string_view data, std::size_t& pos, const char* what);

}  // namespace redkit::ts::detail
