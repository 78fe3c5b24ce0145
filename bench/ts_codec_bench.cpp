// Time-series block codec benchmarks: encode and decode speed and size per
// sample of redkit's codec on the five datasets of ts_datasets.hpp (1,048,576
// samples each, blocks of 1024), next to a plain Gorilla encoder (Pelkonen et
// al., VLDB 2015: delta-of-delta timestamps in '0'/'10'/'110'/'1110'/'1111'
// buckets, XOR values with 5-bit leading zeros and 6-bit length) written here
// as the baseline and run on the same samples in the same process. Each
// baseline block starts with a 16-bit count and the raw first timestamp and
// value; its widest delta-of-delta bucket holds 32 bits, as in the paper.
//
//   build/bench/ts_codec_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Counters: bits_per_sample = encoded bytes * 8 / samples, headers included;
// sec_per_sample = CPU time per sample (shown with an SI prefix, n = ns).
#include <benchmark/benchmark.h>

#include <bit>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ts/codec/bit_reader.hpp"
#include "ts/codec/bit_writer.hpp"
#include "ts/codec/block_codec.hpp"
#include "ts_datasets.hpp"

namespace {

using redkit::bench::Sample;
using redkit::ts::detail::BitReader;
using redkit::ts::detail::BitWriter;

constexpr std::size_t kSamples = std::size_t{1} << 20;
constexpr std::size_t kBlockSamples = 1024;

const std::vector<Sample>& dataset(std::size_t index) {
  static std::vector<std::vector<Sample>> cache(std::size(redkit::bench::kDatasets));
  if (cache[index].empty()) cache[index] = redkit::bench::kDatasets[index].make(kSamples, redkit::bench::kDatasetSeed);
  return cache[index];
}

// --- baseline: plain Gorilla, one block per kBlockSamples samples ---------------

void gorilla_encode_block(std::span<const Sample> samples, std::string& out) {
  BitWriter bits(out);
  bits.write(samples.size(), 16);
  bits.write(static_cast<std::uint64_t>(samples[0].timestamp), 64);
  std::uint64_t prev_value = std::bit_cast<std::uint64_t>(samples[0].value);
  bits.write(prev_value, 64);
  std::int64_t prev_delta = 0;
  unsigned prev_lead = 64;
  unsigned prev_trail = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const std::int64_t delta = samples[i].timestamp - samples[i - 1].timestamp;
    const std::int64_t dod = delta - prev_delta;
    prev_delta = delta;
    const auto u = static_cast<std::uint64_t>(dod);
    if (dod == 0) {
      bits.write(0, 1);
    } else if (dod >= -63 && dod <= 64) {
      bits.write(0b10, 2);
      bits.write(u & 0x7f, 7);
    } else if (dod >= -255 && dod <= 256) {
      bits.write(0b110, 3);
      bits.write(u & 0x1ff, 9);
    } else if (dod >= -2047 && dod <= 2048) {
      bits.write(0b1110, 4);
      bits.write(u & 0xfff, 12);
    } else {
      bits.write(0b1111, 4);
      bits.write(u & 0xffffffff, 32);
    }
    const std::uint64_t value = std::bit_cast<std::uint64_t>(samples[i].value);
    const std::uint64_t x = value ^ prev_value;
    prev_value = value;
    if (x == 0) {
      bits.write(0, 1);
      continue;
    }
    auto lead = static_cast<unsigned>(std::countl_zero(x));
    const auto trail = static_cast<unsigned>(std::countr_zero(x));
    if (lead > 31) lead = 31;
    if (lead >= prev_lead && trail >= prev_trail) {
      bits.write(0b10, 2);
      bits.write(x >> prev_trail, 64 - prev_lead - prev_trail);
    } else {
      const unsigned width = 64 - lead - trail;
      bits.write(0b11, 2);
      bits.write(lead, 5);
      bits.write(width & 63, 6);
      bits.write(x >> trail, width);
      prev_lead = lead;
      prev_trail = trail;
    }
  }
  bits.finish();
}

