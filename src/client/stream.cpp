// Stream: plain and TLS byte I/O on a non-blocking socket.
#include "client/stream.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "client/error_translation.hpp"
#include "client/socket_bio.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

constexpr std::string_view kReadAction = "lost connection to";
constexpr std::string_view kTlsAction = "TLS handshake failed with";

bool is_ip_address(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace

Stream::Stream(Socket socket, std::string endpoint) : socket_(std::move(socket)), endpoint_(std::move(endpoint)) {}

Stream::Stream(Socket socket, std::string endpoint, const TlsContext& tls, const std::string& server_name,
               const Deadline& deadline, std::chrono::milliseconds timeout)
    : socket_(std::move(socket)), endpoint_(std::move(endpoint)) {
  ERR_clear_error();
  ssl_.reset(SSL_new(tls.native()));
  if (!ssl_) throw_tls_error(endpoint_, kTlsAction);
  BIO* bio = new_socket_bio(socket_.fd());
  if (bio == nullptr) throw_tls_error(endpoint_, kTlsAction, "cannot allocate a socket BIO");
  SSL_set_bio(ssl_.get(), bio, bio);  // the SSL object owns the BIO from here
  const bool ip = is_ip_address(server_name);
  // SNI carries host names only (RFC 6066); an IP is matched against the
  // certificate's IP subjectAltName instead.
  if (!ip && !server_name.empty()) {
    // SSL_set_tlsext_host_name is a macro with a C cast; this is its body.
    SSL_ctrl(ssl_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(server_name.c_str()));
  }
  if (tls.options().verify_peer && !server_name.empty()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_.get());
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str())
                : X509_VERIFY_PARAM_set1_host(param, server_name.c_str(), 0);
    if (ok != 1) throw_tls_error(endpoint_, kTlsAction, fmt::format("bad server name \"{}\"", server_name));
  }
  handshake(deadline, timeout);
}

Stream::~Stream() {
  if (ssl_ && !failed_) {
    // A best-effort close_notify; the socket is non-blocking so this never
    // waits. Not after a failure: OpenSSL forbids it, and the peer is gone.
    SSL_shutdown(ssl_.get());
  }
  // Nothing of this connection may linger in the thread's OpenSSL error
  // queue, where the application's own OpenSSL calls would find it.
  if (ssl_) ERR_clear_error();
}

template <typename Body>
auto Stream::failing_closed(Body&& body) {
  try {
    return body();
  } catch (...) {
    failed_ = true;
    throw;
  }
}

// A peer that closes a TLS connection without close_notify (Redis on
// CLIENT KILL, a killed server) is reported by OpenSSL 3 as an "unexpected
// eof": say what it is.
[[noreturn]] void Stream::throw_tls_failure(std::string_view action) {
  unsigned long code = ERR_peek_error();
  if (ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    ERR_clear_error();
    throw_connection_closed(endpoint_, action);
  }
  throw_tls_error(endpoint_, action);
}

void Stream::handshake(const Deadline& deadline, std::chrono::milliseconds timeout) {
  failed_ = true;  // until the handshake completes, there is nothing to shut down
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_connect(ssl_.get());
    if (rc == 1) {
      failed_ = false;
      return;
    }
    int error = SSL_get_error(ssl_.get(), rc);
    short events = 0;
    if (error == SSL_ERROR_WANT_READ) events = POLLIN;
    if (error == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events != 0) {
      if (!wait_fd(socket_.fd(), events, deadline)) throw_timeout(endpoint_, kTlsAction, timeout);
      continue;
    }
    long verify = SSL_get_verify_result(ssl_.get());
    if (verify != X509_V_OK) {
      throw_tls_error(endpoint_, kTlsAction,
                      fmt::format("server certificate rejected: {}", X509_verify_cert_error_string(verify)));
    }
    std::string queue = openssl_error_queue();
    if (error == SSL_ERROR_SYSCALL && queue.empty()) {
      throw_tls_error(endpoint_, kTlsAction,
                      errno != 0 ? std::string(std::strerror(errno)) : "connection closed during handshake");
    }
    throw_tls_error(endpoint_, kTlsAction, queue.empty() ? "handshake refused" : queue);
  }
}

std::size_t Stream::read_some(char* buffer, std::size_t capacity) {
  if (!ssl_) {
    for (;;) {
      ssize_t n = ::recv(socket_.fd(), buffer, capacity, 0);
      if (n > 0) return static_cast<std::size_t>(n);
      if (n == 0) throw_connection_closed(endpoint_, kReadAction);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      throw_system_error(endpoint_, kReadAction, errno);
    }
  }
  return failing_closed([&]() -> std::size_t {
    ERR_clear_error();
    errno = 0;  // SSL_ERROR_SYSCALL leaves errno as the failed call set it, or as it was
    read_wants_write_ = false;
    int n = SSL_read(ssl_.get(), buffer, static_cast<int>(std::min<std::size_t>(capacity, 1 << 30)));
    if (n > 0) return static_cast<std::size_t>(n);
    switch (SSL_get_error(ssl_.get(), n)) {
      case SSL_ERROR_WANT_READ:
        return 0;
      case SSL_ERROR_WANT_WRITE:
        read_wants_write_ = true;
        return 0;
      case SSL_ERROR_ZERO_RETURN:
        throw_connection_closed(endpoint_, kReadAction);
      case SSL_ERROR_SYSCALL:
        if (errno != 0) throw_system_error(endpoint_, kReadAction, errno);
        throw_connection_closed(endpoint_, kReadAction);
      default:
        throw_tls_failure(kReadAction);
    }
  });
}

std::size_t Stream::write_some(std::string_view bytes) {
  if (!ssl_) {
    for (;;) {
      ssize_t n = ::send(socket_.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      throw_system_error(endpoint_, kWriteAction, errno);
    }
  }
  return failing_closed([&]() -> std::size_t {
    ERR_clear_error();
    errno = 0;
    write_wants_read_ = false;
    int n = SSL_write(ssl_.get(), bytes.data(), static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 30)));
    if (n > 0) return static_cast<std::size_t>(n);
    switch (SSL_get_error(ssl_.get(), n)) {
      case SSL_ERROR_WANT_WRITE:
        return 0;
      case SSL_ERROR_WANT_READ:
        write_wants_read_ = true;
        return 0;
      case SSL_ERROR_SYSCALL:
        if (errno != 0) throw_system_error(endpoint_, kWriteAction, errno);
        throw_connection_closed(endpoint_, kWriteAction);
      default:
        throw_tls_failure(kWriteAction);
    }
  });
}

bool Stream::wait_writable_or_readable(const Deadline& deadline) {
  return wait_fd(socket_.fd(), write_wants_read_ ? POLLIN : POLLIN | POLLOUT, deadline);
}

bool Stream::wait_readable(const Deadline& deadline) {
  if (ssl_ && SSL_pending(ssl_.get()) > 0) return true;
  return wait_fd(socket_.fd(), read_wants_write_ ? POLLOUT : POLLIN, deadline);
}

bool Stream::looks_dead() {
  pollfd p{socket_.fd(), POLLIN, 0};
  int ready = ::poll(&p, 1, 0);
  if (ready == 0) return false;
  if (ready < 0) return true;
  if (!ssl_) return true;  // EOF, a reset, or bytes nobody asked for
  // TLS 1.3 servers send session tickets after the handshake; reading them
  // is harmless. Any application data or a close means the connection is not
  // in the state a fresh command needs.
  char byte;
  try {
    return read_some(&byte, 1) != 0;
  } catch (const Error&) {
    return true;
  }
}

}  // namespace redkit::detail
