// ConnectionPool: lends connections to threads, one thread per connection at
// a time, and returns them by RAII.
//
// Broken connections are never lent again: a connection that failed is
// discarded when it comes back, and an idle one is checked (without a round
// trip) before it is lent, so after a server restart a caller gets a fresh
// connection rather than the dead socket. Connects that fail back off
// exponentially so a down server is not hammered by every caller.
//
// Thread-safety: all members are safe to call concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "client/connection.hpp"
#include "redkit/client.hpp"
#include "redkit/options.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {

class TlsContext;

class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  ConnectionPool(ConnectionOptions connection_options, PoolOptions pool_options,
                 std::shared_ptr<const TlsContext> tls);

  // An idle healthy connection, or a new one, waiting for a free slot up to
  // the pool's acquire timeout. Throws ConnectionError/TimeoutError/AuthError.
  Lease acquire();

  PoolStats stats() const;

 private:
  void give_back(std::unique_ptr<Connection> connection) noexcept;
  std::unique_ptr<Connection> connect();

  const ConnectionOptions connection_options_;
  const PoolOptions pool_options_;
  const std::shared_ptr<const TlsContext> tls_;

  mutable Mutex mutex_;
  std::condition_variable slot_freed_;
  std::deque<std::unique_ptr<Connection>> idle_ GUARDED_BY(mutex_);
  std::size_t open_ GUARDED_BY(mutex_) = 0;  // (lent + idle + connecting)
  std::uint64_t created_ GUARDED_BY(mutex_) = 0;
  std::uint64_t discarded_ GUARDED_BY(mutex_) = 0;
  std::uint64_t replaced_ GUARDED_BY(mutex_) = 0;  // discarded ones a connect has replaced (reconnects)
  std::chrono::milliseconds backoff_ GUARDED_BY(mutex_){0};
  std::chrono::steady_clock::time_point next_connect_ GUARDED_BY(mutex_);
};

}  // namespace redkit::detail
