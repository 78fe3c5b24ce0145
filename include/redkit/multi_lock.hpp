// redkit/multi_lock.hpp — several locks taken all together or not at all:
// the seed's MultiLockCoordinator (a bank transfer locking both accounts),
// without its deadlock and leak risks.
//
//   redkit::MultiLock both = locks.make_multi({"account:1", "account:2"});
//   if (both.try_lock_for(std::chrono::seconds(5))) {
//     transfer(both.stop_token());
//     both.unlock();
//   }
//
// How: every attempt asks for all locks in one pipelined round trip; if any
// is taken, the ones just acquired are released at once (in the same
// attempt) and the waiter sleeps until the busy lock is released or expires.
// A MultiLock never holds some locks while waiting for others, so two
// MultiLocks asking for the same names in any order cannot deadlock. Names
// are sorted and deduplicated. Each lock is an ordinary exclusive lock
// (visible in the registry, renewed by the service, fenced).
//
// Thread-safety: as Lock — one thread at a time per MultiLock.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "redkit/lock.hpp"

namespace redkit {

namespace detail {
struct LockState;
class LockEngine;
}  // namespace detail

class MultiLock {
 public:
  MultiLock(MultiLock&&) noexcept;
  MultiLock& operator=(MultiLock&&) noexcept;
  MultiLock(const MultiLock&) = delete;
  MultiLock& operator=(const MultiLock&) = delete;
  // Releases everything held; never throws.
  ~MultiLock();

  bool try_lock();
  bool try_lock_for(std::chrono::milliseconds wait);
  template <typename Rep, typename Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> wait) {
    return try_lock_for(std::chrono::ceil<std::chrono::milliseconds>(wait));
  }
  void lock();
  // Releases every lock; one outcome per name, in names() order.
  std::vector<LockOutcome> release();
  void unlock() noexcept;

  // True while all locks are held and none is known lost.
  bool held() const noexcept;
  bool lost() const noexcept;
  // Fires when any of the locks is lost.
  std::stop_token stop_token() const;
  // One fencing token per name, in names() order.
  std::vector<FencingToken> fences() const;
  // Sorted, without duplicates.
  const std::vector<std::string>& names() const noexcept;

 private:
  friend class detail::LockEngine;
  struct Impl;
  explicit MultiLock(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace redkit
