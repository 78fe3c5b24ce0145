// Chooses or starts the Redis server for commands that may run one of their own.
#include "embedded_default.hpp"

#include <stdexcept>
#include <utility>

#include <fmt/core.h>

#include "devserver/redis_process.hpp"

namespace redkit::cli {
namespace {

constexpr const char* kLocalHost = "127.0.0.1";
constexpr int kLocalPort = 6379;

}  // namespace

ResolvedServer::ResolvedServer(Origin origin, redkit::ConnectionOptions connection,
                               std::unique_ptr<redkit::devserver::RedisProcess> process)
    : origin_(origin), connection_(std::move(connection)), process_(std::move(process)) {}

// Defined here, where RedisProcess is a complete type.
ResolvedServer::ResolvedServer(ResolvedServer&&) noexcept = default;
ResolvedServer& ResolvedServer::operator=(ResolvedServer&&) noexcept = default;
ResolvedServer::~ResolvedServer() = default;

std::string ResolvedServer::description() const {
  switch (origin_) {
    case Origin::given:
      return fmt::format("{} (from --redis / REDIS_URL)", connection_.endpoint());
    case Origin::local:
      return fmt::format("{} (already running)", connection_.endpoint());
    case Origin::private_server:
      return fmt::format("private redis-server on {} (stopped at exit)", connection_.endpoint());
  }
  return connection_.endpoint();
}

ResolvedServer resolve_server(const GlobalOptions& global) {
  if (global.redis_url_given()) {
    return ResolvedServer(ResolvedServer::Origin::given, global.connection(), nullptr);
  }
  if (redkit::devserver::tcp_port_answers(kLocalHost, kLocalPort)) {
    return ResolvedServer(ResolvedServer::Origin::local,
                          redkit::ConnectionOptions::from_url(kDefaultRedisUrl), nullptr);
  }
  redkit::devserver::RedisProcessOptions options;
  options.tcp = false;
  options.unix_socket = true;
  std::unique_ptr<redkit::devserver::RedisProcess> process;
  try {
    process = std::make_unique<redkit::devserver::RedisProcess>(std::move(options));
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format(
        "nothing answers on {}:{} and a private redis-server could not be started: {} "
        "(install redis-server, or point redkit at Redis with --redis URL or REDIS_URL)",
        kLocalHost, kLocalPort, e.what()));
  }
  auto connection = redkit::ConnectionOptions::from_url(process->unix_url());
  return ResolvedServer(ResolvedServer::Origin::private_server, std::move(connection),
                        std::move(process));
}

const char* to_string(ResolvedServer::Origin origin) noexcept {
  switch (origin) {
    case ResolvedServer::Origin::given:
      return "given";
    case ResolvedServer::Origin::local:
      return "local";
    case ResolvedServer::Origin::private_server:
      return "private";
  }
  return "unknown";
}

}  // namespace redkit::cli
