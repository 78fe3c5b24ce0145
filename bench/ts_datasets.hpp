// Synthetic time series for the codec and store benchmarks, generated from a
// fixed seed so every run and every machine sees the same samples: the
// engine's random numbers come from std::mt19937_64 (fully specified by the
// standard) and normals from a hand-written Box-Muller transform, not from
// std::normal_distribution, whose algorithm differs between libraries.
//
//   auto gauge = redkit::bench::make_gauge(1'000'000, redkit::bench::kDatasetSeed);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ts/sample.hpp"

namespace redkit::bench {

using redkit::ts::detail::Sample;

inline constexpr std::uint64_t kDatasetSeed = 20240601;
// 2023-11-14T22:13:20Z, where every dataset starts.
inline constexpr std::int64_t kDatasetStartMs = 1'700'000'000'000;

// 2-decimal random-walk gauge at 1 s: starts at 42.17, each step adds N(0, 0.05)
// rounded to cents, absolute value kept.
std::vector<Sample> make_gauge(std::size_t n, std::uint64_t seed);
// Monotonic counter at 1 s: starts at 1,000,000, each step adds 0, 1 or 2.
std::vector<Sample> make_counter(std::size_t n, std::uint64_t seed);
// Constant 42.17 at 1 s.
std::vector<Sample> make_constant(std::size_t n, std::uint64_t seed);
// Full-precision noise at 1 s: 50 + N(0, 10), unrounded.
std::vector<Sample> make_noisy(std::size_t n, std::uint64_t seed);
// The gauge's values at irregular times: gaps uniform in 500..1500 ms.
std::vector<Sample> make_irregular(std::size_t n, std::uint64_t seed);

struct Dataset {
  std::string_view name;
  std::vector<Sample> (*make)(std::size_t n, std::uint64_t seed) = nullptr;
};
// The five datasets above, by name: gauge, counter, constant, noisy, irregular.
inline constexpr Dataset kDatasets[] = {{"gauge", make_gauge},
                                        {"counter", make_counter},
                                        {"constant", make_constant},
                                        {"noisy", make_noisy},
                                        {"irregular", make_irregular}};

}  // namespace redkit::bench
