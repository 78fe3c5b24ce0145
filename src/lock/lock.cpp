// Lock: the user's handle, delegating to its LockEngine.
#include "redkit/lock.hpp"

#include "lock/lock_engine.hpp"
#include "lock/lock_state.hpp"
#include "redkit/error.hpp"

namespace redkit {

const char* to_string(LockOutcome outcome) noexcept {
  switch (outcome) {
    case LockOutcome::done: return "done";
    case LockOutcome::not_owner: return "not_owner";
    case LockOutcome::expired: return "expired";
  }
  return "unknown";
}

Lock::Lock(std::shared_ptr<detail::LockState> state) : state_(std::move(state)) {}

Lock::Lock(Lock&&) noexcept = default;

Lock& Lock::operator=(Lock&& other) noexcept {
  if (this != &other) {
    unlock();
    state_ = std::move(other.state_);
  }
  return *this;
}

Lock::~Lock() { unlock(); }

bool Lock::try_lock() { return state_->engine->acquire(state_, std::chrono::milliseconds(0)); }

bool Lock::try_lock_for(std::chrono::milliseconds wait) {
  return state_->engine->acquire(state_, std::max(wait, std::chrono::milliseconds::zero()));
}

void Lock::lock() { state_->engine->acquire(state_, std::chrono::milliseconds(-1)); }

LockOutcome Lock::release() { return state_->engine->release(*state_); }

void Lock::unlock() noexcept {
  if (!state_) return;
  {
    detail::MutexLock lock(state_->mutex);
    if (state_->token.empty()) return;
  }
  try {
    state_->engine->release(*state_);
  } catch (...) {
    // The server could not be told; the lock expires by its TTL. Renewals
    // stop either way, since this acquisition is over for us.
    {
      detail::MutexLock lock(state_->mutex);
      state_->token.clear();
      state_->held = false;
      ++state_->generation;
    }
    state_->engine->scheduler().cancel(state_.get());
  }
}

LockOutcome Lock::extend(std::chrono::milliseconds ttl) { return state_->engine->extend(state_, ttl); }

bool Lock::held() const noexcept { return state_ && state_->holds_lease(); }

bool Lock::lost() const noexcept { return state_ && state_->lost.load(); }

FencingToken Lock::fence() const {
  detail::MutexLock lock(state_->mutex);
  return state_->fence;
}

std::stop_token Lock::stop_token() const {
  detail::MutexLock lock(state_->mutex);
  return state_->stop_source.get_token();
}

std::chrono::milliseconds Lock::validity() const {
  detail::MutexLock lock(state_->mutex);
  if (!state_->held.load() || state_->lost.load()) return std::chrono::milliseconds(0);
  auto left = std::chrono::floor<std::chrono::milliseconds>(state_->valid_until - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

const std::string& Lock::name() const noexcept { return state_->name; }

}  // namespace redkit
