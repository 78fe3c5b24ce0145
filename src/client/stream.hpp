// Stream: the byte pipe under a connection, plain or TLS over one non-blocking
// socket. Reads never block; writes and the TLS handshake wait within a
// deadline. Everything above it speaks RESP and never sees which kind it is.
//
// Thread-safety: none; one stream belongs to one connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "client/deadline.hpp"
#include "client/socket.hpp"
#include "client/tls_context.hpp"

namespace redkit::detail {

class Stream {
 public:
  // Plain stream over a connected socket.
  Stream(Socket socket, std::string endpoint);
  // TLS over a connected socket: handshakes, verifying the server's
  // certificate against server_name (a DNS name or an IP address) unless
  // verification is off. Throws TlsError with OpenSSL's verdict.
  Stream(Socket socket, std::string endpoint, const TlsContext& tls, const std::string& server_name,
         const Deadline& deadline, std::chrono::milliseconds timeout);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Reads what is available without blocking. Returns the number of bytes
  // read, 0 when nothing is available yet. Throws ConnectionError on EOF or
  // error.
  std::size_t read_some(char* buffer, std::size_t capacity);
  // Writes what the socket accepts without blocking; returns the byte count,
  // 0 when the socket is full. Throws ConnectionError on error.
  std::size_t write_some(std::string_view bytes);
  // Waits until read_some() may make progress; false on deadline.
  bool wait_readable(const Deadline& deadline);
  // Waits until write_some() may make progress or input arrives (which the
  // caller should drain, so the server is never blocked on its output while
  // we are blocked on our input); false on deadline.
  bool wait_writable_or_readable(const Deadline& deadline);
  // True if the peer closed the connection or sent unsolicited bytes while the
  // connection sat idle. Used before lending a pooled connection.
  bool looks_dead();

  int fd() const noexcept { return socket_.fd(); }
  const std::string& endpoint() const noexcept { return endpoint_; }
  bool is_tls() const noexcept { return ssl_ != nullptr; }

 private:
  void handshake(const Deadline& deadline, std::chrono::milliseconds timeout);
  // Runs a TLS operation; a throw marks the session failed (no shutdown).
  template <typename Body>
  auto failing_closed(Body&& body);
  [[noreturn]] void throw_tls_failure(std::string_view action);

  Socket socket_;
  std::string endpoint_;
  SslHandle ssl_;
  // TLS may need the opposite direction to progress: a read that must first
  // write (renegotiation) or a write that must first read.
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;
  bool failed_ = false;
};

}  // namespace redkit::detail
