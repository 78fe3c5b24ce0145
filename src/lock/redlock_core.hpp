// RedlockCore: the Redlock algorithm over RedlockNodes — one attempt asks
// every master at once and decides as soon as a majority granted or can no
// longer grant, or node_timeout has passed; validity is counted from before
// the first request. Releases go to every master. See redkit/redlock.hpp.
//
// Thread-safety: all members may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "lock/lock_state.hpp"
#include "lock/redlock_node.hpp"
#include "redkit/client.hpp"
#include "redkit/lock.hpp"
#include "redkit/redlock.hpp"

namespace redkit::detail {

class RedlockCore {
 public:
  using Clock = std::chrono::steady_clock;

  // Validates masters and options (InvalidArgument naming the value) and
  // starts one node thread per master.
  RedlockCore(std::vector<Client> masters, RedlockOptions options);

  struct Attempt {
    bool acquired = false;
    std::size_t granted = 0;          // masters that granted before the decision
    std::vector<bool> granted_by;     // per master, in the order given
    FencingToken fence{};             // largest fence among them
    Clock::time_point valid_until{};  // start + ttl - drift
  };
  // One round of the exclusive lock's acquire script with `token` and the
  // TTL of `state` on every master. On failure, with release_on_failure, the
  // token is released on every master (queued, not waited for).
  Attempt attempt(const LockState& state, const std::string& token, bool release_on_failure);
  // Raises the fencing counter of the masters that granted to `fence`
  // (queued, not waited for).
  void raise_fence(const LockState& state, const std::string& token, FencingToken fence,
                   const std::vector<bool>& granted_by);
  // Releases `token` on every master; waits at most node_timeout. Returns how
  // many confirmed.
  std::size_t release(const LockState& state, const HeldLock& held);

  // The lock's per-master state (keys, TTL, owner label) for `name`, validated.
  std::shared_ptr<LockState> make_state(const std::string& name, std::chrono::milliseconds ttl) const;
  // ttl * clock_drift_factor + 2 ms.
  std::chrono::microseconds drift(std::chrono::milliseconds ttl) const;

  std::size_t size() const noexcept { return nodes_.size(); }
  std::size_t quorum() const noexcept { return nodes_.size() / 2 + 1; }
  const RedlockOptions& options() const noexcept { return options_; }

 private:
  const RedlockOptions options_;
  std::vector<std::unique_ptr<RedlockNode>> nodes_;
};

// What a RedlockLease holds.
struct RedlockHold {
  std::shared_ptr<RedlockCore> core;
  std::shared_ptr<LockState> state;  // keys and TTL of the acquisition
  std::string token;
  FencingToken fence{};
  RedlockCore::Clock::time_point valid_until{};
  std::size_t granted = 0;
  bool released = false;
  RedlockCore::Clock::time_point acquired_at{};  // for the hold time self-monitoring records
};

}  // namespace redkit::detail
