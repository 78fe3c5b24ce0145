// Client: commands, pipelines and NOSCRIPT recovery over the pool.
#include "redkit/client.hpp"

#include <chrono>

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

std::vector<Reply> Client::Impl::run(std::span<const Command> commands) {
  auto connection = pool.acquire();
  std::vector<Reply> replies = connection->execute(commands);

  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (is_noscript(replies[i]) && commands[i].script()) missing.push_back(i);
  }
  if (missing.empty()) return replies;
  std::vector<Command> retries;
  retries.reserve(missing.size());
  for (std::size_t i : missing) retries.push_back(as_eval(commands[i]));
  std::vector<Reply> retried = connection->execute(retries);
  for (std::size_t k = 0; k < missing.size(); ++k) replies[missing[k]] = std::move(retried[k]);
  return replies;
}

Client::Client(ClientOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

Client::Client(std::string_view url)
    : Client(ClientOptions{.connection = ConnectionOptions::from_url(url), .pool = {}}) {}

Reply Client::command(const Command& command) const {
  std::vector<Reply> replies = impl_->run(std::span<const Command>(&command, 1));
  replies.front().throw_if_error();
  return std::move(replies.front());
}

Reply Client::command(std::initializer_list<std::string_view> args) const { return command(Command::raw(args)); }

std::vector<Reply> Client::execute(std::span<const Command> commands) const {
  if (commands.empty()) return {};
  return impl_->run(commands);
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
