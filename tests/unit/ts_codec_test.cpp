// Time-series block codec: bit-exact round trips on regular, random and
// adversarial data, size bounds of the decimal path, range decoding, block
// scanning, and rejection of bad input on both sides.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "redkit/error.hpp"
#include "ts/codec/block_codec.hpp"

namespace redkit::ts::detail {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kStart = 1'700'000'000'000;

std::uint64_t bits_of(double v) { return std::bit_cast<std::uint64_t>(v); }

// Exact equality: timestamps and every bit of every value.
void expect_same(const std::vector<Sample>& expected, const std::vector<Sample>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(expected[i].timestamp, actual[i].timestamp) << "index " << i;
    ASSERT_EQ(bits_of(expected[i].value), bits_of(actual[i].value))
        << "index " << i << ": " << expected[i].value << " vs " << actual[i].value;
  }
}

// Encodes one block, checks its header and round trip, returns its bytes.
std::string round_trip(const std::vector<Sample>& samples) {
  std::string block;
  encode_block(samples, block);
  const std::vector<BlockInfo> infos = scan_blocks(block);
  EXPECT_EQ(infos.size(), 1u);
  if (infos.size() == 1) {
    EXPECT_EQ(infos[0].count, samples.size());
    EXPECT_EQ(infos[0].first_timestamp, samples.front().timestamp);
    EXPECT_EQ(infos[0].last_timestamp, samples.back().timestamp);
    EXPECT_EQ(infos[0].offset, 0u);
    EXPECT_EQ(infos[0].size, block.size());
  }
  std::vector<Sample> decoded;
  decode_blocks(block, decoded);
  expect_same(samples, decoded);
  return block;
}

std::vector<Sample> at_one_second(const std::vector<double>& values) {
  std::vector<Sample> samples;
  for (std::size_t i = 0; i < values.size(); ++i) {
    samples.push_back({.timestamp = kStart + static_cast<std::int64_t>(i) * 1000, .value = values[i]});
  }
  return samples;
}

double bits_per_sample(const std::string& bytes, std::size_t samples) {
  return 8.0 * static_cast<double>(bytes.size()) / static_cast<double>(samples);
}

