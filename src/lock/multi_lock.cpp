// MultiLock: several exclusive locks taken and released together.
#include "redkit/multi_lock.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "lock/lock_engine.hpp"
#include "lock/lock_state.hpp"
#include "redkit/error.hpp"

namespace redkit {

struct MultiLock::Impl {
  std::shared_ptr<detail::LockEngine> engine;
  std::vector<std::shared_ptr<detail::LockState>> states;
  std::vector<std::string> names;
  std::stop_source stop;
  // One per lock of the current acquisition: a loss of any fires `stop`.
  std::vector<std::unique_ptr<std::stop_callback<std::function<void()>>>> forwarders;

  void watch_losses() {
    stop = std::stop_source();
    forwarders.clear();
    for (const auto& state : states) {
      std::stop_token token;
      {
        detail::MutexLock lock(state->mutex);
        token = state->stop_source.get_token();
      }
      forwarders.push_back(std::make_unique<std::stop_callback<std::function<void()>>>(
          token, std::function<void()>([source = stop]() mutable { source.request_stop(); })));
    }
  }
  bool acquire(std::chrono::milliseconds wait) {
    if (!engine->acquire_all(states, wait)) return false;
    watch_losses();
    return true;
  }
};

namespace detail {

MultiLock LockEngine::make_multi(std::vector<std::string> names, LockOptions options) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.empty()) throw InvalidArgument("a multi-lock needs at least one lock name");
  // Its acquisition is one pipeline of many scripts with a rollback; WAIT
  // is not part of it, and silently not waiting would be worse than refusing.
  if (options.replica_acks != 0) {
    throw InvalidArgument(
        fmt::format("multi-lock replica_acks {}: replica acknowledgement is for single locks", options.replica_acks));
  }
  auto impl = std::make_unique<MultiLock::Impl>();
  impl->engine = shared_from_this();
  for (const auto& name : names) impl->states.push_back(make_state(exclusive_lock_kind(), name, options));
  impl->names = std::move(names);
  return MultiLock(std::move(impl));
}

}  // namespace detail

MultiLock::MultiLock(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MultiLock::MultiLock(MultiLock&&) noexcept = default;

MultiLock& MultiLock::operator=(MultiLock&& other) noexcept {
  if (this != &other) {
    unlock();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

MultiLock::~MultiLock() { unlock(); }

bool MultiLock::try_lock() { return impl_->acquire(std::chrono::milliseconds(0)); }

bool MultiLock::try_lock_for(std::chrono::milliseconds wait) {
  return impl_->acquire(std::max(wait, std::chrono::milliseconds(0)));
}

void MultiLock::lock() { impl_->acquire(std::chrono::milliseconds(-1)); }

std::vector<LockOutcome> MultiLock::release() {
  impl_->forwarders.clear();
  return impl_->engine->release_all(impl_->states);
}

void MultiLock::unlock() noexcept {
  if (!impl_) return;
  bool any_held = false;
  for (const auto& state : impl_->states) {
    detail::MutexLock lock(state->mutex);
    any_held = any_held || !state->token.empty();
  }
  if (!any_held) return;
  try {
    release();
  } catch (...) {
    // Unreachable server: the locks expire by their TTL; renewals stop.
    for (const auto& state : impl_->states) {
      detail::MutexLock lock(state->mutex);
      state->token.clear();
      state->held = false;
      ++state->generation;
    }
  }
}

bool MultiLock::held() const noexcept {
  return impl_ && std::all_of(impl_->states.begin(), impl_->states.end(),
                              [](const auto& s) { return s->holds_lease(); });
}

bool MultiLock::lost() const noexcept {
  return impl_ && std::any_of(impl_->states.begin(), impl_->states.end(), [](const auto& s) { return s->lost.load(); });
}

std::stop_token MultiLock::stop_token() const { return impl_->stop.get_token(); }

std::vector<FencingToken> MultiLock::fences() const {
  std::vector<FencingToken> out;
  for (const auto& state : impl_->states) {
    detail::MutexLock lock(state->mutex);
    out.push_back(state->fence);
  }
  return out;
}

const std::vector<std::string>& MultiLock::names() const noexcept { return impl_->names; }

}  // namespace redkit
