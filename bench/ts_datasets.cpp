#include "ts_datasets.hpp"

#include <cmath>
#include <numbers>
#include <random>

namespace redkit::bench {
namespace {

constexpr std::int64_t kStepMs = 1000;

// Uniform in (0, 1), never 0, from the top 53 bits of one draw.
double uniform_open(std::mt19937_64& rng) { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53; }

// One standard normal variate per call (Box-Muller, cosine branch).
double standard_normal(std::mt19937_64& rng) {
  const double u1 = uniform_open(rng);
  const double u2 = uniform_open(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Gauge values in cents, so each value is exactly cents / 100.0.
std::vector<std::int64_t> gauge_cents(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::int64_t> cents(n);
  std::int64_t c = 4217;
  for (std::size_t i = 0; i < n; ++i) {
    cents[i] = c;
    c = std::llabs(c + std::llround(standard_normal(rng) * 5.0));
  }
  return cents;
}

}  // namespace

std::vector<Sample> make_gauge(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::int64_t> cents = gauge_cents(n, rng);
  std::vector<Sample> samples(n);
  for (std::size_t i = 0; i < n; ++i) {
    samples[i] = Sample{.timestamp = kDatasetStartMs + static_cast<std::int64_t>(i) * kStepMs,
                        .value = static_cast<double>(cents[i]) / 100.0};
  }
  return samples;
}

std::vector<Sample> make_counter(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> samples(n);
  std::int64_t count = 1'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    samples[i] = Sample{.timestamp = kDatasetStartMs + static_cast<std::int64_t>(i) * kStepMs,
                        .value = static_cast<double>(count)};
    count += static_cast<std::int64_t>(rng() % 3);
  }
  return samples;
}

std::vector<Sample> make_constant(std::size_t n, std::uint64_t /*seed*/) {
  std::vector<Sample> samples(n);
  for (std::size_t i = 0; i < n; ++i) {
    samples[i] = Sample{.timestamp = kDatasetStartMs + static_cast<std::int64_t>(i) * kStepMs, .value = 42.17};
  }
  return samples;
}

std::vector<Sample> make_noisy(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> samples(n);
  for (std::size_t i = 0; i < n; ++i) {
    samples[i] = Sample{.timestamp = kDatasetStartMs + static_cast<std::int64_t>(i) * kStepMs,
                        .value = 50.0 + 10.0 * standard_normal(rng)};
  }
  return samples;
}

std::vector<Sample> make_irregular(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::int64_t> cents = gauge_cents(n, rng);
  std::vector<Sample> samples(n);
  std::int64_t t = kDatasetStartMs;
  for (std::size_t i = 0; i < n; ++i) {
    samples[i] = Sample{.timestamp = t, .value = static_cast<double>(cents[i]) / 100.0};
    t += 500 + static_cast<std::int64_t>(rng() % 1001);
  }
  return samples;
}

}  // namespace redkit::bench
