// Subscriber and Subscription: the public face of SubscriberCore.
#include "redkit/subscriber.hpp"

#include "client/subscriber_core.hpp"

namespace redkit {

Subscription::Subscription(Subscription&& other) noexcept
    : owner_(std::move(other.owner_)), id_(std::exchange(other.id_, 0)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    cancel();
    owner_ = std::move(other.owner_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

Subscription::~Subscription() { cancel(); }

void Subscription::cancel() noexcept {
  if (id_ == 0) return;
  if (auto owner = owner_.lock()) owner->remove(id_);
  id_ = 0;
  owner_.reset();
}

Subscriber::Subscriber(std::shared_ptr<detail::SubscriberCore> core) : core_(std::move(core)) {}

Subscriber::~Subscriber() { core_->stop(); }

Subscription Subscriber::subscribe(std::string channel, Handler handler) {
  return core_->add(detail::SubscriberCore::Kind::channel, std::move(channel), std::move(handler));
}

Subscription Subscriber::psubscribe(std::string pattern, Handler handler) {
  return core_->add(detail::SubscriberCore::Kind::pattern, std::move(pattern), std::move(handler));
}

Subscription Subscriber::on_reconnect(std::function<void()> handler) {
  return core_->add_reconnect_handler(std::move(handler));
}

std::uint64_t Subscriber::reconnects() const noexcept { return core_->reconnects(); }

}  // namespace redkit
