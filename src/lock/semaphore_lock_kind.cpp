// The counting semaphore: lua/semaphore_acquire.lua, semaphore_release.lua,
// semaphore_extend.lua. Each acquired handle holds one permit, a lease of
// its own in the :permits zset, so a holder that died frees its permit when
// its TTL passes, without anyone releasing it.
#include <map>
#include <mutex>

#include "client/embedded_scripts.hpp"
#include "lock/lock_kind.hpp"
#include "lock/lock_state.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {
namespace {

LockKind make_permit_kind(int permits) {
  const std::string count = std::to_string(permits);
  return LockKind{
      .name = "permit",
      .acquire =
          [count](const LockState& state, const std::string& token, const LockOwner& owner) {
            const SemaphoreKeys keys(state.keys.holder);
            return embedded_script(ScriptName::semaphore_acquire)
                .call({keys.permits, keys.owners, state.keys.state},
                      {token, std::to_string(state.options.ttl.count()), count, owner.host,
                       std::to_string(owner.pid), owner.label, owner.id});
          },
      .release =
          [](const LockState& state, const HeldLock& held) {
            const SemaphoreKeys keys(state.keys.holder);
            return embedded_script(ScriptName::semaphore_release)
                .call({keys.permits, keys.owners, keys.released}, {held.token, state.keys.channel});
          },
      .extend =
          [](const LockState& state, const std::string& token, std::chrono::milliseconds ttl) {
            const SemaphoreKeys keys(state.keys.holder);
            return embedded_script(ScriptName::semaphore_extend)
                .call({keys.permits, keys.owners}, {token, std::to_string(ttl.count())});
          },
      // A waiter leaves nothing behind: permits are only written when granted.
      .abandon = {},
  };
}

}  // namespace

SemaphoreKeys::SemaphoreKeys(const std::string& holder)
    : permits(holder + ":permits"), owners(holder + ":permits:owners"), released(holder + ":permits:released") {}

const LockKind& permit_lock_kind(int permits) {
  // LockState keeps a reference to its kind, so kinds live as long as the
  // process; map nodes never move. Programs use a handful of counts.
  static Mutex mutex;
  static std::map<int, LockKind> kinds GUARDED_BY(mutex);
  MutexLock lock(mutex);
  auto found = kinds.find(permits);
  if (found == kinds.end()) found = kinds.emplace(permits, make_permit_kind(permits)).first;
  return found->second;
}

}  // namespace redkit::detail
