// The backoff of waiting acquisitions (Lock, Redlock): "full jitter", so
// waiters that lost a race do not retry in lockstep.
#pragma once

#include <chrono>

#include "redkit/lock.hpp"

namespace redkit::detail {

// The shortest pause between two attempts of one waiter, whatever the
// policy says: at most a thousand attempts a second.
inline constexpr std::chrono::milliseconds kMinRetryDelay{1};

// Uniform in [kMinRetryDelay, max(kMinRetryDelay, min(max_delay, base_delay * 2^attempt))].
std::chrono::milliseconds full_jitter(const RetryPolicy& retry, int attempt);

}  // namespace redkit::detail
