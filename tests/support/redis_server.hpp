// Starting private redis-server processes for tests: plain, with ACL users, or
// speaking TLS with the generated test certificates.
//
//   auto redis = start_redis();                     // TCP + unix socket
//   RedisProcessOptions options;
//   add_acl_user(options, "app", "secret");
//   auto secured = start_redis(options);
//   TlsRedis tls = start_tls_redis(shared_tls_files(), /*require_client_cert=*/true);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devserver/redis_process.hpp"
#include "support/tls_certs.hpp"

namespace redkit::test {

using devserver::RedisProcess;
using devserver::RedisProcessOptions;

// Starts a server and waits until it answers. Throws std::runtime_error with
// the command line and log tail when it does not come up.
std::unique_ptr<RedisProcess> start_redis(RedisProcessOptions options = {});

// Adds an ACL user, enabled, with a password and rules (by default every key,
// every channel and every command) through --user arguments.
void add_acl_user(RedisProcessOptions& options, const std::string& user, const std::string& password,
                  const std::vector<std::string>& rules = {"~*", "&*", "+@all"});

// base with plain TCP switched off (--port 0) and TLS on tls_port using the
// server certificate and key from files and their CA for client
// certificates; clients must present one when require_client_cert is true.
// The unix socket stays plain: readiness checks and raw_command_unix use it.
RedisProcessOptions tls_server_options(const TlsFiles& files, bool require_client_cert, int tls_port,
                                       RedisProcessOptions base = {});

struct TlsRedis {
  std::unique_ptr<RedisProcess> process;
  // Where the server speaks TLS on 127.0.0.1; kept across restarts.
  int tls_port = 0;
};

// Starts a TLS server on a free port, trying other ports if the chosen one
// was taken before the server could bind it.
TlsRedis start_tls_redis(const TlsFiles& files, bool require_client_cert,
                         RedisProcessOptions base = {});

}  // namespace redkit::test
