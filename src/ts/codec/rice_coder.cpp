#include "ts/codec/rice_coder.hpp"

namespace redkit::ts::detail {
namespace {

constexpr unsigned kGroupHeaderBits = 7;

std::uint64_t value_cost(std::uint64_t u, unsigned k) noexcept {
  const std::uint64_t q = u >> k;
  if (q < kRiceEscape) return q + 1 + k;
  return kRiceEscape + 6 + static_cast<unsigned>(std::bit_width(u));
}

// `max` is the largest of the codes: when even it needs no escape, the cost
// is a plain sum of shifted codes, which the compiler vectorises.
std::uint64_t group_cost(const std::uint64_t* codes, std::size_t count, std::uint64_t max, unsigned k) noexcept {
  std::uint64_t bits = count * (k + 1);
  if ((max >> k) < kRiceEscape) {
    for (std::size_t i = 0; i < count; ++i) bits += codes[i] >> k;
    return bits;
  }
  bits = 0;
  for (std::size_t i = 0; i < count; ++i) bits += value_cost(codes[i], k);
  return bits;
}

// Capped so that the sum of a group cannot overflow; a capped code needs an
// escape whatever k is.
constexpr std::uint64_t kSumCap = std::uint64_t{1} << 56;

// The cost over k is close to convex: start near log2 of the mean and walk
// downhill; usually three evaluations. `sum` is of the codes capped at
// kSumCap, `max` the largest code.
unsigned best_k(const std::uint64_t* codes, std::size_t count, std::uint64_t sum, std::uint64_t max,
                std::uint64_t& cost) noexcept {
  // For geometric data the best k is about log2(mean * ln 2); 11/16 ~ ln 2.
  const std::uint64_t target = sum / count * 11 / 16;
  unsigned k = 0;
  if (target >= 2) k = std::min<unsigned>(kRiceMaxK, static_cast<unsigned>(std::bit_width(target)) - 1);
  std::uint64_t best = group_cost(codes, count, max, k);
  const unsigned start = k;
  while (k > 0) {
    const std::uint64_t c = group_cost(codes, count, max, k - 1);
    if (c >= best) break;
    best = c;
    --k;
  }
  const bool walked_down = k != start;
  while (!walked_down && k < kRiceMaxK) {
    const std::uint64_t c = group_cost(codes, count, max, k + 1);
    if (c >= best) break;
    best = c;
    ++k;
  }
  cost = best;
  return k;
}

void write_value(BitWriter& out, std::uint64_t u, unsigned k) {
  const std::uint64_t q = u >> k;
  if (q >= kRiceEscape) {
    const auto width = static_cast<unsigned>(std::bit_width(u));
    out.write(0, kRiceEscape);
    out.write(width - 1, 6);
    out.write(u, width);
    return;
  }
  const std::uint64_t low = k == 0 ? 0 : u & (~std::uint64_t{0} >> (64 - k));
  const auto total = static_cast<unsigned>(q) + 1 + k;
  if (total <= 64) {
    // q leading zeros come for free from the width.
    out.write((std::uint64_t{1} << k) | low, total);
  } else {
    out.write(0, static_cast<unsigned>(q));
    out.write(1, 1);
    out.write(low, k);
  }
}

}  // namespace

std::uint64_t plan_rice_groups(std::span<const std::uint64_t> values, std::vector<RiceGroup>& groups) {
  groups.clear();
  std::uint64_t bits = 0;
  std::uint64_t codes[kRiceGroupSize];
  for (std::size_t start = 0; start < values.size(); start += kRiceGroupSize) {
    const std::size_t count = std::min(kRiceGroupSize, values.size() - start);
    const std::uint64_t* group = values.data() + start;
    std::uint64_t any = 0;
    for (std::size_t i = 0; i < count; ++i) any |= group[i];
    if (any == 0) {
      groups.push_back(RiceGroup{.code = 0, .as_is = true});
      bits += 6;
      continue;
    }
    // The codes as written: as they are when none is negative as int64.
    const bool as_is = (any >> 63) == 0;
    std::uint64_t sum = 0;
    std::uint64_t max = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t c = as_is ? group[i] : zigzag_encode(group[i]);
      codes[i] = c;
      sum += std::min(c, kSumCap);
      max = std::max(max, c);
    }
    std::uint64_t cost = 0;
    const unsigned k = best_k(codes, count, sum, max, cost);
    groups.push_back(RiceGroup{.code = static_cast<std::uint8_t>(k + 1), .as_is = as_is});
    bits += kGroupHeaderBits + cost;
  }
  return bits;
}

void write_rice_groups(std::span<const std::uint64_t> values, std::span<const RiceGroup> groups, BitWriter& out) {
  std::size_t g = 0;
  for (std::size_t start = 0; start < values.size(); start += kRiceGroupSize, ++g) {
    const std::size_t count = std::min(kRiceGroupSize, values.size() - start);
    const RiceGroup group = groups[g];
    out.write(group.code, 6);
    if (group.code == 0) continue;
    out.write(group.as_is ? 1 : 0, 1);
    const unsigned k = group.code - 1u;
    const std::uint64_t* v = values.data() + start;
    for (std::size_t i = 0; i < count; ++i) write_value(out, group.as_is ? v[i] : zigzag_encode(v[i]), k);
  }
}

}  // namespace redkit::ts::detail
