#include "lock/full_jitter.hpp"

#include <algorithm>
#include <random>

namespace redkit::detail {

std::chrono::milliseconds full_jitter(const RetryPolicy& retry, int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  auto cap = retry.base_delay;
  for (int i = 0; i < attempt && cap < retry.max_delay; ++i) cap *= 2;
  cap = std::min(cap, retry.max_delay);
  if (cap.count() <= 0) return std::chrono::milliseconds(0);
  std::uniform_int_distribution<long long> pick(0, cap.count());
  return std::chrono::milliseconds(pick(random));
}

}  // namespace redkit::detail
