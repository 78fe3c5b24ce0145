// redkit/lock_service.hpp — the lock side of a client: makes Lock handles,
// renews every held lock from one scheduler thread, and wakes waiters through
// one pub/sub subscription per contended lock name.
//
//   redkit::Client client;
//   redkit::LockService locks(client, {.owner_label = "report-worker"});
//   auto result = locks.with_lock("nightly-report", std::chrono::seconds(10),
//                                 [](std::stop_token stop) { return build_report(stop); });
//   if (!result) { /* not acquired within 10 s */ }
//
// Keys (see docs/KEYS.md): <prefix>lock:{NAME} holds the current holder (token,
// fence, owner, acquired_at, ttl) and expires with the lock;
// <prefix>lock:{NAME}:state keeps the fencing counter; a read-write lock adds
// <prefix>lock:{NAME}:readers and a few keys beside it, a semaphore
// <prefix>lock:{NAME}:permits, a fair lock <prefix>lock:{NAME}:queue. All
// share the hash tag {NAME}, so every script touches one cluster slot.
//
// Thread-safety: all members may be called from any thread. Destroying the
// service stops renewals: locks still held then expire by their TTL.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/fair_lock.hpp"
#include "redkit/lock.hpp"
#include "redkit/lock_metrics.hpp"
#include "redkit/lock_registry.hpp"
#include "redkit/read_write_lock.hpp"
#include "redkit/multi_lock.hpp"

namespace redkit {

struct LockServiceOptions {
  // Prepended to every key, so redkit shares a database politely.
  std::string prefix = "redkit:";
  // Default owner label of this process's locks in the registry.
  std::string owner_label{};
  // How often this service adds its lock metrics to Redis (see
  // redkit/lock_metrics.hpp). Zero: only in metrics(), flush_metrics() and at
  // destruction.
  std::chrono::milliseconds metrics_flush_interval{1000};
  // How often a waiting acquisition looks for a deadlock through itself (two
  // round trips per check). Zero: waiters neither record their waits nor
  // check. Detection covers exclusive, fair and read-write locks (a writer
  // waits for every reader, so a cycle may run through any of them); a
  // semaphore's permits are not followed, since a waiter needs only one.
  std::chrono::milliseconds deadlock_check_interval{1000};
};

class LockService {
 public:
  // Throws InvalidArgument for an empty prefix or a negative interval.
  explicit LockService(Client client, LockServiceOptions options = {});
  ~LockService();
  LockService(const LockService&) = delete;
  LockService& operator=(const LockService&) = delete;

  // A handle for the lock `name` (not acquired yet). Throws InvalidArgument
  // naming the value for an empty name, a name over 512 bytes or holding '{'
  // or '}' (they would break the key's hash tag), a TTL <= 0, or a retry
  // policy with negative delays.
  Lock make(std::string name, LockOptions options = {});

  // A reader or the writer of the read-write lock `name` (see
  // redkit/read_write_lock.hpp): Lock handles of kind "read" and "write".
  // Names and options are validated as for make().
  Lock make_reader(std::string name, LockOptions options = {});
  Lock make_writer(std::string name, LockOptions options = {}, WriterOptions writer = {});

  // One permit of the counting semaphore `name`, which grants at most
  // `permits` at a time: a Lock handle of kind "permit" whose lease has its
  // own TTL, renewed like any lock, so a holder that died frees its permit
  // when the TTL passes. Every acquisition takes the next fencing token of
  // the name. All users of one name must pass the same `permits` while any
  // permit is held: an acquisition asking for another count throws
  // LockError naming both; once no permit is held, the next acquirer's count
  // becomes the semaphore's. The registry lists each held permit. Throws
  // InvalidArgument naming the value for permits <= 0, and as make() for
  // names and options.
  Lock make_semaphore(std::string name, int permits, LockOptions options = {});

  // An exclusive lock granted in order of arrival (see
  // redkit/fair_lock.hpp): a Lock handle of kind "fair". Throws
  // InvalidArgument naming the value for a queue_timeout under 10 ms, and as
  // make() for names and options.
  Lock make_fair(std::string name, LockOptions options = {}, FairLockOptions fair = {});

  // Exclusive locks on all `names`, taken together or not at all (see
  // redkit/multi_lock.hpp). Names are validated as for make().
  MultiLock make_multi(std::vector<std::string> names, LockOptions options = {});

  // Acquires `name` within `wait`, runs fn(std::stop_token) while renewing
  // the lock, and releases it. Returns fn's result, or nullopt (false for a
  // void fn) when the lock was not acquired in time. The stop token fires if
  // the lock is lost while fn runs. Exceptions from fn propagate after the
  // release.
  template <typename Fn>
  auto with_lock(std::string name, std::chrono::milliseconds wait, Fn&& fn, LockOptions options = {}) {
    Lock lock = make(std::move(name), std::move(options));
    using Result = std::invoke_result_t<Fn, std::stop_token>;
    if constexpr (std::is_void_v<Result>) {
      if (!lock.try_lock_for(wait)) return false;
      std::forward<Fn>(fn)(lock.stop_token());
      lock.unlock();
      return true;
    } else {
      if (!lock.try_lock_for(wait)) return std::optional<Result>();
      std::optional<Result> result(std::forward<Fn>(fn)(lock.stop_token()));
      lock.unlock();
      return result;
    }
  }

  // The registry. Every held lock of this prefix, ordered by name (each
  // reader and each semaphore permit is one entry); found with SCAN (never
  // KEYS), so listing costs in proportion to the database size.
  std::vector<LockInfo> list() const;
  // The holder of `name`, or nullopt when it is free. When readers or
  // permits share it, the one that acquired first (holders() lists all).
  std::optional<LockInfo> info(const std::string& name) const;
  // Everyone holding `name`: its exclusive, fair or write holder, then its
  // readers and semaphore permits in order of acquisition (fence). Empty
  // when it is free.
  std::vector<LockInfo> holders(const std::string& name) const;
  std::vector<LockInfo> find_by_owner(const OwnerFilter& owner) const;
  // Releases `name` whoever holds it (holder or writer, every reader and
  // every semaphore permit) and wakes its waiters (an operator's action: the
  // holders find out at their next renewal and their stop tokens fire).
  // Returns false if it was not held.
  bool force_release(const std::string& name);

  // Cycles in the wait-for graph right now (an operator's view; waiters
  // break them on their own, see deadlock_check_interval).
  std::vector<Deadlock> find_deadlocks() const;

  // Lock metrics summed over every process using this prefix (this
  // service's own counts are flushed first). Throws ConnectionError.
  LockMetrics metrics() const;
  void flush_metrics() const;

  const Client& client() const noexcept;
  const LockServiceOptions& options() const noexcept;

 private:
  std::shared_ptr<detail::LockEngine> engine_;
};

}  // namespace redkit