// Returns the position after the block.
const unsigned char* gorilla_decode_block(const unsigned char* begin, const unsigned char* end,
                                          std::vector<Sample>& out) {
  BitReader in(begin, end);
  const auto n = static_cast<std::size_t>(in.read(16));
  auto t = static_cast<std::int64_t>(in.read(64));
  std::uint64_t value = in.read(64);
  out.push_back({.timestamp = t, .value = std::bit_cast<double>(value)});
  std::int64_t delta = 0;
  unsigned lead = 0;
  unsigned width = 0;
  for (std::size_t i = 1; i < n; ++i) {
    in.refill();
    const std::uint64_t w = in.peek();
    const auto ones = static_cast<unsigned>(std::countl_one(w));
    std::int64_t dod = 0;
    if (ones == 0) {
      in.consume(1);
    } else {
      static constexpr unsigned kWidths[] = {0, 7, 9, 12, 32};
      const unsigned bucket = ones > 4 ? 4 : ones;
      in.consume(bucket == 4 ? 4 : bucket + 1);
      const unsigned bits = kWidths[bucket];
      const std::uint64_t raw = in.read(bits);
      // Sign-extend `bits` bits; values above the bucket's positive bound wrap.
      dod = static_cast<std::int64_t>(raw << (64 - bits)) >> (64 - bits);
      if (bucket < 4 && dod == -(std::int64_t{1} << (bits - 1))) dod = -dod;
    }
    delta += dod;
    t += delta;
    in.refill();
    const std::uint64_t c = in.peek();
    if ((c >> 63) == 0) {
      in.consume(1);
    } else if (((c >> 62) & 1) == 0) {
      in.consume(2);
      value ^= in.read(width) << (64 - lead - width);
    } else {
      lead = static_cast<unsigned>((c >> 57) & 31);
      width = static_cast<unsigned>((c >> 51) & 63);
      if (width == 0) width = 64;
      in.consume(13);
      value ^= in.read(width) << (64 - lead - width);
    }
    out.push_back({.timestamp = t, .value = std::bit_cast<double>(value)});
  }
  const std::uint64_t bytes = (in.bits_consumed() + 7) / 8;
  return begin + bytes;
}

// --- harness ---------------------------------------------------------------------

using EncodeFn = void (*)(std::span<const Sample>, std::string&);

std::string encode_all(const std::vector<Sample>& samples, EncodeFn encode) {
  std::string out;
  for (std::size_t i = 0; i < samples.size(); i += kBlockSamples) {
    encode(std::span<const Sample>(samples).subspan(i, std::min(kBlockSamples, samples.size() - i)), out);
  }
  return out;
}

void set_counters(benchmark::State& state, std::size_t samples, std::size_t bytes) {
  state.counters["bits_per_sample"] = 8.0 * static_cast<double>(bytes) / static_cast<double>(samples);
  state.counters["sec_per_sample"] = benchmark::Counter(
      static_cast<double>(samples), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void encode_bench(benchmark::State& state, std::size_t index, EncodeFn encode) {
  const std::vector<Sample>& samples = dataset(index);
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (std::size_t i = 0; i < samples.size(); i += kBlockSamples) {
      encode(std::span<const Sample>(samples).subspan(i, std::min(kBlockSamples, samples.size() - i)), out);
    }
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, samples.size(), out.size());
}

void decode_bench(benchmark::State& state, std::size_t index) {
  const std::vector<Sample>& samples = dataset(index);
  const std::string chunk = encode_all(samples, redkit::ts::detail::encode_block);
  std::vector<Sample> out;
  out.reserve(samples.size());
  for (auto _ : state) {
    out.clear();
    redkit::ts::detail::decode_blocks(chunk, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (out.size() != samples.size()) state.SkipWithError("decoded sample count differs");
  set_counters(state, samples.size(), chunk.size());
}

void gorilla_decode_bench(benchmark::State& state, std::size_t index) {
  const std::vector<Sample>& samples = dataset(index);
  const std::string chunk = encode_all(samples, gorilla_encode_block);
  const auto* begin = reinterpret_cast<const unsigned char*>(chunk.data());
  const auto* end = begin + chunk.size();
  std::vector<Sample> out;
  out.reserve(samples.size());
  for (auto _ : state) {
    out.clear();
    for (const unsigned char* p = begin; p < end;) p = gorilla_decode_block(p, end, out);
    benchmark::DoNotOptimize(out.data());
  }
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (out[i].timestamp != samples[i].timestamp ||
        std::bit_cast<std::uint64_t>(out[i].value) != std::bit_cast<std::uint64_t>(samples[i].value)) {
      state.SkipWithError("baseline round trip failed");
      break;
    }
  }
  set_counters(state, samples.size(), chunk.size());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  for (std::size_t i = 0; i < std::size(redkit::bench::kDatasets); ++i) {
    const std::string name(redkit::bench::kDatasets[i].name);
    benchmark::RegisterBenchmark(("BM_Encode/" + name).c_str(), encode_bench, i, redkit::ts::detail::encode_block);
    benchmark::RegisterBenchmark(("BM_Decode/" + name).c_str(), decode_bench, i);
    benchmark::RegisterBenchmark(("BM_GorillaEncode/" + name).c_str(), encode_bench, i, gorilla_encode_block);
    benchmark::RegisterBenchmark(("BM_GorillaDecode/" + name).c_str(), gorilla_decode_bench, i);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
