// Redlock and RedlockLease: the public faces of RedlockCore — waiting with
// jittered retries, leases that release on destruction, extension.
#include "redkit/redlock.hpp"

#include <algorithm>
#include <optional>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "lock/full_jitter.hpp"
#include "lock/lock_engine.hpp"
#include "lock/owner_identity.hpp"
#include "lock/redlock_core.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"

namespace redkit {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

RedlockLease::RedlockLease(std::unique_ptr<detail::RedlockHold> hold) : hold_(std::move(hold)) {}
RedlockLease::RedlockLease(RedlockLease&&) noexcept = default;
RedlockLease& RedlockLease::operator=(RedlockLease&& other) noexcept {
  if (this != &other) {
    unlock();
    hold_ = std::move(other.hold_);
  }
  return *this;
}
RedlockLease::~RedlockLease() { unlock(); }

std::chrono::milliseconds RedlockLease::validity() const {
  if (!hold_ || hold_->released) return std::chrono::milliseconds(0);
  const auto left = hold_->valid_until - Clock::now();
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(left));
}

bool RedlockLease::held() const {
  return hold_ && !hold_->released && Clock::now() < hold_->valid_until;
}

FencingToken RedlockLease::fence() const { return hold_ ? hold_->fence : FencingToken{}; }

std::size_t RedlockLease::granted() const noexcept { return hold_ ? hold_->granted : 0; }

const std::string& RedlockLease::name() const noexcept {
  static const std::string none;
  return hold_ ? hold_->state->name : none;
}

bool RedlockLease::extend(std::chrono::milliseconds ttl) {
  if (!hold_ || hold_->released) throw LockError(fmt::format("redlock \"{}\" was released", name()));
  const auto& options = hold_->core->options();
  if (ttl <= options.node_timeout) {
    throw InvalidArgument(fmt::format("redlock ttl {} ms must be positive and longer than the node_timeout ({} ms)",
                                      ttl.count(), options.node_timeout.count()));
  }
  auto state = ttl == hold_->state->options.ttl ? hold_->state : hold_->core->make_state(hold_->state->name, ttl);
  // The acquire script with our own token: it renews our hold where we
  // have it and takes the lock where it is free, so the extension is a
  // fresh majority with a fresh validity, or nothing.
  detail::SelfTimer renew_timer(SelfOp::lock_renew);  // an error when the majority is lost
  auto result = hold_->core->attempt(*state, hold_->token, /*release_on_failure=*/false);
  if (!result.acquired) {
    renew_timer.fail();
    return false;
  }
  hold_->valid_until = result.valid_until;
  hold_->granted = result.granted;
  return true;
}

bool RedlockLease::extend() {
  if (!hold_ || hold_->released) throw LockError(fmt::format("redlock \"{}\" was released", name()));
  return extend(hold_->core->options().ttl);
}

std::size_t RedlockLease::release() {
  if (!hold_ || hold_->released) throw LockError(fmt::format("redlock \"{}\" was released", name()));
  hold_->released = true;
  detail::self_record(SelfOp::lock_hold, Clock::now() - hold_->acquired_at, true);
  detail::SelfTimer release_timer(SelfOp::lock_release);
  return hold_->core->release(*hold_->state, detail::HeldLock{hold_->token, hold_->fence});
}

void RedlockLease::unlock() noexcept {
  if (!hold_ || hold_->released) return;
  try {
    release();
  } catch (...) {
    // Left to expire by its TTL on the masters that could not be told.
  }
}

Redlock::Redlock(std::vector<Client> masters, RedlockOptions options)
    : core_(std::make_shared<detail::RedlockCore>(std::move(masters), std::move(options))) {}

Redlock::~Redlock() = default;

std::optional<RedlockLease> Redlock::try_lock(const std::string& name) {
  return try_lock_for(name, std::chrono::milliseconds(0));
}

std::optional<RedlockLease> Redlock::try_lock_for(const std::string& name, std::chrono::milliseconds wait) {
  detail::check_at_most_max("redlock wait", wait);
  const bool forever = wait < std::chrono::milliseconds::zero();
  const auto deadline = forever ? Clock::time_point::max() : Clock::now() + wait;
  auto state = core_->make_state(name, core_->options().ttl);
  // One token for the whole wait: each attempt's release is queued ahead of
  // the next attempt on every master, so a late grant never outlives it.
  const std::string token = detail::random_token();
  const RetryPolicy& retry = core_->options().retry;
  detail::SelfTimer wait_timer(SelfOp::lock_wait);  // an error when it ends without the lock
  for (int attempt = 1;; ++attempt) {
    std::optional<detail::SelfTimer> attempt_timer(std::in_place, SelfOp::lock_acquire);
    detail::RedlockCore::Attempt result = core_->attempt(*state, token, /*release_on_failure=*/true);
    attempt_timer.reset();
    if (result.acquired) {
      core_->raise_fence(*state, token, result.fence, result.granted_by);
      auto hold = std::make_unique<detail::RedlockHold>();
      hold->core = core_;
      hold->state = std::move(state);
      hold->token = token;
      hold->fence = result.fence;
      hold->valid_until = result.valid_until;
      hold->granted = result.granted;
      hold->acquired_at = Clock::now();
      return RedlockLease(std::move(hold));
    }
    const auto now = Clock::now();
    if ((retry.max_attempts > 0 && attempt >= retry.max_attempts) || now >= deadline) {
      wait_timer.fail();
      return std::nullopt;
    }
    const auto wake = now + detail::full_jitter(retry, attempt);
    std::this_thread::sleep_until(std::min(wake, deadline));
    if (!forever && Clock::now() >= deadline) {
      wait_timer.fail();
      return std::nullopt;
    }
  }
}

RedlockLease Redlock::lock(const std::string& name) {
  // A negative wait never ends; only a retry policy's max_attempts can, and
  // lock() outlasts that too.
  for (;;) {
    if (auto lease = try_lock_for(name, std::chrono::milliseconds(-1))) return std::move(*lease);
  }
}

std::size_t Redlock::size() const noexcept { return core_->size(); }
std::size_t Redlock::quorum() const noexcept { return core_->quorum(); }
const RedlockOptions& Redlock::options() const noexcept { return core_->options(); }

}  // namespace redkit
