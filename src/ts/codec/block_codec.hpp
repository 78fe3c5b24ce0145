// The compressed block codec of the time-series store: samples in, bytes out
// and back, bit for bit. Pure code; the store keeps sealed chunks as
// concatenations of blocks.
//
// Block format, version 1 (varint = unsigned LEB128; zz = zigzag then varint;
// uint64 differences wrap, so timestamps near INT64_MIN/INT64_MAX round-trip):
//
//   u8      format version, 1; other versions are rejected
//   varint  body size: bytes after this field to the end of the block, so a
//           reader skips a block without decoding it
//   -- body --
//   varint  count, 1..kMaxBlockSamples
//   zz      first timestamp (Unix ms)
//   varint  last timestamp - first timestamp (0 when count = 1)
//   u8      coding: bit 7 timestamp mode T, bits 4-6 value mode, bits 0-3
//           decimal scale s (0..15)              (timestamp_stream.hpp)
//             T 0     timestamps as delta-of-deltas
//             T 1     timestamps as deltas above the block's smallest delta
//             mode 0  decimal, mantissa deltas           (decimal_values.hpp)
//             mode 1  decimal, mantissa delta-of-deltas
//             mode 2  XOR (xor_values.hpp), s = 0
//   mode 0, 1:           zz  first mantissa m0 (value = m / 10^s)
//   mode 1, count >= 2:  zz  first mantissa delta m1 - m0
//   mode 2:              8 bytes  bit pattern of the first value, little endian
//   count >= 2:          varint  T 0: first timestamp delta t1 - t0;
//                                T 1: smallest delta
//   bit stream, most significant bit first, to the end of the block, zero
//   padded to a whole byte (fewer than 8 padding bits):
//     timestamps  T 0: count - 2 delta-of-deltas, Rice groups (rice_coder.hpp);
//                      regular intervals cost 6 bits per 64 samples
//                 T 1: count - 1 deltas minus the smallest, Rice groups
//     values      mode 0: count - 1 mantissa deltas, Rice groups
//                 mode 1: count - 2 mantissa delta-of-deltas, Rice groups
//                 mode 2: count - 1 XOR codes
//
// The encoder picks the timestamp and value modes that code smallest. Decoders check that
// timestamps strictly increase and end at the header's last timestamp, and
// that the bit stream ends in the block's last byte.
//
// Thread-safety: the functions share no state between calls on different
// threads (scratch buffers are thread-local).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ts/sample.hpp"

namespace redkit::ts::detail {

inline constexpr std::size_t kMaxBlockSamples = 65536;
inline constexpr std::uint8_t kBlockFormatVersion = 1;

// Appends one self-contained, self-delimiting encoded block holding `samples`
// to `out`. Throws InvalidArgument, naming the value, unless 1 <= samples.size()
// <= kMaxBlockSamples and timestamps strictly increase. Any double is allowed
// (±0, subnormals, ±inf, NaN with any payload); decoding returns every value
// bit for bit.
void encode_block(std::span<const Sample> samples, std::string& out);

// Header facts of one block, readable without decoding the bit streams.
struct BlockInfo {
  std::uint32_t count = 0;
  std::int64_t first_timestamp = 0;
  std::int64_t last_timestamp = 0;
  std::size_t offset = 0;  // of the block's first byte in the chunk
  std::size_t size = 0;    // of the whole block in bytes
};

// Headers of all blocks of `chunk` (a concatenation of blocks), in order.
// Throws redkit::ProtocolError on truncated or malformed headers or an unknown
// format version.
std::vector<BlockInfo> scan_blocks(std::string_view chunk);

// Decodes every sample of every block of `chunk`, appending to `out` in order.
// Throws ProtocolError on bad data; `out` may then hold part of the samples.
void decode_blocks(std::string_view chunk, std::vector<Sample>& out);

// Decodes only the samples with from <= timestamp <= to, appending them to
// `out`; blocks outside the range are skipped by their header. Throws as
// decode_blocks does.
void decode_blocks_range(std::string_view chunk, std::int64_t from, std::int64_t to, std::vector<Sample>& out);

// Decodes the one block that starts at `info.offset` of `chunk` (as scan_blocks
// reported it) into dst[0 .. info.count). Throws ProtocolError on bad data.
void decode_block(std::string_view chunk, const BlockInfo& info, Sample* dst);

}  // namespace redkit::ts::detail