double normal(std::mt19937_64& rng) {
  const double u1 = (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
  const double u2 = (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.141592653589793 * u2);
}

// The 2-decimal random-walk gauge of the benchmarks.
std::vector<double> gauge_values(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> values;
  std::int64_t cents = 4217;
  for (std::size_t i = 0; i < n; ++i) {
    values.push_back(static_cast<double>(cents) / 100.0);
    cents = std::llabs(cents + std::llround(normal(rng) * 5.0));
  }
  return values;
}

TEST(TsCodecTest, SingleSample) {
  round_trip({{.timestamp = 0, .value = 0.0}});
  round_trip({{.timestamp = -5, .value = -0.0}});
  round_trip({{.timestamp = kMin, .value = std::numeric_limits<double>::quiet_NaN()}});
  round_trip({{.timestamp = kMax, .value = 42.17}});
}

TEST(TsCodecTest, TwoAndThreeSamples) {
  round_trip({{.timestamp = 1, .value = 1.5}, {.timestamp = 2, .value = 2.5}});
  round_trip({{.timestamp = kMin, .value = 1.0}, {.timestamp = kMax, .value = 3.0}});
  round_trip({{.timestamp = kMin, .value = 1.0}, {.timestamp = 0, .value = 2.0}, {.timestamp = kMax, .value = 4.0}});
}

TEST(TsCodecTest, TimestampExtremesAndHugeGaps) {
  std::vector<Sample> samples = {{.timestamp = kMin, .value = 1},
                                 {.timestamp = kMin + 1, .value = 2},
                                 {.timestamp = kMin + 3, .value = 3},
                                 {.timestamp = -1'000'000'000'000'000, .value = 4},
                                 {.timestamp = -1, .value = 5},
                                 {.timestamp = 0, .value = 6},
                                 {.timestamp = 1, .value = 7},
                                 {.timestamp = 1'000, .value = 8},
                                 {.timestamp = 31'536'000'000'000, .value = 9},  // a thousand years later
                                 {.timestamp = kMax - 2, .value = 10},
                                 {.timestamp = kMax - 1, .value = 11},
                                 {.timestamp = kMax, .value = 12}};
  round_trip(samples);
  round_trip({{.timestamp = kMin, .value = 0}, {.timestamp = kMax, .value = 0}});
  round_trip({{.timestamp = kMin, .value = 0}, {.timestamp = kMax - 1, .value = 0}, {.timestamp = kMax, .value = 0}});
}

TEST(TsCodecTest, NegativeAndIrregularTimestamps) {
  std::mt19937_64 rng(7);
  std::vector<Sample> samples;
  std::int64_t t = -86'400'000;
  for (int i = 0; i < 3000; ++i) {
    samples.push_back({.timestamp = t, .value = static_cast<double>(i % 17) / 4});
    t += 1 + static_cast<std::int64_t>(rng() % 5000);
  }
  round_trip(samples);
}

TEST(TsCodecTest, JitteredTimestampsCodeAsDeltasAboveTheMinimum) {
  std::mt19937_64 rng(17);
  std::vector<Sample> samples;
  std::int64_t t = kStart;
  for (int i = 0; i < 1024; ++i) {
    samples.push_back({.timestamp = t, .value = 7.5});
    t += 997 + static_cast<std::int64_t>(rng() % 7);
  }
  // Deltas above the smallest take 3 bits or so; delta-of-deltas would take 4 to 5.
  EXPECT_LE(bits_per_sample(round_trip(samples), samples.size()), 4.0);
}

TEST(TsCodecTest, SpecialDoublesRoundTripBitForBit) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> values = {
      0.0,
      -0.0,
      std::numeric_limits<double>::denorm_min(),
      -std::numeric_limits<double>::denorm_min(),
      std::bit_cast<double>(std::uint64_t{0x000fffffffffffff}),  // largest subnormal
      std::numeric_limits<double>::min(),
      std::numeric_limits<double>::max(),
      std::numeric_limits<double>::lowest(),
      inf,
      -inf,
      std::numeric_limits<double>::quiet_NaN(),
      std::bit_cast<double>(std::uint64_t{0x7ff0000000000001}),  // signalling NaN, payload 1
      std::bit_cast<double>(std::uint64_t{0xfff8000000000000}),  // negative quiet NaN
      std::bit_cast<double>(std::uint64_t{0x7ff8dead0000beef}),
      std::bit_cast<double>(std::uint64_t{0xffffffffffffffff}),
      1.0,
      -0.0,
      0.0,
  };
  round_trip(at_one_second(values));
}

TEST(TsCodecTest, NegativeZeroInsideDecimalSeriesKeepsItsSign) {
  std::vector<double> values = gauge_values(500, 3);
  values[250] = -0.0;
  round_trip(at_one_second(values));
  values[250] = 0.0;
  round_trip(at_one_second(values));
}

TEST(TsCodecTest, ConstantAndAlternatingSeries) {
  EXPECT_LE(bits_per_sample(round_trip(at_one_second(std::vector<double>(1024, 42.17))), 1024), 0.5);
  round_trip(at_one_second(std::vector<double>(1000, std::numeric_limits<double>::quiet_NaN())));
  round_trip(at_one_second(std::vector<double>(1000, -0.0)));
  std::vector<double> alternating;
  for (int i = 0; i < 1000; ++i) alternating.push_back(i % 2 == 0 ? 0.1 : 12345.678);
  round_trip(at_one_second(alternating));
  std::vector<double> alternating_bits;
  for (int i = 0; i < 1000; ++i)
    alternating_bits.push_back(i % 2 == 0 ? 1e300 : -std::numeric_limits<double>::denorm_min());
  round_trip(at_one_second(alternating_bits));
}

TEST(TsCodecTest, DecimalLookalikesAndScaleLimits) {
  std::vector<double> values = gauge_values(1024, 11);
  values[700] = 0.1 + 0.2;  // 0.30000000000000004: no short decimal
  round_trip(at_one_second(values));
  round_trip(at_one_second({0.123456789012345, 1e-15, 9007199254740991.0, -9007199254740991.0}));
  round_trip(at_one_second({9007199254740992.0, 1.0}));  // 2^53: mantissa too large
  round_trip(at_one_second({1e15, 1e-15, 123.456, -0.001}));
  round_trip(at_one_second({1e22, 1e-300, 5e-324}));
  std::vector<double> fifteen;
  for (int i = 0; i < 100; ++i) fifteen.push_back(static_cast<double>(123456789012345 + i) / 1e15);
  round_trip(at_one_second(fifteen));
}

TEST(TsCodecTest, DecimalGaugeIsSmall) {
  const std::vector<double> values = gauge_values(1024, 42);
  const std::string block = round_trip(at_one_second(values));
  EXPECT_LE(bits_per_sample(block, values.size()), 6.0);
}

TEST(TsCodecTest, CounterIsSmall) {
  std::mt19937_64 rng(5);
  std::vector<double> values;
  double count = 1'000'000;
  for (int i = 0; i < 1024; ++i) {
    values.push_back(count);
    count += static_cast<double>(rng() % 3);
  }
  EXPECT_LE(bits_per_sample(round_trip(at_one_second(values)), values.size()), 3.0);
}

TEST(TsCodecTest, NoisyDoublesStayUnderSeventyBits) {
  std::mt19937_64 rng(9);
  std::vector<double> values;
  for (int i = 0; i < 1024; ++i) values.push_back(50.0 + 10.0 * normal(rng));
  EXPECT_LE(bits_per_sample(round_trip(at_one_second(values)), values.size()), 70.0);
}

TEST(TsCodecTest, LinearRampUsesDeltaOfDelta) {
  std::vector<double> values;
  for (int i = 0; i < 1024; ++i) values.push_back(static_cast<double>(1000 + 7 * i) / 100.0);
  EXPECT_LE(bits_per_sample(round_trip(at_one_second(values)), values.size()), 0.5);
}

TEST(TsCodecTest, MaxBlockSamples) {
  std::vector<Sample> samples = at_one_second(gauge_values(kMaxBlockSamples, 1));
  round_trip(samples);
  samples.push_back({.timestamp = samples.back().timestamp + 1, .value = 1.0});
  std::string out;
  EXPECT_THROW(encode_block(samples, out), InvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(TsCodecTest, BadInputToEncodeNamesTheValue) {
  std::string out;
  try {
    encode_block({}, out);
    FAIL() << "empty block accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("0 samples"), std::string::npos) << e.what();
  }
  const std::vector<Sample> equal = {
      {.timestamp = 10, .value = 1}, {.timestamp = 20, .value = 2}, {.timestamp = 20, .value = 3}};
  try {
    encode_block(equal, out);
    FAIL() << "equal timestamps accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("timestamp 20 at index 2"), std::string::npos) << e.what();
  }
  const std::vector<Sample> decreasing = {{.timestamp = kMax, .value = 1}, {.timestamp = kMin, .value = 2}};
  try {
    encode_block(decreasing, out);
    FAIL() << "decreasing timestamps accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(kMin)), std::string::npos) << e.what();
  }
  const std::vector<Sample> too_many(kMaxBlockSamples + 1);
  try {
    encode_block(too_many, out);
    FAIL() << "oversized block accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(kMaxBlockSamples + 1)), std::string::npos) << e.what();
  }
  EXPECT_TRUE(out.empty());
}

// Three blocks appended to one chunk after some existing bytes of the caller.
struct Chunk {
  std::vector<std::vector<Sample>> blocks;
  std::string bytes;
};

Chunk three_blocks() {
  Chunk chunk;
  const std::vector<double> values = gauge_values(3000, 8);
  std::vector<Sample> all = at_one_second(values);
  chunk.blocks = {std::vector<Sample>(all.begin(), all.begin() + 1000),
                  std::vector<Sample>(all.begin() + 1000, all.begin() + 1001),
                  std::vector<Sample>(all.begin() + 1001, all.end())};
  chunk.blocks[2][5].value = std::numeric_limits<double>::quiet_NaN();  // forces XOR on the last block
  for (const auto& block : chunk.blocks) encode_block(block, chunk.bytes);
  return chunk;
}

TEST(TsCodecTest, ScanAndDecodeConcatenatedBlocks) {
  const Chunk chunk = three_blocks();
  const std::vector<BlockInfo> infos = scan_blocks(chunk.bytes);
  ASSERT_EQ(infos.size(), 3u);
  std::size_t offset = 0;
  std::vector<Sample> expected;
  for (std::size_t b = 0; b < 3; ++b) {
    EXPECT_EQ(infos[b].offset, offset);
    EXPECT_EQ(infos[b].count, chunk.blocks[b].size());
    EXPECT_EQ(infos[b].first_timestamp, chunk.blocks[b].front().timestamp);
    EXPECT_EQ(infos[b].last_timestamp, chunk.blocks[b].back().timestamp);
    std::vector<Sample> one(infos[b].count);
    decode_block(chunk.bytes, infos[b], one.data());
    expect_same(chunk.blocks[b], one);
    offset += infos[b].size;
    expected.insert(expected.end(), chunk.blocks[b].begin(), chunk.blocks[b].end());
  }
  EXPECT_EQ(offset, chunk.bytes.size());
  std::vector<Sample> decoded = {{.timestamp = -1, .value = -1}};  // appended after what is there
  decode_blocks(chunk.bytes, decoded);
  ASSERT_EQ(decoded.size(), expected.size() + 1);
  EXPECT_EQ(decoded[0].timestamp, -1);
  decoded.erase(decoded.begin());
  expect_same(expected, decoded);
  EXPECT_TRUE(scan_blocks("").empty());
}

std::vector<Sample> naive_range(const Chunk& chunk, std::int64_t from, std::int64_t to) {
  std::vector<Sample> out;
  for (const auto& block : chunk.blocks) {
    for (const Sample& s : block) {
      if (s.timestamp >= from && s.timestamp <= to) out.push_back(s);
    }
  }
  return out;
}

TEST(TsCodecTest, RangeBoundaries) {
  const Chunk chunk = three_blocks();
  const std::int64_t first = chunk.blocks[0].front().timestamp;
  const std::int64_t last = chunk.blocks[2].back().timestamp;
  const std::int64_t lone = chunk.blocks[1].front().timestamp;
  const std::vector<std::pair<std::int64_t, std::int64_t>> ranges = {
      {kMin, kMax},
      {first, last},
      {first, first},
      {last, last},
      {lone, lone},
      {lone - 1, lone + 1},
      {lone - 500, lone + 1},
      {first + 1, last - 1},
      {first - 1000, first - 1},
      {last + 1, kMax},
      {first + 999'999, first + 1'000'000},    // one block's end, the lone block
      {first + 500, first + 400},              // empty: from > to
      {first + 1'500'500, first + 1'500'999},  // between samples: nothing
  };
  for (const auto& [from, to] : ranges) {
    std::vector<Sample> decoded;
    decode_blocks_range(chunk.bytes, from, to, decoded);
    SCOPED_TRACE(testing::Message() << "range " << from << ".." << to);
    expect_same(naive_range(chunk, from, to), decoded);
  }
}

TEST(TsCodecTest, RangeSkipsBlocksByHeader) {
  Chunk chunk = three_blocks();
  const std::vector<BlockInfo> infos = scan_blocks(chunk.bytes);
  // Give the first block an unknown value coding (the byte after count, first
  // timestamp and span); a range outside it never decodes it.
  const auto varint_size = [](std::uint64_t v) {
    std::size_t n = 1;
    for (; v >= 0x80; v >>= 7) ++n;
    return n;
  };
  std::size_t size_field = 1;
  while (varint_size(infos[0].size - 1 - size_field) != size_field) ++size_field;
  const std::uint64_t first = static_cast<std::uint64_t>(infos[0].first_timestamp);
  const std::size_t coding_offset = 1 + size_field + varint_size(infos[0].count) +
                                    varint_size((first << 1) ^ (0 - (first >> 63))) +
                                    varint_size(static_cast<std::uint64_t>(infos[0].last_timestamp) - first);
  chunk.bytes[coding_offset] = 0x7f;
  ASSERT_EQ(scan_blocks(chunk.bytes).size(), 3u);
  std::vector<Sample> decoded;
  decode_blocks_range(chunk.bytes, infos[1].first_timestamp, kMax, decoded);
  expect_same(naive_range(chunk, infos[1].first_timestamp, kMax), decoded);
  std::vector<Sample> all;
  try {
    decode_blocks(chunk.bytes, all);
    FAIL() << "unknown value coding accepted";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("value coding 0x7f"), std::string::npos) << e.what();
  }
}

TEST(TsCodecTest, TruncatedInputThrows) {
  const std::vector<std::vector<Sample>> inputs = {
      at_one_second(gauge_values(300, 4)),
      at_one_second({1.5, std::numeric_limits<double>::quiet_NaN(), 1e300}),
      {{.timestamp = kMin, .value = 1}}};
  for (const auto& samples : inputs) {
    std::string block;
    encode_block(samples, block);
    for (std::size_t len = 1; len < block.size(); ++len) {
      const std::string_view prefix(block.data(), len);
      std::vector<Sample> out;
      EXPECT_THROW(decode_blocks(prefix, out), ProtocolError) << "prefix of " << len << " bytes";
      EXPECT_TRUE(out.empty());
      EXPECT_THROW(scan_blocks(prefix), ProtocolError) << "prefix of " << len << " bytes";
    }
  }
}

TEST(TsCodecTest, UnknownVersionThrows) {
  std::string block;
  encode_block(at_one_second({1.0, 2.0}), block);
  block[0] = 2;
  try {
    scan_blocks(block);
    FAIL() << "version 2 accepted";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
  }
  std::vector<Sample> out;
  EXPECT_THROW(decode_blocks(block, out), ProtocolError);
}

TEST(TsCodecTest, TrailingGarbageThrows) {
  std::string block;
  encode_block(at_one_second({1.0, 2.0, 3.0}), block);
  std::string padded = block;
  padded += '\x01';  // a block of version 1 that ends before its size
  std::vector<Sample> out;
  EXPECT_THROW(decode_blocks(padded, out), ProtocolError);
  // A body one byte longer than its bit stream needs.
  std::string longer = block;
  longer[1] = static_cast<char>(longer[1] + 1);
  longer.push_back('\0');
  EXPECT_THROW(decode_blocks(longer, out), ProtocolError);
}

// Corrupted bytes either throw ProtocolError or decode to something; they never
// crash or read out of bounds (checked under AddressSanitizer).
TEST(TsCodecTest, CorruptedInputNeverCrashes) {
  std::mt19937_64 rng(13);
  std::vector<std::string> blocks;
  for (const auto& samples :
       {at_one_second(gauge_values(200, 2)), three_blocks().blocks[2], at_one_second({1.0, -0.0, 1e300, 3.5})}) {
    blocks.emplace_back();
    encode_block(samples, blocks.back());
  }
  int thrown = 0;
  for (const std::string& original : blocks) {
    for (int trial = 0; trial < 3000; ++trial) {
      std::string bytes = original;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] ^= static_cast<char>(1u << (rng() % 8));
      std::vector<Sample> out;
      try {
        decode_blocks(bytes, out);
        std::vector<Sample> range;
        decode_blocks_range(bytes, kStart + 50'000, kStart + 150'000, range);
      } catch (const ProtocolError&) {
        ++thrown;
      }
    }
  }
  EXPECT_GT(thrown, 0);
}

// Random series of random shapes, many seeds.
std::vector<Sample> random_series(std::mt19937_64& rng) {
  const std::size_t n = 1 + static_cast<std::size_t>(rng() % (rng() % 4 == 0 ? 5000 : 300));
  const int timestamp_kind = static_cast<int>(rng() % 4);
  const int value_kind = static_cast<int>(rng() % 6);
  const unsigned scale = static_cast<unsigned>(rng() % 16);
  std::vector<Sample> samples(n);
  std::int64_t t = static_cast<std::int64_t>(rng());
  if (timestamp_kind == 3) t = kMin + static_cast<std::int64_t>(rng() % 1000);
  t = std::min(t, kMax - static_cast<std::int64_t>(n));  // room for n increasing timestamps
  const std::int64_t step = 1 + static_cast<std::int64_t>(rng() % 100'000);
  double walk = 0;
  for (std::size_t i = 0; i < n; ++i) {
    samples[i].timestamp = t;
    switch (value_kind) {
      case 0:
        samples[i].value = std::bit_cast<double>(rng());
        break;  // any bits, NaNs included
      case 1:
        samples[i].value =
            static_cast<double>(static_cast<std::int64_t>(rng() % 2'000'001) - 1'000'000) / std::pow(10.0, scale);
        break;
      case 2:
        walk += normal(rng);
        samples[i].value = walk;
        break;
      case 3:
        samples[i].value = std::round(walk += normal(rng) * 100) / 100;
        break;
      case 4:
        samples[i].value = static_cast<double>(rng() % 3);
        break;
      default:
        samples[i].value = rng() % 50 == 0 ? std::bit_cast<double>(rng()) : 42.17;
        break;
    }
    std::uint64_t gap = 0;
    switch (timestamp_kind) {
      case 0:
        gap = static_cast<std::uint64_t>(step);
        break;
      case 1:
        gap = 1 + rng() % 2000;
        break;
      default:
        gap = rng() % 8 == 0 ? rng() >> (12 + rng() % 50) : 1 + rng() % 3;
        break;
    }
    // Stay short of INT64_MAX: leave room for the samples still to come.
    const std::uint64_t room = static_cast<std::uint64_t>(kMax) - static_cast<std::uint64_t>(t);
    gap = std::max<std::uint64_t>(1, std::min(gap, room / (n - i)));
    t = static_cast<std::int64_t>(static_cast<std::uint64_t>(t) + gap);
  }
  return samples;
}

TEST(TsCodecTest, RandomizedRoundTripsOverManySeeds) {
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    std::mt19937_64 rng(seed);
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    std::string chunk;
    std::vector<Sample> expected;
    const int blocks = 1 + static_cast<int>(rng() % 3);
    for (int b = 0; b < blocks; ++b) {
      const std::vector<Sample> samples = random_series(rng);
      encode_block(samples, chunk);
      expected.insert(expected.end(), samples.begin(), samples.end());
    }
    std::vector<Sample> decoded;
    decode_blocks(chunk, decoded);
    expect_same(expected, decoded);
    if (testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace redkit::ts::detail
