// ConnectionPool: lending, health checks on idle connections, connect backoff.
#include "client/connection_pool.hpp"

#include <thread>

#include <fmt/format.h>

#include "client/tls_context.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {

ConnectionPool::Lease::~Lease() {
  if (connection_) pool_->give_back(std::move(connection_));
}

ConnectionPool::ConnectionPool(ConnectionOptions connection_options, PoolOptions pool_options,
                               std::shared_ptr<const TlsContext> tls)
    : connection_options_(std::move(connection_options)), pool_options_(pool_options), tls_(std::move(tls)) {}

ConnectionPool::Lease ConnectionPool::acquire() {
  const auto give_up_at = std::chrono::steady_clock::now() + pool_options_.acquire_timeout;
  MutexLock lock(mutex_);
  for (;;) {
    while (!idle_.empty()) {
      // Most recently used first: it is the most likely to be alive and warm.
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      if (!connection->looks_dead()) return Lease(this, std::move(connection));
      --open_;
      ++discarded_;
      // One dead idle connection usually means the server restarted or
      // dropped clients: the older idle ones are checked the same way as the
      // loop continues, and each costs one poll(), not a round trip.
    }
    if (open_ < pool_options_.max_connections) break;
    if (lock.wait_until(slot_freed_, give_up_at) == std::cv_status::timeout && idle_.empty() &&
        open_ >= pool_options_.max_connections) {
      throw TimeoutError(connection_options_.endpoint(),
                         fmt::format("no free connection to {} within {} ms (pool of {} is busy)",
                                     connection_options_.endpoint(), pool_options_.acquire_timeout.count(),
                                     pool_options_.max_connections));
    }
  }
  ++open_;  // reserve the slot while connecting outside the lock
  const bool reconnecting = replaced_ < discarded_;  // replaces a connection that broke
  if (reconnecting) ++replaced_;
  auto wait_until = next_connect_;
  lock.unlock();
  SelfTimer reconnect_timer(SelfOp::client_reconnect, reconnecting);
  std::unique_ptr<Connection> connection;
  try {
    if (std::chrono::steady_clock::now() < wait_until) {
      if (wait_until >= give_up_at) {
        throw ConnectionError(connection_options_.endpoint(),
                              fmt::format("cannot connect to {}: still backing off after failed connects",
                                          connection_options_.endpoint()));
      }
      std::this_thread::sleep_until(wait_until);
    }
    connection = connect();
  } catch (...) {
    lock.lock();
    --open_;
    if (reconnecting) --replaced_;
    backoff_ = backoff_.count() == 0 ? pool_options_.reconnect_backoff_min
                                     : std::min(backoff_ * 2, pool_options_.reconnect_backoff_max);
    next_connect_ = std::chrono::steady_clock::now() + backoff_;
    slot_freed_.notify_one();
    throw;
  }
  lock.lock();
  backoff_ = std::chrono::milliseconds(0);
  next_connect_ = {};
  connection->set_serial(++created_);
  return Lease(this, std::move(connection));
}

std::unique_ptr<Connection> ConnectionPool::connect() {
  return Connection::open(connection_options_, tls_.get());
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) noexcept {
  MutexLock lock(mutex_);
  if (connection->broken()) {
    --open_;
    ++discarded_;
    // Destroying a TLS connection sends close_notify without blocking.
    connection.reset();
  } else {
    idle_.push_back(std::move(connection));
  }
  slot_freed_.notify_one();
}

PoolStats ConnectionPool::stats() const {
  MutexLock lock(mutex_);
  return PoolStats{open_, idle_.size(), static_cast<std::size_t>(created_), static_cast<std::size_t>(discarded_)};
}

}  // namespace redkit::detail
