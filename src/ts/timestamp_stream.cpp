#include "ts/timestamp_stream.hpp"

#include <algorithm>

#include "ts/varint.hpp"

namespace redkit::ts::detail {
namespace {

std::uint64_t delta_at(std::span<const Sample> samples, std::size_t i) noexcept {
  return static_cast<std::uint64_t>(samples[i].timestamp) - static_cast<std::uint64_t>(samples[i - 1].timestamp);
}

}  // namespace

void plan_timestamp_stream(std::span<const Sample> samples, TimestampStream& stream) {
  const std::size_t n = samples.size();
  const std::uint64_t first_delta = delta_at(samples, 1);
  stream.dods.resize(n - 2);
  // Deltas of strictly increasing timestamps are 1 .. 2^64 - 1 as uint64.
  std::uint64_t smallest = first_delta;
  std::uint64_t prev = first_delta;
  std::uint64_t changes = 0;
  for (std::size_t i = 2; i < n; ++i) {
    const std::uint64_t delta = delta_at(samples, i);
    stream.dods[i - 2] = delta - prev;
    changes |= delta - prev;
    prev = delta;
    smallest = std::min(smallest, delta);
  }
  stream.above_minimum = false;
  stream.header_delta = first_delta;
  const std::uint64_t dod_bits = plan_rice_groups(stream.dods, stream.dod_groups) + 8 * varint_size(first_delta);
  if (changes == 0) return;  // regular: nothing codes smaller
  stream.offsets.resize(n - 1);
  for (std::size_t i = 1; i < n; ++i) stream.offsets[i - 1] = delta_at(samples, i) - smallest;
  const std::uint64_t offset_bits = plan_rice_groups(stream.offsets, stream.offset_groups) + 8 * varint_size(smallest);
  if (offset_bits < dod_bits) {
    stream.above_minimum = true;
    stream.header_delta = smallest;
  }
}

}  // namespace redkit::ts::detail
