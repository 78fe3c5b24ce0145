// redkit/fair_lock.hpp — an exclusive lock granted in order of arrival.
//
// LockService::make_fair() returns an ordinary Lock handle (kind "fair"):
// try_lock, lock, unlock, extend, fence, stop_token and renewal work exactly
// as for an exclusive Lock.
//
//   redkit::Lock turn = locks.make_fair("printer", {.ttl = std::chrono::seconds(10)});
//   if (turn.try_lock_for(std::chrono::seconds(30))) {  // behind earlier waiters
//     print(turn.fence());
//     turn.unlock();
//   }
//
// Semantics:
// - A waiter joins a queue on its first attempt and keeps its place for the
//   whole wait (one token per wait); the lock goes to the head of the queue
//   only, so a holder that releases and asks again goes to the back.
// - A waiter that died, or stalled past queue_timeout, loses its place: its
//   entry lapses queue_timeout after its last attempt, so a dead head holds
//   a free lock back for at most that long. A waiter that gives up (a wait
//   that runs out, a try_lock() that fails) leaves the queue at once.
// - The holder lives in the same holder hash as an exclusive Lock's, so a
//   fair and an exclusive Lock of one name exclude each other, and the
//   registry and deadlock detection see the fair holder; like a writer, it
//   also waits for the readers of make_reader() on the name. An exclusive
//   Lock does not queue, though: mixing the two on one name gives up
//   fairness.
// - Fencing tokens come from the name's one counter, as for every kind.
//
// Thread-safety: as for Lock.
#pragma once

#include <chrono>

namespace redkit {

struct FairLockOptions {
  // How long a queued waiter keeps its place without trying again. The
  // server tells each waiter to come back within a third of it, so live
  // waiters always keep their place; the cost of a long timeout is how long
  // a waiter that died blocks the queue, the cost of a short one a round
  // trip per waiter every timeout / 3 while waiting. At least 10 ms.
  std::chrono::milliseconds queue_timeout{3000};
};

}  // namespace redkit
