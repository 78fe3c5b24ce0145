// Timestamp coding of a block: delta-of-deltas, or deltas above the block's
// smallest delta, whichever codes smaller, both as Rice groups
// (rice_coder.hpp). Regular intervals make every delta-of-delta 0 (6 bits per
// 64 samples); jittery or random intervals code smaller as deltas above the
// minimum, since a delta-of-delta adds the noise of two intervals.
//
// Arithmetic wraps in uint64, so timestamps anywhere in the int64 range,
// INT64_MIN to INT64_MAX in one block included, round-trip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ts/codec/bit_reader.hpp"
#include "ts/codec/rice_coder.hpp"
#include "ts/sample.hpp"

namespace redkit::ts::detail {

struct TimestampStream {
  bool above_minimum = false;          // false: delta-of-deltas
  std::uint64_t header_delta = 0;      // t1 - t0 for delta-of-deltas, else the smallest delta
  std::vector<std::uint64_t> dods;     // count - 2 values
  std::vector<std::uint64_t> offsets;  // count - 1 values: delta - smallest delta
  std::vector<RiceGroup> dod_groups;
  std::vector<RiceGroup> offset_groups;

  std::span<const std::uint64_t> values() const noexcept { return above_minimum ? offsets : dods; }
  std::span<const RiceGroup> groups() const noexcept { return above_minimum ? offset_groups : dod_groups; }
};

// Plans the timestamps of `samples` (at least two, strictly increasing).
void plan_timestamp_stream(std::span<const Sample> samples, TimestampStream& stream);

// Fills timestamps[0..n) from the first timestamp, the header delta and the
// stream. Returns whether they strictly increase (corrupt input may wrap).
inline bool read_timestamps(BitReader& in, bool above_minimum, std::uint64_t first, std::uint64_t header_delta,
                            std::int64_t* timestamps, std::size_t n) {
  timestamps[0] = static_cast<std::int64_t>(first);
  if (n == 1) return true;
  std::uint64_t t = first;
  bool increasing = true;
  std::int64_t* out = timestamps + 1;
  if (above_minimum) {
    read_rice_groups(in, n - 1, [&](const std::uint64_t* offsets, std::size_t count) {
      auto prev = static_cast<std::int64_t>(t);
      for (std::size_t j = 0; j < count; ++j) {
        t += header_delta + (offsets != nullptr ? offsets[j] : 0);
        const auto now = static_cast<std::int64_t>(t);
        increasing &= now > prev;
        prev = now;
        out[j] = now;
      }
      out += count;
    });
    return increasing;
  }
  std::uint64_t delta = header_delta;
  t += delta;
  *out++ = static_cast<std::int64_t>(t);
  increasing = timestamps[1] > timestamps[0];
  read_rice_groups(in, n - 2, [&](const std::uint64_t* dods, std::size_t count) {
    auto prev = static_cast<std::int64_t>(t);
    for (std::size_t j = 0; j < count; ++j) {
      if (dods != nullptr) delta += dods[j];
      t += delta;
      const auto now = static_cast<std::int64_t>(t);
      increasing &= now > prev;
      prev = now;
      out[j] = now;
    }
    out += count;
  });
  return increasing;
}

}  // namespace redkit::ts::detail
