// OpenSSL client context: TLS 1.2 or newer, peer verification on by default.
#include "client/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fmt/format.h>

#include "client/error_translation.hpp"

namespace redkit::detail {

void SslDeleter::operator()(ssl_st* ssl) const noexcept { SSL_free(ssl); }

TlsContext::TlsContext(const TlsOptions& options, const std::string& endpoint) : options_(options) {
  ERR_clear_error();
  context_.reset(SSL_CTX_new(TLS_client_method()));
  if (!context_) throw_tls_error(endpoint, "cannot set up TLS for");
  SSL_CTX* context = context_.get();
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  // Partial writes let the non-blocking write loop hand over what fits.
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  if (options.verify_peer) {
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    if (options.ca_file.empty() && options.ca_dir.empty()) {
      if (SSL_CTX_set_default_verify_paths(context) != 1) {
        throw_tls_error(endpoint, "cannot load the system's trusted certificates for");
      }
    } else if (SSL_CTX_load_verify_locations(context, options.ca_file.empty() ? nullptr : options.ca_file.c_str(),
                                             options.ca_dir.empty() ? nullptr : options.ca_dir.c_str()) != 1) {
      throw_tls_error(endpoint, "cannot use TLS with",
                      fmt::format("cannot load CA certificates from \"{}\": {}",
                                  options.ca_file.empty() ? options.ca_dir : options.ca_file, openssl_error_queue()));
    }
  } else {
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
  }

  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(context, options.cert_file.c_str()) != 1) {
      throw_tls_error(endpoint, "cannot use TLS with",
                      fmt::format("cannot load client certificate \"{}\": {}", options.cert_file,
                                  openssl_error_queue()));
    }
    if (SSL_CTX_use_PrivateKey_file(context, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      throw_tls_error(endpoint, "cannot use TLS with",
                      fmt::format("cannot load client key \"{}\": {}", options.key_file, openssl_error_queue()));
    }
    if (SSL_CTX_check_private_key(context) != 1) {
      throw_tls_error(endpoint, "cannot use TLS with",
                      fmt::format("client key \"{}\" does not match certificate \"{}\"", options.key_file,
                                  options.cert_file));
    }
  }
}

void TlsContext::ContextDeleter::operator()(ssl_ctx_st* context) const noexcept { SSL_CTX_free(context); }

TlsContext::~TlsContext() = default;

}  // namespace redkit::detail
