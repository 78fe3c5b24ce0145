#include "ts/chunk_summary.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::ts::detail {

namespace {
constexpr std::size_t kPackedBytes = 40;
}  // namespace

ChunkSummary ChunkSummary::of(std::span<const Sample> samples) {
  ChunkSummary summary;
  summary.count = static_cast<std::int64_t>(samples.size());
  summary.last = samples.back().timestamp;
  summary.min = samples.front().value;
  summary.max = samples.front().value;
  for (const Sample& sample : samples) {
    summary.min = std::min(summary.min, sample.value);
    summary.max = std::max(summary.max, sample.value);
    summary.sum += sample.value;
  }
  return summary;
}

std::string ChunkSummary::pack() const {
  std::string bytes(kPackedBytes, '\0');
  std::memcpy(bytes.data(), &count, 8);
  std::memcpy(bytes.data() + 8, &last, 8);
  std::memcpy(bytes.data() + 16, &min, 8);
  std::memcpy(bytes.data() + 24, &max, 8);
  std::memcpy(bytes.data() + 32, &sum, 8);
  return bytes;
}

ChunkSummary ChunkSummary::unpack(std::string_view bytes) {
  if (bytes.size() != kPackedBytes) {
    throw ProtocolError(fmt::format("chunk summary of {} bytes, expected {}", bytes.size(), kPackedBytes));
  }
  ChunkSummary summary;
  std::memcpy(&summary.count, bytes.data(), 8);
  std::memcpy(&summary.last, bytes.data() + 8, 8);
  std::memcpy(&summary.min, bytes.data() + 16, 8);
  std::memcpy(&summary.max, bytes.data() + 24, 8);
  std::memcpy(&summary.sum, bytes.data() + 32, 8);
  return summary;
}

}  // namespace redkit::ts::detail
