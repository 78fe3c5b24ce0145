// Deadlock detection across processes: waiters record what they wait for
// (lua/lock_wait_register.lua), holders are recorded in the lock keys, and
// the wait-for graph built from both is searched for cycles.
//
// Each owner (a thread: host/pid/tid) waits for at most one lock at a time; a
// lock may have several holders that must all let go (the readers of a
// read-write lock), so the search from an owner is depth-first over them.
// Semaphore permits are not edges: a waiter needs any one permit, so one
// blocked holder does not block it for good.
// Every waiter of a cycle finds the same cycle and the same youngest wait
// (the latest to start, on the server's clock), so exactly one of them gives
// up without any coordination.
//
// Thread-safety: WaitGraph is a snapshot value; WaitRegistration belongs to
// the waiting thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/lock_registry.hpp"

namespace redkit::detail {

class WaitGraph {
 public:
  // Reads every live wait of the prefix and the holder of each waited lock.
  static WaitGraph read(const Client& client, const std::string& prefix);

  std::optional<Deadlock> cycle_through(const std::string& owner) const;
  std::vector<Deadlock> all_cycles() const;
  // The wait of the cycle that started last (ties: the greater owner id).
  static const LockWait& youngest(const Deadlock& deadlock);

 private:
  std::map<std::string, LockWait> waits_;       // by owner
  std::map<std::string, std::vector<std::string>> holders_;  // lock name -> owners holding it
};

// The waits hash of a prefix.
std::string waits_key(const std::string& prefix);

// Records a wait while it lasts; removes it when destroyed.
class WaitRegistration {
 public:
  WaitRegistration(Client client, std::string prefix, std::string owner, std::string lock,
                   std::chrono::milliseconds valid_for);
  ~WaitRegistration();
  WaitRegistration(const WaitRegistration&) = delete;
  WaitRegistration& operator=(const WaitRegistration&) = delete;
  void refresh();

 private:
  Client client_;
  std::string key_;
  std::string owner_;
  std::string lock_;
  std::chrono::milliseconds valid_for_;
};

}  // namespace redkit::detail
