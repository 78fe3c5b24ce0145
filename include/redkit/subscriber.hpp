// redkit/subscriber.hpp — pub/sub on a dedicated connection.
//
// A background thread owns the connection, reads messages and calls the
// handlers of the channel or pattern they match. subscribe() returns once the
// server has confirmed the subscription, so a message published afterwards is
// never missed. If the connection breaks, the thread reconnects with backoff,
// subscribes again to everything, and then calls the reconnect handlers:
// messages published while it was down are lost, and a reconnect handler is
// where a user re-checks the state it was waiting on.
//
//   auto subscription = client.subscriber().subscribe("jobs",
//       [](std::string_view channel, std::string_view message) { std::puts(message.data()); });
//   // ... messages arrive on the subscriber thread ...
//   subscription.cancel();   // or let it go out of scope
//
// Thread-safety: all members may be called from any thread, including from a
// handler. Handlers run on the subscriber thread, one at a time, and must not
// block for long: every other subscription waits meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace redkit {

namespace detail {
struct SubscriberCore;
}

// Keeps one handler registered; destroying or cancelling it unregisters the
// handler and, when it was the last one, unsubscribes on the server.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

  // Once this returns the handler is not running and will not run again,
  // so it waits for a call in progress: do not cancel while holding a mutex
  // that the handler itself locks (a handler may cancel its own
  // subscription, though).
  void cancel() noexcept;
  bool active() const noexcept { return id_ != 0; }

 private:
  friend struct detail::SubscriberCore;
  Subscription(std::weak_ptr<detail::SubscriberCore> owner, std::uint64_t id)
      : owner_(std::move(owner)), id_(id) {}
  std::weak_ptr<detail::SubscriberCore> owner_;
  std::uint64_t id_ = 0;
};

class Subscriber {
 public:
  // Called with the channel the message was published to and its payload.
  using Handler = std::function<void(std::string_view channel, std::string_view message)>;

  // Exact channel name. Throws ConnectionError/TimeoutError if the server
  // cannot confirm within the connect and command timeouts.
  Subscription subscribe(std::string channel, Handler handler);
  // Glob pattern, as PSUBSCRIBE.
  Subscription psubscribe(std::string pattern, Handler handler);
  // Called after every reconnect, once all subscriptions are restored.
  Subscription on_reconnect(std::function<void()> handler);

  // Number of times the connection was re-established.
  std::uint64_t reconnects() const noexcept;

  explicit Subscriber(std::shared_ptr<detail::SubscriberCore> core);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

 private:
  std::shared_ptr<detail::SubscriberCore> core_;
};

}  // namespace redkit
