// LockState: everything one Lock handle knows, shared between the handle
// (its owner thread) and the renewal scheduler (its thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include "lock/lock_keys.hpp"
#include "redkit/command.hpp"
#include "redkit/lock.hpp"

namespace redkit::detail {

class LockEngine;

struct LockState {
  using Clock = std::chrono::steady_clock;

  // The command that extends this kind of lock (exclusive, read lease, write
  // lock, permit, ...) for `token` to `ttl`; its integer reply is 1 when
  // extended, 0 when another owner holds it, -1 when nothing is held.
  using ExtendCommand = std::function<Command(const std::string& token, std::chrono::milliseconds ttl)>;

  LockState(std::shared_ptr<LockEngine> owner_engine, std::string lock_name, LockKeys lock_keys,
            LockOptions lock_options, ExtendCommand lock_extend_command)
      : engine(std::move(owner_engine)),
        name(std::move(lock_name)),
        keys(std::move(lock_keys)),
        options(std::move(lock_options)),
        extend_command(std::move(lock_extend_command)) {}

  const std::shared_ptr<LockEngine> engine;
  const std::string name;
  const LockKeys keys;
  const LockOptions options;
  const ExtendCommand extend_command;

  mutable std::mutex mutex;
  std::string token;               // guarded by mutex; empty when not held
  FencingToken fence;              // guarded by mutex
  Clock::time_point valid_until;   // guarded by mutex
  std::uint64_t generation = 0;    // guarded by mutex; bumped per acquisition and release
  std::stop_source stop_source;    // replaced per acquisition, under mutex
  std::atomic<bool> held{false};
  std::atomic<bool> lost{false};
};

}  // namespace redkit::detail
