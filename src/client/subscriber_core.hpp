// SubscriberCore: the pub/sub connection, its thread and its handler tables.
//
// One thread owns the connection: it sends (P)SUBSCRIBE / UNSUBSCRIBE
// requests queued by other threads, reads messages and calls handlers, pings
// the server to notice a silent failure, and reconnects with backoff,
// restoring every subscription. Other threads never touch the socket (an
// OpenSSL session must not be read and written from two threads); they change
// the tables under mutex_ and wake the thread through an eventfd.
//
// Lifetime: the thread holds the core alive; Subscriber's destructor calls
// stop(). A handler that captures a Client copy keeps that client (and so this
// thread) alive until its subscription is cancelled.
//
// Thread-safety: add() and remove() may be called from any thread, including
// from a handler on the subscriber thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client/connection.hpp"
#include "client/tls_context.hpp"
#include "redkit/options.hpp"
#include "redkit/subscriber.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {

struct SubscriberCore : std::enable_shared_from_this<SubscriberCore> {
  enum class Kind { channel, pattern };

  SubscriberCore(ConnectionOptions options, std::shared_ptr<const TlsContext> tls);
  ~SubscriberCore();
  SubscriberCore(const SubscriberCore&) = delete;
  SubscriberCore& operator=(const SubscriberCore&) = delete;

  // Registers a handler and waits for the server's confirmation (except when
  // called on the subscriber thread, which cannot wait for itself).
  Subscription add(Kind kind, std::string name, Subscriber::Handler handler);
  Subscription add_reconnect_handler(std::function<void()> handler);
  // Unregisters; once it returns the handler is not running and never runs
  // again (unless called from that very handler).
  void remove(std::uint64_t id) noexcept;
  std::uint64_t reconnects() const noexcept { return reconnects_.load(); }
  // Stops the thread and closes the connection; waits for the thread unless
  // called on it (a handler dropping the last Client), in which case the
  // thread ends after that handler returns.
  void stop() noexcept;

 private:
  enum class ServerState { none, subscribing, subscribed, unsubscribing, refused };
  struct Topic {
    std::map<std::uint64_t, std::shared_ptr<Subscriber::Handler>> handlers;
    ServerState state = ServerState::none;
    std::string refusal;  // the server's error message when state is refused
  };
  using Topics = std::map<std::string, Topic, std::less<>>;
  // A request whose reply the thread still expects, in the order sent. Pushed
  // messages are not replies; confirmations, pongs and errors are, and an
  // error names no channel, so this queue says which request it answers.
  struct Pending {
    enum class Verb { subscribe, unsubscribe, ping } verb;
    Kind kind = Kind::channel;
    std::string name;
  };

  void start_thread_locked() REQUIRES(mutex_);
  void wake() noexcept;
  void run() noexcept;
  // One connected period: returns on stop, throws when the connection breaks.
  void serve(Connection& connection);
  void connect_and_resubscribe(std::unique_ptr<Connection>& connection);
  // Moves the wanted changes into commands (one per topic) and pending_.
  std::vector<Command> pending_requests_locked() REQUIRES(mutex_);
  enum class Handled { message, reply, pong };
  Handled handle(const Reply& reply);
  void deliver(const std::vector<Reply>& parts);
  void confirm(Kind kind, const std::string& name, bool subscribed);
  void refuse(const Pending& request, const std::string& message);
  void call_reconnect_handlers();
  Topics& topics(Kind kind) { return kind == Kind::channel ? channels_ : patterns_; }

  const ConnectionOptions options_;
  const std::shared_ptr<const TlsContext> tls_;
  int wake_fd_ = -1;

  mutable Mutex mutex_;
  std::condition_variable changed_;  // a topic was confirmed, or a connect failed
  Topics channels_ GUARDED_BY(mutex_);
  Topics patterns_ GUARDED_BY(mutex_);
  std::map<std::uint64_t, std::shared_ptr<std::function<void()>>> reconnect_handlers_ GUARDED_BY(mutex_);
  std::uint64_t next_id_ GUARDED_BY(mutex_) = 1;
  std::uint64_t connect_failures_ GUARDED_BY(mutex_) = 0;
  std::string last_connect_error_ GUARDED_BY(mutex_);
  std::size_t awaiting_resubscribe_ GUARDED_BY(mutex_) = 0;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;                        // started under mutex_, joined by stop()
  std::deque<Pending> pending_;               // the subscriber thread's own
  bool pong_seen_ = false;                    // the subscriber thread's own

  // Held while handlers run, so remove() can wait for a running handler.
  std::recursive_mutex dispatch_mutex_;
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<bool> ever_connected_{false};
};

}  // namespace redkit::detail
