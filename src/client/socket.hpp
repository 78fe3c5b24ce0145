// Socket: an owned, non-blocking file descriptor connected to a TCP or unix
// endpoint within a deadline.
#pragma once

#include <string>

#include "client/deadline.hpp"

namespace redkit::detail {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept;
  ~Socket();

  int fd() const noexcept { return fd_; }
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Tries every address of host (IPv4 and IPv6) in order. Throws
// ConnectionError (TimeoutError past the deadline) naming endpoint.
Socket connect_tcp(const std::string& host, int port, bool keepalive, const Deadline& deadline,
                   const std::string& endpoint);
Socket connect_unix(const std::string& path, const Deadline& deadline, const std::string& endpoint);

// Waits until fd is ready for events (POLLIN/POLLOUT); false on deadline.
bool wait_fd(int fd, short events, const Deadline& deadline);

}  // namespace redkit::detail
