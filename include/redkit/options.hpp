// redkit/options.hpp — where and how to connect to Redis.
//
// Options are usually built from a URL:
//   redis://[user[:password]@]host[:port][/db][?option=value&...]
//   rediss://...                        (TLS)
//   unix:///path/to/redis.sock[?db=N&...]
// and the default source is the REDIS_URL environment variable.
//
//   auto options = redkit::ConnectionOptions::from_url("rediss://app:secret@cache:6380/2?ca_file=/etc/ca.pem");
//   options.command_timeout = std::chrono::seconds(1);
//   redkit::Client client({.connection = options});
//
// URL query options (all optional): db, name (CLIENT SETNAME),
// connect_timeout, timeout (command timeout; durations as in
// redkit/duration.hpp), and for rediss: ca_file, ca_dir, cert, key, sni,
// verify (yes|no).
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace redkit {

struct TlsOptions {
  // Use TLS. Set by the rediss:// scheme.
  bool enabled = false;
  // PEM file of the certificate authorities trusted to sign the server's
  // certificate. Empty with an empty ca_dir: the system's default store.
  std::string ca_file{};
  // Directory of hashed CA certificates (as made by `openssl rehash`).
  std::string ca_dir{};
  // Client certificate and its private key (PEM), for servers that require
  // one (tls-auth-clients yes). Both or neither.
  std::string cert_file{};
  std::string key_file{};
  // Name sent as SNI and checked against the server's certificate. Empty: the
  // host of the URL.
  std::string server_name{};
  // Verify the server's certificate chain and name. Turning this off makes
  // the connection open to interception; it exists for test setups only.
  bool verify_peer = true;
};

struct ConnectionOptions {
  enum class Transport { tcp, unix_socket };

  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";
  int port = 6379;
  // Socket path when transport is unix_socket.
  std::string path{};

  // AUTH credentials. An empty user with a password authenticates as the
  // default user (requirepass). An empty password sends no AUTH.
  std::string user{};
  std::string password{};
  // SELECT after connecting when not 0.
  int db = 0;
  // CLIENT SETNAME after connecting when not empty; shows in CLIENT LIST.
  std::string client_name{};

  // Time allowed for TCP connect, TLS handshake, AUTH and SELECT together.
  std::chrono::milliseconds connect_timeout{2000};
  // Time allowed for the reply of one command (or a whole pipeline). Zero
  // means wait forever. A command that times out discards its connection.
  std::chrono::milliseconds command_timeout{5000};
  // TCP keepalive probes so a peer that vanished is noticed on idle sockets.
  bool keepalive = true;

  TlsOptions tls{};

  // Parses a URL (see above). Throws InvalidArgument naming the URL and what
  // is wrong with it. The password is never repeated in the message.
  static ConnectionOptions from_url(std::string_view url);
  // $REDIS_URL when set and not empty, otherwise redis://127.0.0.1:6379.
  static ConnectionOptions from_env();

  // Where this connects, for messages: "127.0.0.1:6379", "unix:/tmp/r.sock",
  // "rediss://cache:6380". Never contains credentials.
  std::string endpoint() const;
  // The endpoint, user and database as a URL (query options left out), the
  // password masked as "***". For logs and messages.
  std::string to_redacted_url() const;

  // Throws InvalidArgument naming the first field that is out of range.
  void validate() const;
};

struct PoolOptions {
  // Most connections open at once. Callers beyond this wait for a free one.
  std::size_t max_connections = 16;
  // How long a caller waits for a free connection before TimeoutError.
  std::chrono::milliseconds acquire_timeout{5000};
  // After a failed connect, further connects wait at least this long, then
  // twice as long after each further failure, up to reconnect_backoff_max.
  std::chrono::milliseconds reconnect_backoff_min{10};
  std::chrono::milliseconds reconnect_backoff_max{1000};

  void validate() const;
};

struct ClientOptions {
  // Defaults to redis://127.0.0.1:6379; from_env() reads $REDIS_URL.
  ConnectionOptions connection{};
  PoolOptions pool{};

  // Connection from $REDIS_URL (see ConnectionOptions::from_env), default pool.
  static ClientOptions from_env() { return ClientOptions{ConnectionOptions::from_env(), PoolOptions{}}; }
};

}  // namespace redkit
