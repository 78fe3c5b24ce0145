// Codec round trip: turns the input into a chunk of strictly increasing
// samples, encodes it block by block and checks that every way of reading it
// back (scan_blocks, decode_blocks, decode_block, decode_blocks_range) returns
// exactly what went in, every bit of every double included. The store keeps
// nothing but these blocks, so any difference is lost or altered data.
//
// Input: 8 bytes of first timestamp (little endian), then one-byte operations,
// each op = kind (low 3 bits) + argument (high 5 bits):
//   0  one sample, delta = varint + 1, value = the next 8 bytes as a bit pattern
//   1  one sample, delta = arg + 1, value = int32 mantissa / 10^(next byte % 16)
//   2  one sample, delta = arg + 1, a special double (NaN payloads, -0.0, ±inf,
//      subnormals, extremes) picked by the next byte
//   3  a run of next byte + 1 samples (16 times as many when arg >= 30) at
//      the last delta, each value continuing the last decimal step (a
//      regular gauge or counter)
//   4  one sample after a huge delta (8 bytes), same value
//   5  one sample with the last delta jittered by arg - 16
//   6  one sample, delta arg + 1, value = previous with a few bits flipped
//   7  end the current block here
// Timestamps stop where they would pass INT64_MAX, and the sequence at
// kMaxSamples. (Blocks of kMaxBlockSamples are left to the unit tests: under
// the sanitizers one costs about a tenth of a second, too slow to fuzz.)
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "redkit/error.hpp"
#include "ts/codec/block_codec.hpp"

namespace {

using redkit::ts::detail::BlockInfo;
using redkit::ts::detail::kMaxBlockSamples;
using redkit::ts::detail::Sample;

// Enough for many Rice groups of 64 in several blocks, small enough for
// thousands of runs a second.
constexpr std::size_t kMaxSamples = 10'000;
static_assert(kMaxSamples <= kMaxBlockSamples);

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint64_t le64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{byte()} << (8 * i);
    return v;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && !empty(); shift += 7) {
      const std::uint8_t b = byte();
      v |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) break;
    }
    return v;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

double special_value(std::uint8_t pick) {
  static const std::uint64_t kBits[] = {
      0x0000000000000000,  // +0.0
      0x8000000000000000,  // -0.0
      0x7ff0000000000000,  // +inf
      0xfff0000000000000,  // -inf
      0x7ff8000000000000,  // quiet NaN
      0xfff8000000000001,  // negative quiet NaN with payload
      0x7ff0000000000001,  // signalling NaN
      0x7fffffffffffffff,  // NaN, all payload bits
      0x0000000000000001,  // smallest subnormal
      0x800fffffffffffff,  // largest negative subnormal
      0x0010000000000000,  // smallest normal
      0x7fefffffffffffff,  // largest finite
      0x3ff0000000000000,  // 1.0
      0x4340000000000000,  // 2^53
      0xc33fffffffffffff,  // -(2^53 - 1)
      0x3fb999999999999a,  // 0.1
  };
  return std::bit_cast<double>(kBits[pick % std::size(kBits)]);
}

struct Builder {
  std::vector<Sample> samples;
  std::vector<std::size_t> block_ends;  // indices where a block ends (exclusive)
  std::uint64_t last_delta = 1;
  std::int64_t mantissa = 0;
  std::int64_t mantissa_step = 0;
  unsigned scale = 0;
  double value = 0;
  bool stopped = false;

  // Appends a sample `delta` after the last one; stops the sequence instead
  // of wrapping past INT64_MAX.
  void add(std::uint64_t delta, double v) {
    if (stopped || samples.size() >= kMaxSamples) {
      stopped = true;
      return;
    }
    if (delta == 0) delta = 1;
    const std::int64_t last = samples.back().timestamp;
    // Room above `last`, computed in uint64 where it cannot overflow.
    const std::uint64_t room =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) - static_cast<std::uint64_t>(last);
    if (delta > room) {
      stopped = true;
      return;
    }
    last_delta = delta;
    value = v;
    samples.push_back(Sample{.timestamp = static_cast<std::int64_t>(static_cast<std::uint64_t>(last) + delta),
                             .value = v});
  }

  // m / 10^s, as the codec's decimal values are defined (10^s is exact).
  double decimal() const {
    double p = 1;
    for (unsigned i = 0; i < scale; ++i) p *= 10;
    return static_cast<double>(mantissa) / p;
  }
};

