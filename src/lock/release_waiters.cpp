// ReleaseWaiters: shared per-name subscriptions, and wake-ups for everyone or
// for the one waiter a release chose.
#include "lock/release_waiters.hpp"

#include <vector>

namespace redkit::detail {

ReleaseWaiters::ReleaseWaiters(Client client) : client_(std::move(client)) {}

ReleaseWaiters::~ReleaseWaiters() = default;

void ReleaseWaiters::bump(Channel& channel) {
  {
    MutexLock lock(channel.mutex);
    ++channel.generation;
  }
  channel.changed.notify_all();
}

void ReleaseWaiters::deliver(Channel& channel, std::string_view message) {
  if (message == "released") {
    bump(channel);
    return;
  }
  // The chosen waiters' tokens, space-separated: wake those that wait here,
  // and every ticket without a token. Threads of registered waiters not
  // chosen stay asleep, which is the point: no wake-up, no attempt, no load
  // on the server.
  bool wake = false;
  {
    MutexLock lock(channel.mutex);
    ++channel.chosen;
    while (!message.empty()) {
      const std::size_t space = message.find(' ');
      if (auto it = channel.woken.find(std::string(message.substr(0, space))); it != channel.woken.end()) {
        ++it->second;
        wake = true;
      }
      message = space == std::string_view::npos ? std::string_view() : message.substr(space + 1);
    }
    wake = wake || channel.untargeted > 0;
  }
  if (wake) channel.changed.notify_all();
}

ReleaseWaiters::Ticket ReleaseWaiters::enter(const std::string& name, const std::string& token) {
  std::shared_ptr<Channel> channel;
  bool first = false;
  {
    MutexLock lock(mutex_);
    if (!reconnect_.active()) {
      // After a reconnect a release may have gone unheard: every waiter
      // retries at once rather than at its next backoff.
      reconnect_ = client_.subscriber().on_reconnect([this] {
        std::vector<std::shared_ptr<Channel>> all;
        {
          MutexLock inner(mutex_);
          for (auto& [channel_name, c] : channels_) all.push_back(c);
        }
        for (auto& c : all) bump(*c);
      });
    }
    auto& slot = channels_[name];
    if (!slot) {
      slot = std::make_shared<Channel>();
      first = true;
    }
    ++slot->users;
    channel = slot;
  }
  {
    MutexLock lock(channel->mutex);
    if (token.empty()) {
      ++channel->untargeted;
    } else {
      channel->woken.emplace(token, 0);
    }
  }
  Ticket ticket(this, name, token, channel);
  if (first) {
    // Subscribing waits for the server, and the handler takes the channel's
    // mutex on the subscriber thread: neither lock may be held here.
    try {
      Subscription subscription = client_.subscriber().subscribe(
          name, [weak = std::weak_ptr<Channel>(channel)](std::string_view, std::string_view message) {
            if (auto c = weak.lock()) deliver(*c, message);
          });
      MutexLock lock(channel->mutex);
      channel->subscription = std::move(subscription);
      channel->ready = true;
    } catch (...) {
      {
        // Out of the table, so the next waiter subscribes afresh.
        MutexLock lock(mutex_);
        if (auto it = channels_.find(name); it != channels_.end() && it->second == channel) channels_.erase(it);
      }
      {
        MutexLock lock(channel->mutex);
        channel->failed = true;
      }
      channel->changed.notify_all();
      throw;
    }
    channel->changed.notify_all();
  } else {
    MutexLock lock(channel->mutex);
    while (!channel->ready && !channel->failed) lock.wait(channel->changed);
    if (channel->failed) {
      // The first waiter's subscribe failed and it has reported why; this one
      // will retry the subscription itself after leaving (the ticket's
      // destructor).
      lock.unlock();
      { Ticket dropped = std::move(ticket); }  // leaves before entering again
      return enter(name, token);
    }
  }
  return ticket;
}

void ReleaseWaiters::leave(const std::string& name, const std::string& token,
                           const std::shared_ptr<Channel>& channel) noexcept {
  {
    MutexLock lock(channel->mutex);
    if (token.empty()) {
      --channel->untargeted;
    } else {
      channel->woken.erase(token);
    }
  }
  bool last = false;
  {
    MutexLock lock(mutex_);
    last = --channel->users == 0;
    if (auto it = channels_.find(name); last && it != channels_.end() && it->second == channel) channels_.erase(it);
  }
  if (!last) return;
  Subscription subscription;
  {
    MutexLock lock(channel->mutex);
    subscription = std::move(channel->subscription);
  }
  // Unsubscribing waits for a running handler, which takes channel->mutex:
  // the subscription is dropped with no lock held.
  subscription.cancel();
}

ReleaseWaiters::Ticket::~Ticket() {
  if (owner_ != nullptr && channel_) owner_->leave(name_, token_, channel_);
}

std::uint64_t ReleaseWaiters::Ticket::generation_locked() const {
  if (token_.empty()) return channel_->generation + channel_->chosen;
  auto it = channel_->woken.find(token_);
  return channel_->generation + (it != channel_->woken.end() ? it->second : 0);
}

std::uint64_t ReleaseWaiters::Ticket::generation() const {
  MutexLock lock(channel_->mutex);
  return generation_locked();
}

void ReleaseWaiters::Ticket::wait(std::uint64_t seen, std::chrono::steady_clock::time_point until) const {
  MutexLock lock(channel_->mutex);
  while (generation_locked() == seen) {
    if (lock.wait_until(channel_->changed, until) == std::cv_status::timeout) break;
  }
}

}  // namespace redkit::detail
