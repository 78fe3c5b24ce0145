// Client-side compression of sample runs into chunk-sized pieces.
#include <algorithm>

#include "ts/codec/block_codec.hpp"
#include "ts/chunk_summary.hpp"
#include "ts/store_impl.hpp"

namespace redkit::ts {

std::vector<EncodedPiece> encode_pieces(std::span<const Sample> samples, std::size_t block_samples) {
  std::vector<EncodedPiece> pieces;
  EncodedPiece current;
  std::size_t piece_begin = 0;
  auto finish = [&](std::size_t end) {
    const auto run = samples.subspan(piece_begin, end - piece_begin);
    current.count = run.size();
    current.summary = detail::ChunkSummary::of(run).pack();
    pieces.push_back(std::move(current));
    current = EncodedPiece{};
    piece_begin = end;
  };
  std::string block;
  // A block that alone overflows a chunk (noisy full-precision values) is
  // split in halves, so chunks stay inside their allocator size class.
  auto add_run = [&](auto& self, std::size_t begin, std::size_t length) -> void {
    const auto run = samples.subspan(begin, length);
    block.clear();
    detail::encode_block(run, block);
    if (block.size() > limits::kChunkTargetBytes && length > 1) {
      self(self, begin, length / 2);
      self(self, begin + length / 2, length - length / 2);
      return;
    }
    if (!current.bytes.empty() && current.bytes.size() + block.size() > limits::kChunkTargetBytes) {
      finish(begin);
    }
    if (current.bytes.empty()) {
      current.first = run.front().timestamp;
    }
    current.bytes += block;
  };
  for (std::size_t begin = 0; begin < samples.size(); begin += block_samples) {
    add_run(add_run, begin, std::min(block_samples, samples.size() - begin));
  }
  if (!current.bytes.empty()) {
    finish(samples.size());
  }
  return pieces;
}

}  // namespace redkit::ts
