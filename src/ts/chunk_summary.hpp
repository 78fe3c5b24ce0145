// A sealed chunk's summary as the scripts store it (struct '<i8i8ddd'):
// sample count, last timestamp, min, max and sum of the values. Lua merges
// summaries when blocks join a chunk; stats read them instead of samples.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ts/sample.hpp"

namespace redkit::ts::detail {

struct ChunkSummary {
  std::int64_t count = 0;
  Timestamp last = 0;
  double min = 0;
  double max = 0;
  double sum = 0;

  // Of a non-empty run of samples in timestamp order.
  static ChunkSummary of(std::span<const Sample> samples);
  std::string pack() const;
  // Throws ProtocolError when the bytes are not 40 long.
  static ChunkSummary unpack(std::string_view bytes);
};

}  // namespace redkit::ts::detail
