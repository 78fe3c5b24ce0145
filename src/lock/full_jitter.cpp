#include "lock/full_jitter.hpp"

#include <algorithm>
#include <random>

namespace redkit::detail {

std::chrono::milliseconds full_jitter(const RetryPolicy& retry, int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  auto cap = retry.base_delay;
  for (int i = 0; i < attempt && cap < retry.max_delay; ++i) cap *= 2;
  cap = std::min(cap, retry.max_delay);
  // A floor: a policy of 0 ms / 0 ms (or an unlucky draw) must not turn a
  // waiter into a loop of back-to-back attempts against the server.
  if (cap < kMinRetryDelay) return kMinRetryDelay;
  std::uniform_int_distribution<long long> pick(kMinRetryDelay.count(), cap.count());
  return std::chrono::milliseconds(pick(random));
}

}  // namespace redkit::detail
