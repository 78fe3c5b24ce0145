// A minimal RESP round trip for harness tests; see raw_resp.hpp.
#include "support/raw_resp.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "devserver/net_probe.hpp"

namespace redkit::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string encode_command(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

// Reads from a non-blocking socket on demand, failing once the deadline
// passes.
class Connection {
 public:
  Connection(devserver::UniqueFd fd, Clock::time_point deadline)
      : fd_(std::move(fd)), deadline_(deadline) {}

  void send_all(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_.get(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (errno == EAGAIN || errno == EINTR) {
        wait(POLLOUT);
      } else {
        throw std::runtime_error(std::string("raw RESP send failed: ") + std::strerror(errno));
      }
    }
  }

  std::string read_line() {
    for (;;) {
      const std::size_t end = buffer_.find("\r\n", position_);
      if (end != std::string::npos) {
        std::string line = buffer_.substr(position_, end - position_);
        position_ = end + 2;
        return line;
      }
      fill();
    }
  }

  std::string read_exact(std::size_t count) {
    while (buffer_.size() - position_ < count) fill();
    std::string data = buffer_.substr(position_, count);
    position_ += count;
    return data;
  }

 private:
  void wait(short events) {
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
      pollfd entry{fd_.get(), events, 0};
      const int ready = ::poll(&entry, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
      if (ready > 0) return;
      if (ready == 0) throw RawRespTimeout("no reply from Redis in time");
      if (errno != EINTR) throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
    }
  }

  void fill() {
    wait(POLLIN);
    char chunk[4096];
    const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      throw std::runtime_error("Redis closed the connection before replying");
    } else if (errno != EAGAIN && errno != EINTR) {
      throw std::runtime_error(std::string("raw RESP recv failed: ") + std::strerror(errno));
    }
  }

  devserver::UniqueFd fd_;
  Clock::time_point deadline_;
  std::string buffer_;
  std::size_t position_ = 0;
};

long long parse_length(const std::string& digits, const std::string& line) {
  try {
    std::size_t used = 0;
    const long long value = std::stoll(digits, &used);
    if (used == digits.size()) return value;
  } catch (const std::logic_error&) {
  }
  throw std::runtime_error("malformed RESP length in: " + line);
}

RawReply read_reply(Connection& connection) {
  const std::string line = connection.read_line();
  if (line.empty()) throw std::runtime_error("empty RESP reply line");
  RawReply reply;
  reply.type = line[0];
  const std::string rest = line.substr(1);
  switch (reply.type) {
    case '+':
    case '-':
    case ':':
      reply.text = rest;
      return reply;
    case '$': {
      const long long length = parse_length(rest, line);
      if (length < 0) {
        reply.nil = true;
        return reply;
      }
      reply.text = connection.read_exact(static_cast<std::size_t>(length));
      if (connection.read_exact(2) != "\r\n") throw std::runtime_error("bulk string without CRLF");
      return reply;
    }
    case '*': {
      const long long count = parse_length(rest, line);
      if (count < 0) {
        reply.nil = true;
        return reply;
      }
      for (long long i = 0; i < count; ++i) reply.elements.push_back(read_reply(connection));
      return reply;
    }
    default:
      throw std::runtime_error("unexpected RESP reply: " + line);
  }
}

RawReply round_trip(devserver::UniqueFd fd, const std::string& endpoint,
                    const std::vector<std::string>& args, Clock::time_point deadline) {
  if (!fd) {
    throw std::runtime_error("cannot connect to Redis at " + endpoint + ": " + std::strerror(errno));
  }
  Connection connection(std::move(fd), deadline);
  connection.send_all(encode_command(args));
  return read_reply(connection);
}

}  // namespace

RawReply raw_command_unix(const std::filesystem::path& socket, const std::vector<std::string>& args,
                          milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  return round_trip(devserver::connect_unix(socket, timeout), socket.string(), args, deadline);
}

RawReply raw_command_tcp(int port, const std::vector<std::string>& args, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  return round_trip(devserver::connect_tcp("127.0.0.1", port, timeout),
                    "127.0.0.1:" + std::to_string(port), args, deadline);
}

}  // namespace redkit::test
