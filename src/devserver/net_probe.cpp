// Loopback socket probes; see net_probe.hpp.
#include "devserver/net_probe.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>
#include <system_error>

namespace redkit::devserver {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

int poll_timeout_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<milliseconds::rep>(left.count(), 0));
}

// Waits for one poll event on fd, retrying on EINTR. False on timeout.
bool wait_for_event(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, poll_timeout_ms(deadline));
    if (ready > 0) return true;
    if (ready == 0) {
      errno = ETIMEDOUT;
      return false;
    }
    if (errno != EINTR) return false;
  }
}

UniqueFd connect_address(int family, const sockaddr* address, socklen_t length,
                         milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return {};
  if (::connect(fd.get(), address, length) == 0) return fd;
  // A unix socket whose backlog is full reports EAGAIN rather than EINPROGRESS.
  if (errno != EINPROGRESS && errno != EAGAIN) return {};
  if (!wait_for_event(fd.get(), POLLOUT, deadline)) return {};
  int error = 0;
  socklen_t error_length = sizeof error;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &error_length) != 0) return {};
  if (error != 0) {
    errno = error;
    return {};
  }
  return fd;
}

std::size_t count_lines(const std::string& text) {
  std::size_t lines = 0;
  for (std::size_t end = text.find("\r\n"); end != std::string::npos; end = text.find("\r\n", end + 2)) {
    ++lines;
  }
  return lines;
}

}  // namespace

UniqueFd connect_tcp(const std::string& host, int port, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    errno = EHOSTUNREACH;
    return {};
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    UniqueFd fd = connect_address(entry->ai_family, entry->ai_addr, entry->ai_addrlen,
                                  std::max(left, milliseconds(0)));
    if (fd) return fd;
  }
  return {};
}

UniqueFd connect_unix(const std::filesystem::path& socket, milliseconds timeout) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string& path = socket.native();
  if (path.size() >= sizeof address.sun_path) {
    errno = ENAMETOOLONG;
    return {};
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return connect_address(AF_UNIX, reinterpret_cast<const sockaddr*>(&address), sizeof address,
                         timeout);
}

bool tcp_port_answers(const std::string& host, int port, milliseconds timeout) {
  return static_cast<bool>(connect_tcp(host, port, timeout));
}

int pick_free_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  }
  socklen_t length = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return ntohs(address.sin_port);
}

bool unix_socket_answers_ping(const std::filesystem::path& socket, milliseconds timeout,
                              const std::string& password) {
  const auto deadline = Clock::now() + timeout;
  const UniqueFd fd = connect_unix(socket, timeout);
  if (!fd) return false;
  std::string request;
  std::size_t replies = 1;
  if (!password.empty()) {
    request = "*2\r\n$4\r\nAUTH\r\n$" + std::to_string(password.size()) + "\r\n" + password + "\r\n";
    ++replies;
  }
  request += "*1\r\n$4\r\nPING\r\n";
  // The request is far smaller than any socket buffer, so one send suffices.
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return false;
  }
  // Both replies are one-line simple strings or errors; PING's comes last.
  std::string received;
  while (count_lines(received) < replies) {
    if (!wait_for_event(fd.get(), POLLIN, deadline)) return false;
    char chunk[256];
    const ssize_t n = ::recv(fd.get(), chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    received.append(chunk, static_cast<std::size_t>(n));
  }
  const std::size_t previous_end = received.rfind("\r\n", received.size() - 3);
  const std::string_view reply =
      std::string_view(received).substr(previous_end == std::string::npos ? 0 : previous_end + 2);
  return reply.starts_with("+PONG") || (reply.starts_with('-') && !reply.starts_with("-LOADING"));
}

}  // namespace redkit::devserver
