// SubscriberCore: the pub/sub thread, its requests, dispatch and reconnects.
#include "client/subscriber_core.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

// How often an idle subscriber pings the server. A paused or vanished server
// sends nothing, so without this a subscriber (and every lock waiter relying
// on it) would wait on a dead socket forever.
constexpr std::chrono::milliseconds kHealthInterval{1000};

constexpr std::chrono::milliseconds kBackoffMin{10};
constexpr std::chrono::milliseconds kBackoffMax{1000};

// Replies handled before the thread looks at requests and pings again, so a
// flood of messages cannot starve a subscribe or the health check.
constexpr int kRepliesPerPass = 1024;

using Clock = std::chrono::steady_clock;

std::string_view subscribe_verb(SubscriberCore::Kind kind) {
  return kind == SubscriberCore::Kind::channel ? "SUBSCRIBE" : "PSUBSCRIBE";
}
std::string_view unsubscribe_verb(SubscriberCore::Kind kind) {
  return kind == SubscriberCore::Kind::channel ? "UNSUBSCRIBE" : "PUNSUBSCRIBE";
}

int poll_timeout(Clock::time_point until) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

void drain(int fd) {
  std::uint64_t counter;
  [[maybe_unused]] auto n = ::read(fd, &counter, sizeof counter);
}

}  // namespace

SubscriberCore::SubscriberCore(ConnectionOptions options, std::shared_ptr<const TlsContext> tls)
    : options_(std::move(options)), tls_(std::move(tls)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw Error(fmt::format("cannot create subscriber wake-up descriptor: errno {}", errno));
}

