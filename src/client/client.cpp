// Client: commands, pipelines and NOSCRIPT recovery over the pool.
#include "redkit/client.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include <fmt/format.h>

#include "client/client_impl.hpp"
#include "client/subscriber_core.hpp"
#include "redkit/error.hpp"

namespace redkit {
namespace {

ClientOptions validated(ClientOptions options) {
  options.connection.validate();
  options.pool.validate();
  return options;
}

std::shared_ptr<const detail::TlsContext> make_tls(const ConnectionOptions& options) {
  if (!options.tls.enabled) return nullptr;
  return std::make_shared<const detail::TlsContext>(options.tls, options.endpoint());
}

bool equals_upper(std::string_view text, std::string_view upper) {
  return text.size() == upper.size() &&
         std::equal(text.begin(), text.end(), upper.begin(),
                    [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
}

// Pooled connections are shared by every caller in turn, so a command that
// changes the state of its connection would silently change what the next,
// unrelated caller's commands do (SELECT writes to another database, a MULTI
// left open makes a lock script answer QUEUED, SUBSCRIBE turns replies into
// pushes). Those are refused before anything is sent. MULTI and WATCH are fine
// when the same batch closes them.
void check_leaves_connection_clean(std::span<const Command> commands) {
  static constexpr std::string_view kStateChanging[] = {
      "SELECT", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
      "MONITOR", "HELLO", "RESET", "AUTH", "QUIT", "READONLY", "READWRITE", "SYNC", "PSYNC", "REPLCONF"};
  bool in_transaction = false;
  bool watching = false;
  for (const Command& command : commands) {
    std::string_view name = command.name();
    for (std::string_view refused : kStateChanging) {
      if (equals_upper(name, refused)) {
        throw InvalidArgument(fmt::format(
            "{} would change the state of a pooled connection shared with other callers; use the URL (database, "
            "credentials) or Client::subscriber() instead",
            refused));
      }
    }
    if (equals_upper(name, "CLIENT") && command.args().size() > 1 &&
        (equals_upper(command.args()[1], "REPLY") || equals_upper(command.args()[1], "TRACKING"))) {
      throw InvalidArgument("CLIENT REPLY/TRACKING would change the state of a pooled connection");
    }
    if (equals_upper(name, "MULTI")) in_transaction = true;
    if (equals_upper(name, "WATCH")) watching = true;
    if (equals_upper(name, "EXEC") || equals_upper(name, "DISCARD")) in_transaction = watching = false;
    if (equals_upper(name, "UNWATCH")) watching = false;
  }
  if (in_transaction || watching) {
    throw InvalidArgument(
        "a MULTI or WATCH must be closed (EXEC, DISCARD, UNWATCH) in the same pipeline: the connection goes back to "
        "a shared pool afterwards");
  }
}

bool is_noscript(const Reply& reply) {
  return reply.is_error() && reply.error_message().rfind("NOSCRIPT", 0) == 0;
}

// EVALSHA sha numkeys ... -> EVAL source numkeys ...: runs the script and
// leaves it cached on the server for the next EVALSHA.
Command as_eval(const Command& evalsha) {
  Command eval("EVAL");
  eval.arg(evalsha.script()->source());
  const auto& args = evalsha.args();
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (evalsha.routing() == Command::Routing::key && i == evalsha.routing_index()) {
      eval.key(args[i]);
    } else {
      eval.arg(args[i]);
    }
  }
  if (evalsha.routing() == Command::Routing::keyless) eval.mark_keyless();
  return eval;
}

}  // namespace

Client::Impl::Impl(ClientOptions client_options)
    : options(validated(std::move(client_options))),
      tls(make_tls(options.connection)),
      pool(options.connection, options.pool, tls) {}

std::vector<Reply> Client::Impl::run(std::span<const Command> commands, std::chrono::milliseconds timeout) {
  check_leaves_connection_clean(commands);
  auto connection = pool.acquire();

  // A script this connection has not used yet is loaded in the same write,
  // ahead of its first call: no extra round trip, and the batch runs in the
  // order given, even right after a server restart emptied the script cache.
  std::vector<const Script*> to_load;
  for (const Command& c : commands) {
    if (!c.script() || connection->knows_script(c.script()->sha1())) continue;
    bool listed = std::any_of(to_load.begin(), to_load.end(),
                              [&](const Script* s) { return s->sha1() == c.script()->sha1(); });
    if (!listed) to_load.push_back(&*c.script());
  }
  std::vector<Reply> replies;
  if (to_load.empty()) {
    replies = connection->execute(commands, timeout);
  } else {
    std::vector<Command> batch;
    batch.reserve(to_load.size() + commands.size());
    for (const Script* script : to_load) {
      batch.push_back(std::move(Command::keyless({"SCRIPT", "LOAD"}).arg(script->source())));
    }
    batch.insert(batch.end(), commands.begin(), commands.end());
    replies = connection->execute(batch, timeout);
    for (std::size_t i = 0; i < to_load.size(); ++i) {
      replies[i].throw_if_error();  // a script that does not compile: a bug to surface, not to retry
      connection->remember_script(to_load[i]->sha1());
    }
    replies.erase(replies.begin(), replies.begin() + static_cast<std::ptrdiff_t>(to_load.size()));
  }

  // NOSCRIPT now means the cache was flushed under a live connection (SCRIPT
  // FLUSH). EVAL carries the source, runs the script and caches it again;
  // the affected entries of a pipeline run after the rest of it.
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (is_noscript(replies[i]) && commands[i].script()) missing.push_back(i);
  }
  if (missing.empty()) return replies;
  connection->forget_scripts();
  std::vector<Command> retries;
  retries.reserve(missing.size());
  for (std::size_t i : missing) retries.push_back(as_eval(commands[i]));
  std::vector<Reply> retried = connection->execute(retries, timeout);
  for (std::size_t k = 0; k < missing.size(); ++k) replies[missing[k]] = std::move(retried[k]);
  return replies;
}

Client::Client() : Client(ClientOptions::from_env()) {}

Client::Client(ClientOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

Client::Client(std::string_view url)
    : Client(ClientOptions{.connection = ConnectionOptions::from_url(url), .pool = {}}) {}

Reply Client::command(const Command& command) const {
  std::vector<Reply> replies =
      impl_->run(std::span<const Command>(&command, 1), impl_->options.connection.command_timeout);
  replies.front().throw_if_error();
  return std::move(replies.front());
}

Reply Client::command(std::initializer_list<std::string_view> args) const { return command(Command::raw(args)); }

std::vector<Reply> Client::execute(std::span<const Command> commands) const {
  return execute(commands, impl_->options.connection.command_timeout);
}

std::vector<Reply> Client::execute(std::span<const Command> commands, std::chrono::milliseconds timeout) const {
  if (commands.empty()) return {};
  if (timeout < std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("command timeout {} ms is negative", timeout.count()));
  }
  return impl_->run(commands, timeout);
}

Pipeline Client::pipeline() const { return Pipeline(*this); }

Subscriber& Client::subscriber() const {
  std::call_once(impl_->subscriber_created, [this] {
    impl_->subscriber = std::make_unique<Subscriber>(
        std::make_shared<detail::SubscriberCore>(impl_->options.connection, impl_->tls));
  });
  return *impl_->subscriber;
}

std::chrono::microseconds Client::ping() const {
  const Command ping = Command::keyless({"PING"});
  auto connection = impl_->pool.acquire();  // connect time is not round-trip time
  auto start = std::chrono::steady_clock::now();
  Reply reply = connection->execute(ping);
  auto elapsed = std::chrono::steady_clock::now() - start;
  reply.throw_if_error();
  return std::chrono::duration_cast<std::chrono::microseconds>(elapsed);
}

const ClientOptions& Client::options() const noexcept { return impl_->options; }

PoolStats Client::pool_stats() const { return impl_->pool.stats(); }

}  // namespace redkit
