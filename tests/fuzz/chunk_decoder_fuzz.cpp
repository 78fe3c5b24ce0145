// Chunk decoder on arbitrary bytes: chunks come back from Redis, where
// anything with write access to the keys can alter them, so decoding must
// either return samples or throw redkit::ProtocolError. Anything else
// (another exception, a crash, a sanitizer report, an allocation out of
// proportion to the input) is a finding. When decoding succeeds, the result
// must also obey what the format promises: the scanned headers agree with the
// decoded samples, timestamps strictly increase inside each block, a range
// decode returns exactly the samples in the range, and re-encoding the
// samples decodes to the same bits.
//
// Input: the first byte picks the range for decode_blocks_range; the rest is
// the chunk.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/error.hpp"
#include "ts/codec/block_codec.hpp"

namespace {

using redkit::ts::detail::BlockInfo;
using redkit::ts::detail::Sample;

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(const Sample& a, const Sample& b) {
  return a.timestamp == b.timestamp && std::memcmp(&a.value, &b.value, sizeof(double)) == 0;
}

// Runs `decode`; true when it returned, false when it threw ProtocolError.
// Any other exception escapes to the fuzzer.
template <class F>
bool decodes(F&& decode) {
  try {
    decode();
    return true;
  } catch (const redkit::ProtocolError&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t range_pick = data[0];
  const std::string_view chunk(reinterpret_cast<const char*>(data + 1), size - 1);

  std::vector<BlockInfo> infos;
  const bool scanned = decodes([&] { infos = redkit::ts::detail::scan_blocks(chunk); });

  std::vector<Sample> samples;
  const bool decoded = decodes([&] { redkit::ts::detail::decode_blocks(chunk, samples); });
  // Decoding checks more than scanning, never less.
  if (decoded) check(scanned);

  // A range from and to samples of the chunk (the upper end maybe one past a
  // sample), or near zero when it did not decode.
  std::int64_t from = static_cast<std::int64_t>(range_pick) - 128;
  std::int64_t to = from + 1000;
  if (decoded && !samples.empty()) {
    from = samples[(samples.size() * (range_pick & 15)) / 16].timestamp;
    to = samples[(samples.size() * (range_pick >> 4)) / 16].timestamp;
    if (to < std::numeric_limits<std::int64_t>::max()) to += range_pick & 1;
  }
  std::vector<Sample> ranged;
  const bool range_decoded = decodes([&] { redkit::ts::detail::decode_blocks_range(chunk, from, to, ranged); });
  if (decoded) check(range_decoded);
  if (!scanned) return 0;

  // Block by block: the one-block decoder agrees with the whole-chunk one.
  std::size_t at = 0;
  std::vector<Sample> one;
  for (const BlockInfo& info : infos) {
    one.assign(info.count, Sample{});
    const bool block_decoded = decodes([&] { redkit::ts::detail::decode_block(chunk, info, one.data()); });
    if (!decoded) continue;
    check(block_decoded);
    check(info.count >= 1 && one.front().timestamp == info.first_timestamp &&
          one.back().timestamp == info.last_timestamp);
    for (std::size_t i = 0; i < one.size(); ++i) {
      check(same(one[i], samples[at + i]));
      if (i > 0) check(one[i].timestamp > one[i - 1].timestamp);
    }
    at += info.count;
  }
  if (!decoded) return 0;
  check(at == samples.size());

  std::vector<Sample> wanted;
  if (from <= to) {
    for (const Sample& s : samples) {
      if (s.timestamp >= from && s.timestamp <= to) wanted.push_back(s);
    }
  }
  // Blocks need not follow each other in time, so compare as decoded, in order.
  check(ranged.size() == wanted.size());
  for (std::size_t i = 0; i < wanted.size(); ++i) check(same(ranged[i], wanted[i]));

  // What decoded re-encodes, block by block, and decodes to the same bits.
  std::string again;
  at = 0;
  for (const BlockInfo& info : infos) {
    redkit::ts::detail::encode_block({samples.data() + at, info.count}, again);
    at += info.count;
  }
  std::vector<Sample> redecoded;
  redkit::ts::detail::decode_blocks(again, redecoded);
  check(redecoded.size() == samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) check(same(redecoded[i], samples[i]));
  return 0;
}
