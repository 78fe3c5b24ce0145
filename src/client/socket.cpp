// Non-blocking connect with a deadline, for TCP (any address family) and unix
// sockets.
#include "client/socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "client/error_translation.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

constexpr std::string_view kConnectAction = "cannot connect to";

void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Finishes a non-blocking connect; returns 0 or the errno it failed with.
int finish_connect(int fd, const Deadline& deadline, bool& timed_out) {
  timed_out = false;
  if (!wait_fd(fd, POLLOUT, deadline)) {
    timed_out = true;
    return ETIMEDOUT;
  }
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

bool wait_fd(int fd, short events, const Deadline& deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int timeout = deadline.poll_timeout_ms();
    int ready = ::poll(&p, 1, timeout);
    if (ready > 0) return true;
    if (ready == 0) {
      if (deadline.expired()) return false;
      continue;  // poll rounds to milliseconds; wait out the remainder
    }
    if (errno != EINTR) return true;  // let the following read/write report the error
  }
}

Socket connect_tcp(const std::string& host, int port, bool keepalive, const Deadline& deadline,
                   const std::string& endpoint) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    throw ConnectionError(endpoint, fmt::format("{} {}: cannot resolve host \"{}\": {}", kConnectAction, endpoint,
                                                host, gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found, ::freeaddrinfo);

  int last_error = ECONNREFUSED;
  for (addrinfo* a = addresses.get(); a != nullptr; a = a->ai_next) {
    Socket socket(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (socket.fd() < 0) {
      last_error = errno;
      continue;
    }
    set_nonblocking(socket.fd());
    int one = 1;
    // Commands are small and latency-bound; Nagle would hold them back.
    setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (keepalive) setsockopt(socket.fd(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    int error = 0;
    bool timed_out = false;
    if (::connect(socket.fd(), a->ai_addr, a->ai_addrlen) != 0) {
      error = errno == EINPROGRESS ? finish_connect(socket.fd(), deadline, timed_out) : errno;
    }
    if (error == 0) return socket;
    if (timed_out) {
      throw TimeoutError(endpoint, fmt::format("{} {}: connect timed out", kConnectAction, endpoint));
    }
    last_error = error;
  }
  throw_system_error(endpoint, kConnectAction, last_error);
}

Socket connect_unix(const std::string& path, const Deadline& deadline, const std::string& endpoint) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    throw InvalidArgument(fmt::format("unix socket path \"{}\" is longer than {} bytes", path,
                                      sizeof address.sun_path - 1));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  Socket socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) throw_system_error(endpoint, kConnectAction, errno);
  set_nonblocking(socket.fd());
  int error = 0;
  bool timed_out = false;
  if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    error = errno == EINPROGRESS ? finish_connect(socket.fd(), deadline, timed_out) : errno;
  }
  if (timed_out) throw TimeoutError(endpoint, fmt::format("{} {}: connect timed out", kConnectAction, endpoint));
  if (error != 0) throw_system_error(endpoint, kConnectAction, error);
  return socket;
}

}  // namespace redkit::detail
