// Sends one command to a Redis server over a fresh connection and reads one
// reply, speaking RESP directly. Lets harness tests check a server without the
// redkit client.
//
//   RawReply pong = raw_command_unix(server.socket_path(), {"PING"});
//   EXPECT_EQ(pong.text, "PONG");
#pragma once

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace redkit::test {

struct RawReply {
  // The RESP type byte: '+' status, '-' error, ':' integer, '$' bulk string,
  // '*' array.
  char type = 0;
  // Status or error text, integer digits, or bulk contents.
  std::string text;
  // $-1 or *-1.
  bool nil = false;
  std::vector<RawReply> elements;
};

// No complete reply arrived in time (a paused server, for instance).
class RawRespTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throw RawRespTimeout when the reply does not arrive within timeout, and
// std::runtime_error when the connection fails or the reply is malformed.
// Error replies are returned, not thrown.
RawReply raw_command_unix(const std::filesystem::path& socket, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));
RawReply raw_command_tcp(int port, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace redkit::test