SubscriberCore::~SubscriberCore() {
  // The last reference can be dropped on the subscriber thread itself (its
  // run() holds one); a thread cannot join itself, and it is about to end.
  if (thread_.joinable()) {
    if (std::this_thread::get_id() == thread_.get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
  ::close(wake_fd_);
}

void SubscriberCore::stop() noexcept {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  wake();
  if (thread_.joinable() && std::this_thread::get_id() != thread_.get_id()) thread_.join();
}

void SubscriberCore::wake() noexcept {
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
}

void SubscriberCore::start_thread_locked() {
  if (stopping_) throw ConnectionError(options_.endpoint(), "the client's subscriber is shut down");
  if (!thread_.joinable()) thread_ = std::thread([self = shared_from_this()] { self->run(); });
}

Subscription SubscriberCore::add(Kind kind, std::string name, Subscriber::Handler handler) {
  if (name.empty()) {
    throw InvalidArgument(kind == Kind::channel ? "channel name is empty" : "channel pattern is empty");
  }
  if (!handler) throw InvalidArgument(fmt::format("no handler given for channel \"{}\"", name));
  MutexLock lock(mutex_);
  start_thread_locked();
  const std::uint64_t id = next_id_++;
  Topic& topic = topics(kind)[name];
  topic.handlers.emplace(id, std::make_shared<Subscriber::Handler>(std::move(handler)));
  // A new handler is a new request: a refusal is retried, since the cause
  // (an ACL rule, say) may have changed.
  if (topic.state == ServerState::refused) topic.state = ServerState::none;
  Subscription subscription(weak_from_this(), id);
  if (topic.state == ServerState::subscribed) return subscription;
  wake();
  if (std::this_thread::get_id() == thread_.get_id()) return subscription;

  const std::uint64_t failures_before = connect_failures_;
  const auto give_up_at = Clock::now() + options_.connect_timeout + options_.command_timeout;
  for (;;) {
    auto it = topics(kind).find(name);
    ServerState state = it == topics(kind).end() ? ServerState::none : it->second.state;
    if (state == ServerState::subscribed) return subscription;
    enum class Failure { none, refused, connection, timeout, stopped } failure = Failure::none;
    std::string message;
    if (state == ServerState::refused) {
      failure = Failure::refused;
      message = it->second.refusal;
    } else if (stopping_) {
      failure = Failure::stopped;
      message = "the client's subscriber is shut down";
    } else if (connect_failures_ != failures_before) {
      failure = Failure::connection;
      message = last_connect_error_;
    } else if (Clock::now() >= give_up_at) {
      failure = Failure::timeout;
      message = fmt::format("{} {} at {}: not confirmed within {} ms", subscribe_verb(kind), name,
                            options_.endpoint(), (options_.connect_timeout + options_.command_timeout).count());
    } else {
      lock.wait_until(changed_, give_up_at);
      continue;
    }
    lock.unlock();
    subscription.cancel();
    switch (failure) {
      case Failure::refused: throw ReplyError(message);
      case Failure::timeout: throw TimeoutError(options_.endpoint(), message);
      default: throw ConnectionError(options_.endpoint(), message);
    }
  }
}

Subscription SubscriberCore::add_reconnect_handler(std::function<void()> handler) {
  if (!handler) throw InvalidArgument("no reconnect handler given");
  MutexLock lock(mutex_);
  const std::uint64_t id = next_id_++;
  reconnect_handlers_.emplace(id, std::make_shared<std::function<void()>>(std::move(handler)));
  return Subscription(weak_from_this(), id);
}

void SubscriberCore::remove(std::uint64_t id) noexcept {
  // The handler dies outside the lock: its captures may include other
  // Subscriptions, whose destructors come back here.
  std::shared_ptr<void> removed;
  {
    MutexLock lock(mutex_);
    if (auto it = reconnect_handlers_.find(id); it != reconnect_handlers_.end()) {
      removed = std::move(it->second);
      reconnect_handlers_.erase(it);
    } else {
      for (Topics* table : {&channels_, &patterns_}) {
        for (auto& [name, topic] : *table) {
          if (auto found = topic.handlers.find(id); found != topic.handlers.end()) {
            removed = std::move(found->second);
            topic.handlers.erase(found);
          }
        }
      }
    }
  }
  if (!removed) return;
  wake();
  // Wait out a handler that may be running right now (a no-op on the
  // subscriber thread itself: the mutex is recursive).
  std::lock_guard wait_for_dispatch(dispatch_mutex_);
}

std::vector<Command> SubscriberCore::pending_requests_locked() {
  std::vector<Command> commands;
  for (Kind kind : {Kind::channel, Kind::pattern}) {
    Topics& table = topics(kind);
    for (auto it = table.begin(); it != table.end();) {
      Topic& topic = it->second;
      const bool wanted = !topic.handlers.empty();
      std::optional<Pending::Verb> verb;
      if (wanted && topic.state == ServerState::none) {
        verb = Pending::Verb::subscribe;
        topic.state = ServerState::subscribing;
      } else if (!wanted && topic.state == ServerState::subscribed) {
        verb = Pending::Verb::unsubscribe;
        topic.state = ServerState::unsubscribing;
      } else if (!wanted && (topic.state == ServerState::none || topic.state == ServerState::refused)) {
        it = table.erase(it);
        continue;
      }
      if (verb) {
        // One command per topic: a refusal (NOPERM for one channel) then
        // concerns that topic alone. Channels are not keys: any node.
        Command command(*verb == Pending::Verb::subscribe ? subscribe_verb(kind) : unsubscribe_verb(kind));
        commands.push_back(std::move(command.arg(it->first).mark_keyless()));
        pending_.push_back(Pending{*verb, kind, it->first});
      }
      ++it;
    }
  }
  return commands;
}

void SubscriberCore::run() noexcept {
  std::unique_ptr<Connection> connection;
  std::chrono::milliseconds backoff{0};
  for (;;) {
    {
      MutexLock lock(mutex_);
      if (stopping_) return;
    }
    try {
      if (!connection) connect_and_resubscribe(connection);
      serve(*connection);
      return;  // serve() returns only when stopping
    } catch (const std::exception& e) {
      connection.reset();
      pending_.clear();
      {
        MutexLock lock(mutex_);
        ++connect_failures_;
        last_connect_error_ = e.what();
        for (Topics* table : {&channels_, &patterns_}) {
          for (auto& [name, topic] : *table) {
            if (topic.state != ServerState::refused) topic.state = ServerState::none;
          }
        }
      }
      changed_.notify_all();
      // Backoff restarts only once a connection proved healthy (a pong came
      // back), so a server that accepts and then drops us is not hammered.
      backoff = pong_seen_ ? kBackoffMin : std::min(std::max(backoff * 2, kBackoffMin), kBackoffMax);
      pong_seen_ = false;
      pollfd p{wake_fd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(backoff.count()));
      drain(wake_fd_);
    }
  }
}

void SubscriberCore::connect_and_resubscribe(std::unique_ptr<Connection>& connection) {
  SelfTimer reconnect_timer(SelfOp::client_reconnect, ever_connected_.load());
  connection = Connection::open(options_, tls_.get());
  const bool reconnect = ever_connected_.exchange(true);
  std::vector<Command> requests;
  {
    MutexLock lock(mutex_);
    for (Topics* table : {&channels_, &patterns_}) {
      for (auto& [name, topic] : *table) {
        if (topic.state != ServerState::refused) topic.state = ServerState::none;
      }
    }
    requests = pending_requests_locked();
    awaiting_resubscribe_ = reconnect ? requests.size() : 0;
  }
  connection->send(requests, Deadline::after(options_.command_timeout));
  if (reconnect) {
    reconnects_.fetch_add(1);
    if (requests.empty()) call_reconnect_handlers();
  }
}

void SubscriberCore::serve(Connection& connection) {
  auto next_ping = Clock::now() + kHealthInterval;
  constexpr auto kNoPongDue = Clock::time_point::max();
  auto pong_due = kNoPongDue;
  for (;;) {
    std::vector<Command> requests;
    {
      MutexLock lock(mutex_);
      if (stopping_) return;
      requests = pending_requests_locked();
    }
    if (!requests.empty()) connection.send(requests, Deadline::after(options_.command_timeout));

    pollfd fds[2] = {{connection.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int ready = ::poll(fds, 2, poll_timeout(std::min(next_ping, pong_due)));
    if (ready < 0 && errno != EINTR) throw ConnectionError(options_.endpoint(), "poll failed on subscriber");
    if (fds[1].revents & POLLIN) drain(wake_fd_);
    if (fds[0].revents != 0) {
      for (int handled = 0; handled < kRepliesPerPass; ++handled) {
        std::optional<Reply> reply = connection.poll_reply();
        if (!reply) break;
        if (handle(*reply) == Handled::pong) {
          pong_due = kNoPongDue;
          pong_seen_ = true;
        }
      }
    }
    const auto now = Clock::now();
    if (now >= pong_due) {
      throw TimeoutError(options_.endpoint(),
                         fmt::format("subscriber connection to {} did not answer PING within {} ms",
                                     options_.endpoint(), options_.command_timeout.count()));
    }
    if (now >= next_ping) {
      const Command ping = Command::keyless({"PING"});
      connection.send(std::span<const Command>(&ping, 1), Deadline::after(options_.command_timeout));
      pending_.push_back(Pending{Pending::Verb::ping, Kind::channel, {}});
      next_ping = now + kHealthInterval;
      if (pong_due == kNoPongDue) {
        auto allowance = options_.command_timeout.count() == 0 ? std::chrono::milliseconds(30000)
                                                               : options_.command_timeout;
        pong_due = now + allowance;
      }
    }
  }
}

SubscriberCore::Handled SubscriberCore::handle(const Reply& reply) {
  // Pushed messages first: they are not answers to anything.
  if (reply.is_array() && !reply.as_array().empty() && reply.as_array()[0].is_string()) {
    const auto& parts = reply.as_array();
    const std::string& type = parts[0].as_string();
    if (type == "message" || type == "pmessage") {
      deliver(parts);
      return Handled::message;
    }
  }
  if (pending_.empty()) {
    throw ProtocolError(fmt::format("unexpected reply on the subscriber connection to {}: {}", options_.endpoint(),
                                    reply.to_display()));
  }
  Pending request = std::move(pending_.front());
  pending_.pop_front();
  // With no subscription left, Redis answers PING with +PONG instead of
  // ["pong", ""]: both are fine.
  if (request.verb == Pending::Verb::ping) return Handled::pong;
  if (reply.is_error()) {
    if (request.verb == Pending::Verb::subscribe) refuse(request, reply.error_message());
    return Handled::reply;  // a refused unsubscribe changes nothing we track
  }
  confirm(request.kind, request.name, request.verb == Pending::Verb::subscribe);
  return Handled::reply;
}

void SubscriberCore::deliver(const std::vector<Reply>& parts) {
  const bool pattern = parts[0].as_string() == "pmessage";
  if (parts.size() < (pattern ? 4u : 3u)) return;
  const Kind kind = pattern ? Kind::pattern : Kind::channel;
  const std::string& topic_name = parts[1].as_string();
  const std::string& channel = pattern ? parts[2].as_string() : topic_name;
  const std::string& payload = parts[pattern ? 3 : 2].as_string();
  std::vector<std::shared_ptr<Subscriber::Handler>> handlers;
  {
    MutexLock lock(mutex_);
    auto it = topics(kind).find(topic_name);
    if (it == topics(kind).end()) return;
    for (auto& [id, handler] : it->second.handlers) handlers.push_back(handler);
  }
  std::lock_guard running(dispatch_mutex_);
  for (auto& handler : handlers) {
    {
      // Skip a handler cancelled by an earlier handler of this message.
      MutexLock lock(mutex_);
      auto it = topics(kind).find(topic_name);
      if (it == topics(kind).end()) break;
      bool present = std::any_of(it->second.handlers.begin(), it->second.handlers.end(),
                                 [&](const auto& entry) { return entry.second == handler; });
      if (!present) continue;
    }
    try {
      (*handler)(channel, payload);
    } catch (...) {
      // A throwing handler must not take the subscriber thread down with it
      // and stop every other subscription; the exception has nowhere to go.
    }
  }
  // Handlers removed meanwhile die here, outside mutex_ (see remove()).
  handlers.clear();
}

void SubscriberCore::confirm(Kind kind, const std::string& name, bool subscribed) {
  bool all_restored = false;
  {
    MutexLock lock(mutex_);
    Topics& table = topics(kind);
    auto it = table.find(name);
    if (it != table.end()) {
      it->second.state = subscribed ? ServerState::subscribed : ServerState::none;
      if (!subscribed && it->second.handlers.empty()) table.erase(it);
    }
    if (subscribed && awaiting_resubscribe_ > 0) all_restored = --awaiting_resubscribe_ == 0;
  }
  changed_.notify_all();
  if (all_restored) call_reconnect_handlers();
}

void SubscriberCore::refuse(const Pending& request, const std::string& message) {
  bool all_restored = false;
  {
    MutexLock lock(mutex_);
    auto it = topics(request.kind).find(request.name);
    if (it != topics(request.kind).end()) {
      // Not retried until a new handler asks again: resending at once would
      // loop on a refusal that has not changed.
      it->second.state = ServerState::refused;
      it->second.refusal = message;  // the server's own text, as ReplyError carries it
    }
    if (awaiting_resubscribe_ > 0) all_restored = --awaiting_resubscribe_ == 0;
  }
  changed_.notify_all();
  if (all_restored) call_reconnect_handlers();
}

void SubscriberCore::call_reconnect_handlers() {
  std::vector<std::shared_ptr<std::function<void()>>> handlers;
  {
    MutexLock lock(mutex_);
    for (auto& [id, handler] : reconnect_handlers_) handlers.push_back(handler);
  }
  std::lock_guard running(dispatch_mutex_);
  for (auto& handler : handlers) {
    try {
      (*handler)();
    } catch (...) {
      // As for message handlers: nowhere to report, and the thread must live.
    }
  }
  handlers.clear();
}

}  // namespace redkit::detail
