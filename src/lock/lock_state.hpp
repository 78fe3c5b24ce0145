// LockState: everything one Lock handle knows, shared between the handle
// (its owner thread) and the renewal scheduler (its thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include "lock/lock_keys.hpp"
#include "lock/lock_kind.hpp"
#include "redkit/lock.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {

class LockEngine;

struct LockState {
  using Clock = std::chrono::steady_clock;

  LockState(std::shared_ptr<LockEngine> owner_engine, const LockKind& lock_kind, std::string lock_name,
            LockKeys lock_keys, LockOptions lock_options)
      : engine(std::move(owner_engine)),
        kind(lock_kind),
        name(std::move(lock_name)),
        keys(std::move(lock_keys)),
        options(std::move(lock_options)) {}

  const std::shared_ptr<LockEngine> engine;
  const LockKind& kind;  // a static of the kind's source file
  const std::string name;
  const LockKeys keys;
  const LockOptions options;

  mutable Mutex mutex;
  std::string token GUARDED_BY(mutex);  // empty when not held
  FencingToken fence GUARDED_BY(mutex);
  Clock::time_point valid_until GUARDED_BY(mutex);
  // The lease renewals grant: options.ttl, or what the last extend() set.
  std::chrono::milliseconds lease GUARDED_BY(mutex){0};
  // Bumped when an extend() starts: a renewal that was in flight meanwhile
  // may have reached the server before it, so its reply must not set
  // valid_until (the server may hold the extension's shorter lease).
  std::uint64_t lease_epoch GUARDED_BY(mutex) = 0;
  Clock::time_point acquired_at GUARDED_BY(mutex);  // local, for hold times
  std::uint64_t generation GUARDED_BY(mutex) = 0;  // bumped per acquisition and release
  std::stop_source stop_source GUARDED_BY(mutex);  // replaced per acquisition
  // Owner thread only: the attempt being made follows a wait for a release,
  // so the acquire script measures the handoff (the first, uncontended
  // attempt skips that work).
  bool waited = false;
  std::atomic<bool> held{false};
  std::atomic<bool> lost{false};

  // Held, not known lost, and within its lease: a lease that ran out
  // unrenewed is not held, whether or not the loss has been noticed yet.
  bool holds_lease() const noexcept {
    if (!held.load() || lost.load()) return false;
    MutexLock lock(mutex);
    return Clock::now() < valid_until;
  }
};

}  // namespace redkit::detail
