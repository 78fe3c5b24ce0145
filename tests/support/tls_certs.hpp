// Certificates for TLS tests, made with the openssl command-line tool: a CA,
// a server and a client certificate signed by it, and an unrelated second CA
// for "wrong CA" tests. EC P-256 keys, valid for 2 days.
//
//   const TlsFiles& tls = shared_tls_files();
//   auto server = start_tls_redis(tls, /*require_client_cert=*/true);
#pragma once

#include <filesystem>

namespace redkit::test {

struct TlsFiles {
  std::filesystem::path ca_cert;
  std::filesystem::path ca_key;
  // CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1.
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
  // CN=redkit test client, extendedKeyUsage clientAuth.
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
  // A self-signed CA that signed none of the above.
  std::filesystem::path other_ca_cert;
};

// Generates a fresh set in dir (created if missing). Throws std::runtime_error
// naming the openssl command that failed and what it printed.
TlsFiles make_tls_files(const std::filesystem::path& dir);

// One set per test process, generated on first use in a temporary directory
// that is removed at exit. Thread-safe.
const TlsFiles& shared_tls_files();

}  // namespace redkit::test
