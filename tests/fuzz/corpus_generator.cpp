// Writes the binary seeds of the codec targets: real encoded chunks for
// chunk_decoder and builder programs for codec_round_trip (the input format
// described in codec_round_trip_fuzz.cpp). Run once after a format change:
//
//   clang++-14 -std=c++20 -Iinclude -Isrc tests/fuzz/corpus_generator.cpp \
//     src/ts/{block_codec,decimal_values,rice_coder,timestamp_stream,varint}.cpp -lfmt -o /tmp/gen
//   /tmp/gen tests/fuzz/corpus
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ts/codec/block_codec.hpp"

namespace {

using redkit::ts::detail::Sample;

void write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

// A chunk_decoder seed: the range byte, then the blocks of `blocks`.
void chunk_seed(const std::string& dir, const std::string& name, std::uint8_t range,
                const std::vector<std::vector<Sample>>& blocks) {
  std::string bytes(1, static_cast<char>(range));
  for (const auto& block : blocks) redkit::ts::detail::encode_block(block, bytes);
  write(dir + "/chunk_decoder/" + name, bytes);
}

std::vector<Sample> regular(std::int64_t start, std::int64_t step, std::size_t n, auto value) {
  std::vector<Sample> samples;
  for (std::size_t i = 0; i < n; ++i) {
    samples.push_back(Sample{.timestamp = start + static_cast<std::int64_t>(i) * step, .value = value(i)});
  }
  return samples;
}

void le64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  constexpr std::int64_t kStart = 1'700'000'000'000;
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::mt19937_64 random(42);

  // --- chunk_decoder: encoded chunks ---
  chunk_seed(dir, "one_sample", 0x00, {{Sample{.timestamp = kStart, .value = 21.5}}});
  chunk_seed(dir, "gauge_decimal", 0x84, {regular(kStart, 10'000, 300, [](std::size_t i) {
               return static_cast<double>(2000 + static_cast<int>(i % 7) - 3) / 100;
             })});
  chunk_seed(dir, "counter_delta_of_delta", 0x3c,
             {regular(kStart, 1'000, 200, [](std::size_t i) { return static_cast<double>(i * 17); })});
  chunk_seed(dir, "random_doubles_xor", 0x51, {regular(kStart, 1'000, 100, [&](std::size_t) {
               return std::bit_cast<double>(random());
             })});
  {
    std::vector<Sample> jitter;
    std::int64_t t = kStart;
    for (int i = 0; i < 150; ++i) {
      t += 1'000 + static_cast<std::int64_t>(random() % 40);
      jitter.push_back(Sample{.timestamp = t, .value = std::sin(i * 0.1)});
    }
    chunk_seed(dir, "jittered_timestamps", 0x72, {jitter});
  }
  {
    const double specials[] = {0.0,
                               -0.0,
                               std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(),
                               std::bit_cast<double>(std::uint64_t{0x7ff8000000000001}),
                               std::bit_cast<double>(std::uint64_t{0xfff0000000000001}),
                               std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::max()};
    chunk_seed(dir, "special_doubles", 0x41, {regular(-5, 1, std::size(specials), [&](std::size_t i) {
                 return specials[i];
               })});
  }
  chunk_seed(dir, "timestamp_extremes", 0xf0,
             {{Sample{.timestamp = kMin, .value = 1}, Sample{.timestamp = -1, .value = 2},
               Sample{.timestamp = kMax - 1, .value = 3}, Sample{.timestamp = kMax, .value = 4}}});
  chunk_seed(dir, "three_blocks", 0x93,
             {regular(kStart, 1'000, 64, [](std::size_t i) { return static_cast<double>(i) / 10; }),
              regular(kStart + 64'000, 1'000, 65, [](std::size_t) { return 7.0; }),
              {Sample{.timestamp = kStart + 200'000, .value = -0.0}}});

  // --- codec_round_trip: builder programs ---
  auto program = [&](const std::string& name, std::int64_t first, const std::string& ops) {
    std::string bytes;
    le64(bytes, static_cast<std::uint64_t>(first));
    write(dir + "/codec_round_trip/" + name, bytes + ops);
  };
  // 21.37 (mantissa 2137, scale 2) 10 ms later, a bit flip that also sets
  // the mantissa step to 1, then runs of 128 and 64 samples
  {
    std::string ops{static_cast<char>(1 | (9 << 3))};
    le64(ops, 2137);
    ops += std::string{'\x02', '\x06', '\x01', '\x03', '\x7f', static_cast<char>(3 | (31 << 3)), '\x03'};
    program("gauge_run", kStart, ops);
  }
  // raw doubles and special values, then a block end and jitter
  {
    std::string ops;
    for (int i = 0; i < 6; ++i) {
      ops.push_back('\x00');
      ops.push_back(static_cast<char>(i * 3));
      le64(ops, random());
    }
    for (int i = 0; i < 16; ++i) {
      ops.push_back(static_cast<char>(2 | ((i % 4) << 3)));
      ops.push_back(static_cast<char>(i));
    }
    ops.push_back('\x07');
    for (int i = 0; i < 32; ++i) ops.push_back(static_cast<char>(5 | (i << 3)));
    program("doubles_specials_jitter", -3, ops);
  }
  // huge gaps up to the top of the int64 range
  {
    std::string ops{'\x04'};
    le64(ops, std::uint64_t{1} << 62);
    ops.push_back('\x04');
    le64(ops, (std::uint64_t{1} << 62) - 5);
    ops += std::string{'\x03', '\x10'};
    program("huge_gaps", kMin, ops);
  }
  // XOR-friendly bit flips between block ends
  {
    std::string ops;
    for (int i = 0; i < 40; ++i) {
      ops.push_back(static_cast<char>(6 | ((i % 32) << 3)));
      ops.push_back(static_cast<char>(random()));
      if (i % 13 == 12) ops.push_back('\x07');
    }
    program("bit_flips_blocks", 0, ops);
  }
  return 0;
}
