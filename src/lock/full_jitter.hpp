// The backoff of waiting acquisitions (Lock, Redlock): "full jitter", so
// waiters that lost a race do not retry in lockstep.
#pragma once

#include <chrono>

#include "redkit/lock.hpp"

namespace redkit::detail {

// Uniform in [0, min(max_delay, base_delay * 2^attempt)].
std::chrono::milliseconds full_jitter(const RetryPolicy& retry, int attempt);

}  // namespace redkit::detail
