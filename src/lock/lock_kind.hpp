// LockKind: what makes one kind of lock (exclusive, read, write, permit,
// fair, ...) differ from another — the commands that acquire, release and
// extend it. Everything else (waiting with wake-up on release, renewal, loss
// detection, the Lock handle) is shared by every kind.
//
// Reply contracts, which every kind's scripts keep:
//   acquire  {1, fence[, handoff]}  acquired (or already held with this
//                        token); handoff: µs since the release this
//                        acquisition took over from, -1 when it took over
//                        none (lock_acquire.lua, fair_lock_acquire.lua: the
//                        handoff histogram)
//            {0, pttl[, fence]}  not now; pttl = ms until a holder's lease
//                        ends, -1 when unknown (the waiter then relies on
//                        wake-ups); fence: the holder's (lock_acquire.lua),
//                        -1 when readers hold it
//   release  1 released (also on a repeat), 0 another owner holds it, -1 nothing held
//   extend   1 extended, 0 another owner holds it, -1 nothing held
// An acquire script may refuse a use that contradicts what is stored for the
// name (a semaphore asked for another permit count) with an error reply
// "MISUSE <reason>"; the engine throws it to the caller as LockError.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "redkit/command.hpp"
#include "redkit/lock.hpp"

namespace redkit::detail {

struct LockState;

// Who is asking, as the registry records it.
struct LockOwner {
  std::string host;
  long pid = 0;
  std::string label;
  // host/pid/thread of the acquiring thread: the node of the wait-for graph
  // that deadlock detection walks (see deadlock_detector.hpp).
  std::string id;
};

// The acquisition a release hands back: its token and the fence it was
// granted, copied by the caller (under the state's mutex where the state
// holds them), so no kind reads a guarded field of LockState.
struct HeldLock {
  std::string token;
  FencingToken fence;
};

struct LockKind {
  // Shown in the registry: "exclusive", "read", "write", ...
  std::string name;
  // A waiter of this kind registers with its token at each attempt made
  // while it waits (lua/lock_acquire.lua), so a release wakes it alone
  // rather than every waiter; the engine then subscribes with the token,
  // and abandons only waits that got that far. Other kinds are woken by
  // every release.
  bool registers_waiters = false;
  std::function<Command(const LockState& state, const std::string& token, const LockOwner& owner)> acquire;
  std::function<Command(const LockState& state, const HeldLock& held)> release;
  std::function<Command(const LockState& state, const std::string& token, std::chrono::milliseconds ttl)> extend;
  // Optional: run when a waiter gives up without acquiring (a fair lock's
  // queue slot, a writer's intent), so it does not hold others back.
  std::function<Command(const LockState& state, const std::string& token)> abandon;
};

// The exclusive lock of lua/lock_*.lua.
const LockKind& exclusive_lock_kind();

// The read-write lock of lua/rwlock_*.lua (src/lock/read_write_lock_kind.cpp).
// Readers share the lock, each with its own lease; the writer is held in the
// holder hash like an exclusive lock. With writer_preference a waiting writer
// records an intent that refuses new readers until it acquires or gives up.
const LockKind& read_lock_kind();
const LockKind& write_lock_kind(bool writer_preference);

// The read-write lock's keys beside LockKeys (docs/KEYS.md), derived from the
// holder key so they share its hash tag.
struct ReadWriteKeys {
  explicit ReadWriteKeys(const std::string& holder);
  std::string readers;   // <holder>:readers           zset token -> lease expiry (server ms)
  std::string owners;    // <holder>:readers:owners    hash token -> JSON owner details
  std::string released;  // <holder>:readers:released  zset of recently released tokens
  std::string intents;   // <holder>:intents           zset waiting writer token -> intent expiry
};

// The counting semaphore of lua/semaphore_*.lua (src/lock/semaphore_lock_kind.cpp):
// each Lock handle is one of `permits` permits, with its own lease. One kind
// per permit count, made on first use and kept for the life of the process.
const LockKind& permit_lock_kind(int permits);

// A semaphore's keys beside LockKeys (docs/KEYS.md). Its leases use the same
// JSON owner details as read-write readers, so the registry reads both alike.
struct SemaphoreKeys {
  explicit SemaphoreKeys(const std::string& holder);
  std::string permits;   // <holder>:permits            zset token -> lease expiry (server ms)
  std::string owners;    // <holder>:permits:owners     hash token -> JSON owner details
  std::string released;  // <holder>:permits:released   zset of recently released tokens
};

// The fair (FIFO) lock of lua/fair_lock_*.lua (src/lock/fair_lock_kind.cpp):
// exclusive, in the holder hash, granted to waiters in order of arrival. A
// queue entry lapses `queue_timeout` after its waiter's last attempt. One
// kind per timeout, made on first use and kept for the life of the process.
const LockKind& fair_lock_kind(std::chrono::milliseconds queue_timeout);

// A fair lock's wait queue beside LockKeys (docs/KEYS.md).
struct FairQueueKeys {
  explicit FairQueueKeys(const std::string& holder);
  std::string queue;      // <holder>:queue             zset token -> arrival number
  std::string deadlines;  // <holder>:queue:deadlines   zset token -> entry expiry (server ms)
};

}  // namespace redkit::detail
