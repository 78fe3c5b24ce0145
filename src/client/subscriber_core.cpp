// SubscriberCore: the pub/sub thread, its requests, dispatch and reconnects.
#include "client/subscriber_core.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

// How often an idle subscriber pings the server. A paused or vanished server
// sends nothing, so without this a subscriber (and every lock waiter relying
// on it) would wait on a dead socket forever.
constexpr std::chrono::milliseconds kHealthInterval{1000};

constexpr std::chrono::milliseconds kBackoffMin{10};
constexpr std::chrono::milliseconds kBackoffMax{1000};

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

}  // namespace

SubscriberCore::SubscriberCore(ConnectionOptions options, std::shared_ptr<const TlsContext> tls)
    : options_(std::move(options)), tls_(std::move(tls)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw Error(fmt::format("cannot create subscriber wake-up descriptor: errno {}", errno));
}

SubscriberCore::~SubscriberCore() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  ::close(wake_fd_);
}

void SubscriberCore::wake() noexcept {
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
}

void SubscriberCore::start_thread_locked() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

Subscription SubscriberCore::add(Kind kind, std::string name, Subscriber::Handler handler) {
  if (name.empty()) {
    throw InvalidArgument(kind == Kind::channel ? "channel name is empty" : "channel pattern is empty");
  }
  if (!handler) throw InvalidArgument(fmt::format("no handler given for channel \"{}\"", name));
  std::unique_lock lock(mutex_);
  const std::uint64_t id = next_id_++;
  Topic& topic = topics(kind)[name];
  topic.handlers.emplace(id, std::make_shared<Subscriber::Handler>(std::move(handler)));
  start_thread_locked();
  Subscription subscription(weak_from_this(), id);
  if (topic.state == ServerState::subscribed) return subscription;
  wake();
  if (std::this_thread::get_id() == thread_.get_id()) return subscription;

  const std::uint64_t failures_before = connect_failures_;
  const auto give_up_at = Clock::now() + options_.connect_timeout + options_.command_timeout;
  for (;;) {
    auto it = topics(kind).find(name);
    if (it != topics(kind).end() && it->second.state == ServerState::subscribed) return subscription;
    std::string failure;
    if (connect_failures_ != failures_before) {
      failure = last_connect_error_;
    } else if (Clock::now() >= give_up_at) {
      failure = fmt::format("{} {} at {}: not confirmed within {} ms", subscribe_verb(kind), name,
                            options_.endpoint(),
                            (options_.connect_timeout + options_.command_timeout).count());
    } else {
      changed_.wait_until(lock, give_up_at);
      continue;
    }
    const bool connect_failed = connect_failures_ != failures_before;
    lock.unlock();
    subscription.cancel();
    if (connect_failed) throw ConnectionError(options_.endpoint(), failure);
    throw TimeoutError(options_.endpoint(), failure);
  }
}

Subscription SubscriberCore::add_reconnect_handler(std::function<void()> handler) {
  if (!handler) throw InvalidArgument("no reconnect handler given");
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  reconnect_handlers_.emplace(id, std::make_shared<std::function<void()>>(std::move(handler)));
  return Subscription(weak_from_this(), id);
}

void SubscriberCore::remove(std::uint64_t id) noexcept {
  bool changed = false;
  {
    std::lock_guard lock(mutex_);
    if (reconnect_handlers_.erase(id) == 0) {
      for (Topics* table : {&channels_, &patterns_}) {
        for (auto& [name, topic] : *table) changed = changed || topic.handlers.erase(id) > 0;
      }
    }
  }
  if (changed) wake();
  // Wait out a handler that may be running right now (a no-op on the
  // subscriber thread itself: the mutex is recursive).
  std::lock_guard wait_for_dispatch(dispatch_mutex_);
}

std::vector<Command> SubscriberCore::pending_requests_locked() {
  std::vector<Command> commands;
  for (Kind kind : {Kind::channel, Kind::pattern}) {
    Topics& table = topics(kind);
    Command subscribe(subscribe_verb(kind));
    Command unsubscribe(unsubscribe_verb(kind));
    for (auto it = table.begin(); it != table.end();) {
      Topic& topic = it->second;
      if (!topic.handlers.empty() && topic.state == ServerState::none) {
        subscribe.arg(it->first);
        topic.state = ServerState::subscribing;
      } else if (topic.handlers.empty() && topic.state == ServerState::subscribed) {
        unsubscribe.arg(it->first);
        topic.state = ServerState::unsubscribing;
      } else if (topic.handlers.empty() && topic.state == ServerState::none) {
        it = table.erase(it);
        continue;
      }
      ++it;
    }
    // Pub/sub commands carry channels, not keys: they go to any node.
    if (subscribe.args().size() > 1) commands.push_back(std::move(subscribe.mark_keyless()));
    if (unsubscribe.args().size() > 1) commands.push_back(std::move(unsubscribe.mark_keyless()));
  }
  return commands;
}

