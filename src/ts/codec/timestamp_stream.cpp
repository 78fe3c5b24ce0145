#include "ts/codec/timestamp_stream.hpp"

#include <algorithm>

#include "ts/codec/varint.hpp"

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
  // Codes are capped in the sums so that a block's sum cannot overflow.
  constexpr std::uint64_t kCap = std::uint64_t{1} << 47;
  std::uint64_t smallest = first_delta;
  std::uint64_t prev = first_delta;
  std::uint64_t changes = 0;
  std::uint64_t dod_sum = 0;
  for (std::size_t i = 2; i < n; ++i) {
    const std::uint64_t delta = delta_at(samples, i);
    const std::uint64_t dod = delta - prev;
    stream.dods[i - 2] = dod;
    changes |= dod;
    dod_sum += std::min(zigzag_encode(dod), kCap);
    prev = delta;
    smallest = std::min(smallest, delta);
  }
  stream.above_minimum = false;
  stream.header_delta = first_delta;
  if (changes == 0) {  // regular: nothing codes smaller
    plan_rice_groups(stream.dods, stream.dod_groups);
    return;
  }
  stream.offsets.resize(n - 1);
  std::uint64_t offset_sum = 0;
  for (std::size_t i = 1; i < n; ++i) {
    stream.offsets[i - 1] = delta_at(samples, i) - smallest;
    offset_sum += std::min(stream.offsets[i - 1], kCap);
  }
  // Rice codes grow with the magnitude of what they code: when one sum is
  // clearly smaller, plan only that stream; otherwise plan both and compare.
  const bool dods_clearly_smaller = dod_sum < offset_sum - offset_sum / 8;
  const bool offsets_clearly_smaller = offset_sum < dod_sum - dod_sum / 8;
  if (offsets_clearly_smaller) {
    plan_rice_groups(stream.offsets, stream.offset_groups);
    stream.above_minimum = true;
    stream.header_delta = smallest;
    return;
  }
  const std::uint64_t dod_bits = plan_rice_groups(stream.dods, stream.dod_groups) + 8 * varint_size(first_delta);
  if (dods_clearly_smaller) return;
  const std::uint64_t offset_bits = plan_rice_groups(stream.offsets, stream.offset_groups) + 8 * varint_size(smallest);
  if (offset_bits < dod_bits) {
    stream.above_minimum = true;
    stream.header_delta = smallest;
  }
}

}  // namespace redkit::ts::detail
