// The exclusive lock: lua/lock_acquire.lua, lock_release.lua, lock_extend.lua,
// lock_waiter_leave.lua.
#include <algorithm>

#include "client/embedded_scripts.hpp"
#include "lock/lock_kind.hpp"
#include "lock/lock_state.hpp"

namespace redkit::detail {
namespace {

// Waiters registered for wake-ups (see lua/lock_release.lua), beside LockKeys.
std::string waiters_key(const LockState& state) { return state.keys.holder + ":waiters"; }

// A waiter's registration lapses unless it attempts again within this time.
// A live waiter attempts at least once per backoff (at most max_delay), so
// it stays registered; one that died stops being chosen soon after.
std::chrono::milliseconds registration_ttl(const LockOptions& options) {
  return std::min(2 * std::max(options.retry.max_delay, options.retry.base_delay) + std::chrono::milliseconds(100),
                  kMaxLockDuration);
}

}  // namespace

const LockKind& exclusive_lock_kind() {
  // Looked up once: every acquisition and release builds one of these.
  static const Script& acquire = embedded_script(ScriptName::lock_acquire);
  static const Script& release = embedded_script(ScriptName::lock_release);
  static const Script& extend = embedded_script(ScriptName::lock_extend);
  static const Script& leave = embedded_script(ScriptName::lock_waiter_leave);
  static const LockKind kind{
      .name = "exclusive",
      .registers_waiters = true,
      .acquire =
          [](const LockState& state, const std::string& token, const LockOwner& owner) {
            return acquire.call(
                {state.keys.holder, state.keys.state, ReadWriteKeys(state.keys.holder).readers, waiters_key(state)},
                {token, std::to_string(state.options.ttl.count()), owner.host, std::to_string(owner.pid), owner.label,
                 "exclusive", owner.id, state.waited ? "1" : "0",
                 std::to_string(registration_ttl(state.options).count())});
          },
      .release =
          [](const LockState& state, const HeldLock& held) {
            return release.call({state.keys.holder, state.keys.state, waiters_key(state)},
                                {held.token, state.keys.channel, std::to_string(held.fence.value)});
          },
      .extend =
          [](const LockState& state, const std::string& token, std::chrono::milliseconds ttl) {
            return extend.call({state.keys.holder}, {token, std::to_string(ttl.count())});
          },
      // Only attempts made while subscribed register a waiter (state.waited):
      // see registers_waiters.
      .abandon =
          [](const LockState& state, const std::string& token) {
            return leave.call({waiters_key(state), state.keys.holder}, {token, state.keys.channel});
          },
  };
  return kind;
}

}  // namespace redkit::detail
