// Client::Impl: the state every copy of a Client shares.
#pragma once

#include <memory>
#include <mutex>

#include "client/connection_pool.hpp"
#include "client/tls_context.hpp"
#include "redkit/client.hpp"

namespace redkit {

struct Client::Impl {
  explicit Impl(ClientOptions client_options);

  // Runs commands on one pooled connection; recovers NOSCRIPT replies of
  // script calls by sending the script's source (EVAL) in one more round trip.
  std::vector<Reply> run(std::span<const Command> commands, std::chrono::milliseconds timeout);

  const ClientOptions options;
  const std::shared_ptr<const detail::TlsContext> tls;  // null without TLS
  detail::ConnectionPool pool;

  std::once_flag subscriber_created;
  std::unique_ptr<Subscriber> subscriber;  // set once under subscriber_created
};

}  // namespace redkit
