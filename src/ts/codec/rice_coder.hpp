// Adaptive Rice code for streams of small signed integers (delta-of-delta
// timestamps, deltas of decimal mantissas), in groups of kRiceGroupSize.
//
// Group layout, bits most significant first:
//   6 bits  code: 0 = every value of the group is 0 and nothing follows;
//                 c in 1..63 = Rice parameter k = c - 1
//   1 bit   1 = values are coded as they are (all were >= 0 as int64),
//           0 = values are zigzag coded
//   per value u (after zigzag if any), q = u >> k:
//     q < kRiceEscape: q zero bits, a one bit, the low k bits of u
//     otherwise:       kRiceEscape zero bits, 6 bits (w - 1), the w bits of u,
//                      w = bit width of u
// The escape keeps gaps of years or wrapped timestamps near INT64_MIN/MAX at
// about 90 bits instead of a unary run of billions.
//
// Values are int64 bit patterns carried in uint64 so that differences wrap.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ts/codec/bit_reader.hpp"
#include "ts/codec/bit_writer.hpp"
#include "ts/codec/varint.hpp"

namespace redkit::ts::detail {

inline constexpr std::size_t kRiceGroupSize = 64;
inline constexpr unsigned kRiceEscape = 20;
inline constexpr unsigned kRiceMaxK = 62;

struct RiceGroup {
  std::uint8_t code = 0;  // as written: 0 = all zero, else k + 1
  bool as_is = false;     // values coded without zigzag
};

// Chooses the code of each group of `values`, replacing `groups`; returns the
// size of the coded stream in bits.
std::uint64_t plan_rice_groups(std::span<const std::uint64_t> values, std::vector<RiceGroup>& groups);

// Writes `values` with the codes plan_rice_groups chose for them.
void write_rice_groups(std::span<const std::uint64_t> values, std::span<const RiceGroup> groups, BitWriter& out);

namespace rice_internal {

// Any value: refills first, handles escapes and k up to kRiceMaxK.
inline std::uint64_t read_value(BitReader& in, unsigned k) noexcept {
  in.refill();
  const std::uint64_t window = in.peek();
  const auto q = static_cast<unsigned>(std::countl_zero(window));
  if (q >= kRiceEscape) {
    in.consume(kRiceEscape);
    const auto width = static_cast<unsigned>(in.read(6)) + 1;
    return in.read(width);
  }
  in.consume(q + 1);
  return (static_cast<std::uint64_t>(q) << k) | in.read(k);
}

// The common case, k <= 36: a value without escape takes at most
// kRiceEscape + k <= 56 bits, so one refill serves several values. Undoes the
// zigzag in the same pass when kZigzag.
template <bool kZigzag>
void read_small_k(BitReader& in, unsigned k, std::uint64_t* values, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    if (in.available() < kRiceEscape + k) in.refill();
    const std::uint64_t window = in.peek();
    // `| 1`: a zero window is an escape either way, and countl_zero needs no zero check.
    const auto q = static_cast<unsigned>(std::countl_zero(window | 1));
    std::uint64_t v;
    if (q < kRiceEscape) [[likely]] {
      v = (static_cast<std::uint64_t>(q) << k) | (((window << q << 1) >> (63 - k)) >> 1);
      in.consume(q + 1 + k);
    } else {
      v = read_value(in, k);
    }
    values[i] = kZigzag ? zigzag_decode(v) : v;
  }
}

}  // namespace rice_internal

// Reads `n` values written by write_rice_groups. Calls sink(values, count) once
// per group, in order, with the int64 bit patterns of the group, or with
// values == nullptr for a group that is all zero. Never reads outside `in`'s
// range; on truncated input the values are garbage and in.bits_consumed()
// exceeds in.bits_total().
template <class GroupSink>
void read_rice_groups(BitReader& reader, std::size_t n, GroupSink&& sink) {
  // A local copy stays in registers; through the reference the compiler would
  // store the reader's state after every value (the values might alias it).
  BitReader in = reader;
  std::uint64_t values[kRiceGroupSize];
  for (std::size_t start = 0; start < n; start += kRiceGroupSize) {
    const std::size_t count = std::min(kRiceGroupSize, n - start);
    const auto code = static_cast<unsigned>(in.read(6));
    if (code == 0) {
      sink(static_cast<const std::uint64_t*>(nullptr), count);
      continue;
    }
    const unsigned k = code - 1;
    const bool as_is = in.read(1) != 0;
    if (k <= 56 - kRiceEscape) {
      if (as_is) {
        rice_internal::read_small_k<false>(in, k, values, count);
      } else {
        rice_internal::read_small_k<true>(in, k, values, count);
      }
    } else {
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t v = rice_internal::read_value(in, k);
        values[i] = as_is ? v : zigzag_decode(v);
      }
    }
    sink(static_cast<const std::uint64_t*>(values), count);
  }
  reader = in;
}

}  // namespace redkit::ts::detail
