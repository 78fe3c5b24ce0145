// The fair lock: lua/fair_lock_acquire.lua queues waiters and grants the lock
// to the head of the queue; release and extension are the exclusive lock's
// (lua/lock_release.lua, lock_extend.lua), since the holder hash is the same.
//
// Wake-up: a release publishes once on the lock's channel and every waiter
// retries; only the head succeeds, the others are refused in one round trip
// each. Publishing to the head alone (a per-token channel) would save those
// round trips but needs a subscription per waiter instead of one per lock
// name and client, and a head that died would then wake nobody until its
// entry lapsed; the waiters' own come-back time (the script's pttl) covers
// that case already, so the broadcast stays.
#include <map>
#include <mutex>

#include "client/embedded_scripts.hpp"
#include "lock/lock_kind.hpp"
#include "lock/lock_state.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {
namespace {

LockKind make_fair_kind(std::chrono::milliseconds queue_timeout) {
  const std::string timeout = std::to_string(queue_timeout.count());
  return LockKind{
      .name = "fair",
      .acquire =
          [timeout](const LockState& state, const std::string& token, const LockOwner& owner) {
            const FairQueueKeys queue(state.keys.holder);
            return embedded_script(ScriptName::fair_lock_acquire)
                .call({state.keys.holder, state.keys.state, queue.queue, queue.deadlines,
                       ReadWriteKeys(state.keys.holder).readers},
                      {token, std::to_string(state.options.ttl.count()), owner.host, std::to_string(owner.pid),
                       owner.label, "fair", owner.id, timeout});
          },
      .release =
          [](const LockState& state, const HeldLock& held) {
            return embedded_script(ScriptName::lock_release)
                .call({state.keys.holder, state.keys.state},
                      {held.token, state.keys.channel, std::to_string(held.fence.value)});
          },
      .extend =
          [](const LockState& state, const std::string& token, std::chrono::milliseconds ttl) {
            return embedded_script(ScriptName::lock_extend).call({state.keys.holder}, {token, std::to_string(ttl.count())});
          },
      .abandon =
          [](const LockState& state, const std::string& token) {
            const FairQueueKeys queue(state.keys.holder);
            return embedded_script(ScriptName::fair_lock_abandon)
                .call({queue.queue, queue.deadlines, state.keys.holder}, {token, state.keys.channel});
          },
  };
}

}  // namespace

FairQueueKeys::FairQueueKeys(const std::string& holder)
    : queue(holder + ":queue"), deadlines(holder + ":queue:deadlines") {}

const LockKind& fair_lock_kind(std::chrono::milliseconds queue_timeout) {
  // As for permit_lock_kind: LockState refers to its kind for its whole life.
  static Mutex mutex;
  static std::map<long long, LockKind> kinds GUARDED_BY(mutex);
  MutexLock lock(mutex);
  auto found = kinds.find(queue_timeout.count());
  if (found == kinds.end()) found = kinds.emplace(queue_timeout.count(), make_fair_kind(queue_timeout)).first;
  return found->second;
}

}  // namespace redkit::detail
