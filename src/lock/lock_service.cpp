// LockService: the public face of a LockEngine.
#include "redkit/lock_service.hpp"

#include "lock/lock_engine.hpp"

namespace redkit {

LockService::LockService(Client client, LockServiceOptions options)
    : engine_(std::make_shared<detail::LockEngine>(std::move(client), std::move(options))) {}

LockService::~LockService() { engine_->shutdown(); }

Lock LockService::make(std::string name, LockOptions options) {
  return engine_->make(std::move(name), std::move(options));
}

const Client& LockService::client() const noexcept { return engine_->client(); }

const LockServiceOptions& LockService::options() const noexcept { return engine_->options(); }

}  // namespace redkit
