// The Redis a benchmark program talks to: the one $REDIS_URL names, or else a
// private redis-server on loopback TCP that nothing else uses (no
// persistence), started here and stopped when this object is destroyed. The
// figures in docs/BENCHMARKS.md come from the private server.
//
//   redkit::bench::BenchServer redis;
//   redkit::Client client(redis.url());
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "devserver/redis_process.hpp"

namespace redkit::bench {

class BenchServer {
 public:
  BenchServer() {
    if (const char* env = std::getenv("REDIS_URL"); env != nullptr && *env != '\0') {
      url_ = env;
    } else {
      server_ = std::make_unique<devserver::RedisProcess>(devserver::RedisProcessOptions{});
      url_ = server_->url();
    }
  }
  const std::string& url() const noexcept { return url_; }
  // The private server, for its pid (CPU accounting); nullptr with $REDIS_URL.
  const devserver::RedisProcess* process() const noexcept { return server_.get(); }

 private:
  std::unique_ptr<devserver::RedisProcess> server_;
  std::string url_;
};

}  // namespace redkit::bench