void build(Input& in, Builder& b) {
  const auto first = static_cast<std::int64_t>(in.le64());
  b.samples.push_back(Sample{.timestamp = first, .value = 0});
  while (!in.empty() && !b.stopped) {
    const std::uint8_t op = in.byte();
    const unsigned arg = op >> 3;
    switch (op & 7) {
      case 0: {
        const std::uint64_t delta = in.varint() + 1;
        b.add(delta, std::bit_cast<double>(in.le64()));
        break;
      }
      case 1: {
        const auto raw = static_cast<std::uint32_t>(in.le64());
        b.mantissa = static_cast<std::int32_t>(raw);
        b.scale = in.byte() % 16;
        b.add(arg + 1, b.decimal());
        break;
      }
      case 2:
        b.add(arg + 1, special_value(in.byte()));
        break;
      case 3: {
        const std::size_t count = (std::size_t{in.byte()} + 1) << (arg >= 30 ? 4 : 0);
        for (std::size_t i = 0; i < count && !b.stopped; ++i) {
          b.mantissa += b.mantissa_step;
          b.add(b.last_delta, b.decimal());
        }
        break;
      }
      case 4:
        b.add(in.le64(), b.value);
        break;
      case 5: {
        const auto jitter = static_cast<std::int64_t>(arg) - 16;
        const std::uint64_t delta = b.last_delta + static_cast<std::uint64_t>(jitter);
        b.add(delta > b.last_delta + 16 ? 1 : delta, b.value);
        break;
      }
      case 6: {
        const std::uint64_t flip = std::uint64_t{in.byte()} << ((arg * 2) % 57);
        b.mantissa_step = static_cast<std::int8_t>(flip & 0xff);
        b.add(arg + 1, std::bit_cast<double>(std::bit_cast<std::uint64_t>(b.value) ^ flip));
        break;
      }
      case 7:
        if (b.block_ends.empty() || b.block_ends.back() != b.samples.size()) b.block_ends.push_back(b.samples.size());
        break;
    }
  }
  if (b.block_ends.empty() || b.block_ends.back() != b.samples.size()) b.block_ends.push_back(b.samples.size());
}

bool same(const Sample& a, const Sample& b) {
  return a.timestamp == b.timestamp && std::memcmp(&a.value, &b.value, sizeof(double)) == 0;
}

void check(bool ok) {
  if (!ok) std::abort();
}

void check_same(const Sample* expected, const Sample* actual, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) check(same(expected[i], actual[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  Builder b;
  build(in, b);
  const std::vector<Sample>& samples = b.samples;

  std::string chunk;
  std::vector<BlockInfo> expected;
  std::size_t start = 0;
  for (const std::size_t end : b.block_ends) {
    const std::size_t n = end - start;
    const std::size_t offset = chunk.size();
    redkit::ts::detail::encode_block({samples.data() + start, n}, chunk);
    expected.push_back(BlockInfo{.count = static_cast<std::uint32_t>(n),
                                 .first_timestamp = samples[start].timestamp,
                                 .last_timestamp = samples[start + n - 1].timestamp,
                                 .offset = offset,
                                 .size = chunk.size() - offset});
    start = end;
  }

  const std::vector<BlockInfo> infos = redkit::ts::detail::scan_blocks(chunk);
  check(infos.size() == expected.size());
  std::vector<Sample> one;
  std::size_t at = 0;
  for (std::size_t i = 0; i < infos.size(); ++i) {
    check(infos[i].count == expected[i].count && infos[i].first_timestamp == expected[i].first_timestamp &&
          infos[i].last_timestamp == expected[i].last_timestamp && infos[i].offset == expected[i].offset &&
          infos[i].size == expected[i].size);
    one.resize(infos[i].count);
    redkit::ts::detail::decode_block(chunk, infos[i], one.data());
    check_same(samples.data() + at, one.data(), one.size());
    at += infos[i].count;
  }

  std::vector<Sample> decoded;
  redkit::ts::detail::decode_blocks(chunk, decoded);
  check(decoded.size() == samples.size());
  check_same(samples.data(), decoded.data(), samples.size());

  // A range that starts on a sample and ends between two (or at the last one).
  const std::size_t n = samples.size();
  const std::int64_t from = samples[n / 4].timestamp;
  const std::int64_t to = samples[(3 * n) / 4].timestamp - (n >= 4 ? 1 : 0);
  std::vector<Sample> ranged;
  redkit::ts::detail::decode_blocks_range(chunk, from, to, ranged);
  std::vector<Sample> wanted;
  for (const Sample& s : samples) {
    if (s.timestamp >= from && s.timestamp <= to) wanted.push_back(s);
  }
  check(ranged.size() == wanted.size());
  check_same(wanted.data(), ranged.data(), wanted.size());
  return 0;
}
