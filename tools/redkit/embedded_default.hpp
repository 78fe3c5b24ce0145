// The embedded default of `redkit demo` (and later the benchmarks): use the
// URL the user gave; otherwise a Redis already answering on 127.0.0.1:6379;
// otherwise a private redis-server from PATH on a unix socket in a temporary
// directory, stopped when the ResolvedServer is destroyed. Other commands
// never start servers: they only connect where they are told.
#pragma once

#include <memory>
#include <string>

#include "global_options.hpp"
#include "redkit/options.hpp"

namespace redkit::devserver {
class RedisProcess;
}

namespace redkit::cli {

class ResolvedServer {
 public:
  enum class Origin {
    given,         // --redis or $REDIS_URL
    local,         // found answering on 127.0.0.1:6379
    private_server,  // started by us, stopped by the destructor
  };

  ResolvedServer(Origin origin, redkit::ConnectionOptions connection,
                 std::unique_ptr<redkit::devserver::RedisProcess> process);
  ResolvedServer(ResolvedServer&&) noexcept;
  ResolvedServer& operator=(ResolvedServer&&) noexcept;
  ~ResolvedServer();

  Origin origin() const noexcept { return origin_; }
  const redkit::ConnectionOptions& connection() const noexcept { return connection_; }
  // "private redis-server on unix:/tmp/.../redis.sock", "127.0.0.1:6379 (given)", ...
  std::string description() const;

 private:
  Origin origin_;
  redkit::ConnectionOptions connection_;
  std::unique_ptr<redkit::devserver::RedisProcess> process_;
};

// Throws UsageError for a malformed given URL, and std::runtime_error naming
// the cause when a private server was needed but could not be started.
ResolvedServer resolve_server(const GlobalOptions& global);

const char* to_string(ResolvedServer::Origin origin) noexcept;

}  // namespace redkit::cli
