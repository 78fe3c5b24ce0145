// LockService: the public face of a LockEngine.
#include "redkit/lock_service.hpp"

#include <fmt/format.h>

#include "lock/lock_engine.hpp"
#include "lock/deadlock_detector.hpp"
#include "lock/lock_registry.hpp"
#include "redkit/error.hpp"

namespace redkit {

LockService::LockService(Client client, LockServiceOptions options)
    : engine_(std::make_shared<detail::LockEngine>(std::move(client), std::move(options))) {}

LockService::~LockService() { engine_->shutdown(); }

Lock LockService::make(std::string name, LockOptions options) {
  return engine_->make(detail::exclusive_lock_kind(), std::move(name), std::move(options));
}

Lock LockService::make_reader(std::string name, LockOptions options) {
  return engine_->make(detail::read_lock_kind(), std::move(name), std::move(options));
}

Lock LockService::make_writer(std::string name, LockOptions options, WriterOptions writer) {
  return engine_->make(detail::write_lock_kind(writer.writer_preference), std::move(name), std::move(options));
}

Lock LockService::make_semaphore(std::string name, int permits, LockOptions options) {
  if (permits <= 0) {
    throw InvalidArgument(fmt::format("semaphore \"{}\": permits {} must be positive", name, permits));
  }
  return engine_->make(detail::permit_lock_kind(permits), std::move(name), std::move(options));
}

Lock LockService::make_fair(std::string name, LockOptions options, FairLockOptions fair) {
  // Below this, waiters would come back every few milliseconds for nothing.
  constexpr std::chrono::milliseconds kMinQueueTimeout{10};
  if (fair.queue_timeout < kMinQueueTimeout) {
    throw InvalidArgument(fmt::format("fair lock \"{}\": queue_timeout {} ms must be at least {} ms", name,
                                      fair.queue_timeout.count(), kMinQueueTimeout.count()));
  }
  detail::check_at_most_max(fmt::format("fair lock \"{}\": queue_timeout", name), fair.queue_timeout);
  return engine_->make(detail::fair_lock_kind(fair.queue_timeout), std::move(name), std::move(options));
}

MultiLock LockService::make_multi(std::vector<std::string> names, LockOptions options) {
  return engine_->make_multi(std::move(names), std::move(options));
}

std::vector<LockInfo> LockService::list() const {
  return detail::list_locks(engine_->client(), engine_->options().prefix);
}

std::optional<LockInfo> LockService::info(const std::string& name) const {
  return detail::lock_info(engine_->client(), engine_->options().prefix, name);
}

std::vector<LockInfo> LockService::holders(const std::string& name) const {
  return detail::lock_holders(engine_->client(), engine_->options().prefix, name);
}

std::vector<LockInfo> LockService::find_by_owner(const OwnerFilter& owner) const {
  std::vector<LockInfo> matching;
  for (LockInfo& held : list()) {
    if (!owner.host.empty() && held.host != owner.host) continue;
    if (owner.pid != 0 && held.pid != owner.pid) continue;
    if (!owner.label.empty() && held.label != owner.label) continue;
    matching.push_back(std::move(held));
  }
  return matching;
}

bool LockService::force_release(const std::string& name) {
  return detail::force_release_lock(engine_->client(), engine_->options().prefix, name);
}

std::vector<Deadlock> LockService::find_deadlocks() const {
  return detail::WaitGraph::read(engine_->client(), engine_->options().prefix).all_cycles();
}

LockMetrics LockService::metrics() const {
  engine_->metrics().flush();
  return engine_->metrics().read();
}

void LockService::flush_metrics() const { engine_->metrics().flush(); }

const Client& LockService::client() const noexcept { return engine_->client(); }

const LockServiceOptions& LockService::options() const noexcept { return engine_->options(); }

}  // namespace redkit