void SubscriberCore::run() noexcept {
  std::unique_ptr<Connection> connection;
  std::chrono::milliseconds backoff{0};
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    try {
      if (!connection) connect_and_resubscribe(connection);
      backoff = std::chrono::milliseconds(0);
      serve(*connection);
      connection.reset();  // serve() returns on stop or on a broken connection
    } catch (const std::exception& e) {
      connection.reset();
      {
        std::lock_guard lock(mutex_);
        ++connect_failures_;
        last_connect_error_ = e.what();
        for (Topics* table : {&channels_, &patterns_}) {
          for (auto& [name, topic] : *table) topic.state = ServerState::none;
        }
      }
      changed_.notify_all();
      backoff = backoff.count() == 0 ? kBackoffMin : std::min(backoff * 2, kBackoffMax);
      pollfd p{wake_fd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(backoff.count()));
      std::uint64_t drained;
      [[maybe_unused]] auto n = ::read(wake_fd_, &drained, sizeof drained);
    }
  }
}

void SubscriberCore::connect_and_resubscribe(std::unique_ptr<Connection>& connection) {
  connection = Connection::open(options_, tls_.get());
  const bool reconnect = ever_connected_.exchange(true);
  std::vector<Command> requests;
  {
    std::lock_guard lock(mutex_);
    for (Topics* table : {&channels_, &patterns_}) {
      for (auto& [name, topic] : *table) topic.state = ServerState::none;
    }
    requests = pending_requests_locked();
    awaiting_resubscribe_ = 0;
    if (reconnect) {
      for (const Command& c : requests) awaiting_resubscribe_ += c.args().size() - 1;
    }
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
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      requests = pending_requests_locked();
    }
    if (!requests.empty()) connection.send(requests, Deadline::after(options_.command_timeout));

    auto wake_at = std::min(next_ping, pong_due);
    pollfd fds[2] = {{connection.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int ready = ::poll(fds, 2, poll_timeout(wake_at));
    if (ready < 0 && errno != EINTR) throw ConnectionError(options_.endpoint(), "poll failed on subscriber");
    if (fds[1].revents & POLLIN) {
      std::uint64_t drained;
      [[maybe_unused]] auto n = ::read(wake_fd_, &drained, sizeof drained);
    }
    if (fds[0].revents != 0) {
      while (std::optional<Reply> reply = connection.poll_reply()) {
        if (reply->is_array() && !reply->as_array().empty() && reply->as_array()[0].is_string() &&
            reply->as_array()[0].as_string() == "pong") {
          pong_due = kNoPongDue;
          continue;
        }
        dispatch(*reply);
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
      next_ping = now + kHealthInterval;
      if (pong_due == kNoPongDue) {
        auto allowance = options_.command_timeout.count() == 0 ? std::chrono::milliseconds(30000)
                                                               : options_.command_timeout;
        pong_due = now + allowance;
      }
    }
  }
}

void SubscriberCore::dispatch(const Reply& reply) {
  if (reply.is_error()) throw ReplyError(reply.error_message());
  const auto& parts = reply.as_array();
  if (parts.size() < 3) return;
  const std::string& type = parts[0].as_string();
  if (type == "message" || type == "pmessage") {
    const bool pattern = type == "pmessage";
    if (pattern && parts.size() < 4) return;
    const std::string& topic_name = parts[1].as_string();
    const std::string& channel = pattern ? parts[2].as_string() : topic_name;
    const std::string& payload = parts[pattern ? 3 : 2].as_string();
    std::vector<std::shared_ptr<Subscriber::Handler>> handlers;
    {
      std::lock_guard lock(mutex_);
      Topics& table = topics(pattern ? Kind::pattern : Kind::channel);
      auto it = table.find(topic_name);
      if (it == table.end()) return;
      for (auto& [id, handler] : it->second.handlers) handlers.push_back(handler);
    }
    std::lock_guard running(dispatch_mutex_);
    for (auto& handler : handlers) {
      {
        // Skip a handler cancelled by an earlier handler of this message.
        std::lock_guard lock(mutex_);
        Topics& table = topics(pattern ? Kind::pattern : Kind::channel);
        auto it = table.find(topic_name);
        if (it == table.end()) break;
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
    return;
  }
  if (type == "subscribe" || type == "psubscribe") {
    confirm(type == "subscribe" ? Kind::channel : Kind::pattern, parts[1].as_string(), true);
  } else if (type == "unsubscribe" || type == "punsubscribe") {
    if (parts[1].is_nil()) return;
    confirm(type == "unsubscribe" ? Kind::channel : Kind::pattern, parts[1].as_string(), false);
  }
}

void SubscriberCore::confirm(Kind kind, const std::string& name, bool subscribed) {
  bool all_restored = false;
  {
    std::lock_guard lock(mutex_);
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

void SubscriberCore::call_reconnect_handlers() {
  std::vector<std::shared_ptr<std::function<void()>>> handlers;
  {
    std::lock_guard lock(mutex_);
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
}

}  // namespace redkit::detail
