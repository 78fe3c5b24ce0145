// Test servers; see redis_server.hpp.
#include "support/redis_server.hpp"

#include <stdexcept>

namespace redkit::test {

std::unique_ptr<RedisProcess> start_redis(RedisProcessOptions options) {
  return std::make_unique<RedisProcess>(std::move(options));
}

void add_acl_user(RedisProcessOptions& options, const std::string& user, const std::string& password,
                  const std::vector<std::string>& rules) {
  // redis-server joins the words after --user into one "user" directive.
  options.extra_args.insert(options.extra_args.end(), {"--user", user, "on", ">" + password});
  options.extra_args.insert(options.extra_args.end(), rules.begin(), rules.end());
}

RedisProcessOptions tls_server_options(const TlsFiles& files, bool require_client_cert, int tls_port,
                                       RedisProcessOptions base) {
  base.tcp = false;
  base.port = 0;
  base.extra_args.insert(base.extra_args.end(),
                         {"--tls-port", std::to_string(tls_port),
                          "--tls-cert-file", files.server_cert.string(),
                          "--tls-key-file", files.server_key.string(),
                          "--tls-ca-cert-file", files.ca_cert.string(),
                          "--tls-auth-clients", require_client_cert ? "yes" : "no"});
  return base;
}

TlsRedis start_tls_redis(const TlsFiles& files, bool require_client_cert, RedisProcessOptions base) {
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    const int tls_port = devserver::pick_free_port();
    try {
      return TlsRedis{start_redis(tls_server_options(files, require_client_cert, tls_port, base)),
                      tls_port};
    } catch (const std::runtime_error& error) {
      const bool port_taken = std::string(error.what()).find("Address already in use") != std::string::npos;
      if (!port_taken || attempt == kAttempts) throw;
    }
  }
}

}  // namespace redkit::test
