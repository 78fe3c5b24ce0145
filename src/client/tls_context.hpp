// TlsContext: the OpenSSL configuration shared by every TLS connection of a
// client (trusted CAs, client certificate, protocol floor), built once from
// TlsOptions so a bad CA or key file is reported when the client is made.
//
// Thread-safety: immutable after construction; SSL_CTX is safe to share.
#pragma once

#include <memory>
#include <string>

#include "redkit/options.hpp"

struct ssl_ctx_st;
struct ssl_st;

namespace redkit::detail {

class TlsContext {
 public:
  // Throws TlsError naming the file that could not be loaded.
  TlsContext(const TlsOptions& options, const std::string& endpoint);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const noexcept { return context_.get(); }
  const TlsOptions& options() const noexcept { return options_; }

 private:
  struct ContextDeleter {
    void operator()(ssl_ctx_st* context) const noexcept;
  };
  TlsOptions options_;
  std::unique_ptr<ssl_ctx_st, ContextDeleter> context_;
};

struct SslDeleter {
  void operator()(ssl_st* ssl) const noexcept;
};
using SslHandle = std::unique_ptr<ssl_st, SslDeleter>;

}  // namespace redkit::detail
