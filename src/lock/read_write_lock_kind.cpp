// The read-write lock: readers in lua/rwlock_read_*.lua, the writer in
// lua/rwlock_write_*.lua. The writer lives in the holder hash like an
// exclusive lock; its release and extension differ from the exclusive ones
// only in telling "readers hold it now" (0) from "nobody holds it" (-1).
#include <chrono>

#include "client/embedded_scripts.hpp"
#include "lock/lock_kind.hpp"
#include "lock/lock_state.hpp"

namespace redkit::detail {
namespace {

// How long a waiting writer's intent holds new readers back unless refreshed.
// The acquire script asks the writer to come back within a third of it, so a
// live writer keeps its intent, and one that died stops blocking readers
// after at most this long.
constexpr std::chrono::milliseconds kIntentTtl{1000};

LockKind make_write_kind(bool writer_preference) {
  const std::string intent_ttl = std::to_string(writer_preference ? kIntentTtl.count() : 0);
  return LockKind{
      .name = "write",
      .acquire =
          [intent_ttl](const LockState& state, const std::string& token, const LockOwner& owner) {
            const ReadWriteKeys rw(state.keys.holder);
            return embedded_script(ScriptName::rwlock_write_acquire)
                .call({state.keys.holder, state.keys.state, rw.readers, rw.owners, rw.intents},
                      {token, std::to_string(state.options.ttl.count()), owner.host, std::to_string(owner.pid),
                       owner.label, "write", intent_ttl, owner.id});
          },
      .release =
          [](const LockState& state, const HeldLock& held) {
            return embedded_script(ScriptName::rwlock_write_release)
                .call({state.keys.holder, state.keys.state, ReadWriteKeys(state.keys.holder).readers},
                      {held.token, state.keys.channel, std::to_string(held.fence.value)});
          },
      .extend =
          [](const LockState& state, const std::string& token, std::chrono::milliseconds ttl) {
            return embedded_script(ScriptName::rwlock_write_extend)
                .call({state.keys.holder, ReadWriteKeys(state.keys.holder).readers},
                      {token, std::to_string(ttl.count())});
          },
      // Without preference no intent is recorded, so there is nothing to withdraw.
      .abandon = writer_preference ? std::function<Command(const LockState&, const std::string&)>(
                                         [](const LockState& state, const std::string& token) {
                                           return embedded_script(ScriptName::rwlock_write_abandon)
                                               .call({ReadWriteKeys(state.keys.holder).intents},
                                                     {token, state.keys.channel});
                                         })
                                   : nullptr,
  };
}

}  // namespace

ReadWriteKeys::ReadWriteKeys(const std::string& holder)
    : readers(holder + ":readers"),
      owners(holder + ":readers:owners"),
      released(holder + ":readers:released"),
      intents(holder + ":intents") {}

const LockKind& read_lock_kind() {
  static const LockKind kind{
      .name = "read",
      .acquire =
          [](const LockState& state, const std::string& token, const LockOwner& owner) {
            const ReadWriteKeys rw(state.keys.holder);
            return embedded_script(ScriptName::rwlock_read_acquire)
                .call({state.keys.holder, state.keys.state, rw.readers, rw.owners, rw.intents},
                      {token, std::to_string(state.options.ttl.count()), owner.host, std::to_string(owner.pid),
                       owner.label, owner.id});
          },
      .release =
          [](const LockState& state, const HeldLock& held) {
            const ReadWriteKeys rw(state.keys.holder);
            return embedded_script(ScriptName::rwlock_read_release)
                .call({state.keys.holder, rw.readers, rw.owners, rw.released}, {held.token, state.keys.channel});
          },
      .extend =
          [](const LockState& state, const std::string& token, std::chrono::milliseconds ttl) {
            const ReadWriteKeys rw(state.keys.holder);
            return embedded_script(ScriptName::rwlock_read_extend)
                .call({state.keys.holder, rw.readers, rw.owners}, {token, std::to_string(ttl.count())});
          },
      .abandon = {},
  };
  return kind;
}

const LockKind& write_lock_kind(bool writer_preference) {
  static const LockKind preferring = make_write_kind(true);
  static const LockKind plain = make_write_kind(false);
  return writer_preference ? preferring : plain;
}

}  // namespace redkit::detail
