// The client under server faults: a paused server, a restart, a killed
// connection, a down server. A broken connection is never handed out twice.
#include <gtest/gtest.h>

#include <chrono>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "support/redis_test.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;

class FaultTest : public RedisTest {};

ClientOptions options_for(const std::string& url, std::chrono::milliseconds command_timeout) {
  ClientOptions options{.connection = ConnectionOptions::from_url(url), .pool = {}};
  options.connection.command_timeout = command_timeout;
  return options;
}

TEST_F(FaultTest, CommandTimesOutAgainstPausedServerThenRecovers) {
  Client client(options_for(redis().url(), 200ms));
  client.command({"SET", prefix() + "k", "before"});
  redis().pause();
  auto start = std::chrono::steady_clock::now();
  try {
    client.command({"GET", prefix() + "k"});
    FAIL() << "no timeout";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out after 200 ms"), std::string::npos) << e.what();
  }
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 190ms);
  EXPECT_LT(waited, 2s);
  redis().resume();
  // The timed-out connection could still receive the late GET reply, so it
  // was discarded; the next command runs on a fresh one.
  EXPECT_EQ(client.command({"GET", prefix() + "k"}).as_string(), "before");
  EXPECT_GE(client.pool_stats().discarded, 1u);
}

TEST_F(FaultTest, ReconnectsAfterServerRestart) {
  Client client(redis().url());
  // Several pooled connections, all of which the restart kills.
  std::vector<Command> warm(4, Command::keyless({"PING"}));
  for (int i = 0; i < 3; ++i) client.execute(warm);
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
  redis().restart();
  // Idle connections are found dead before use: the first command after the
  // restart succeeds instead of failing on a stale socket.
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
  client.command({"SET", prefix() + "after", "1"});
  EXPECT_EQ(client.command({"GET", prefix() + "after"}).as_string(), "1");
}

TEST_F(FaultTest, KilledConnectionIsReplacedWithoutFailingTheNextCall) {
  Client client(redis().url() + "?name=victim");
  client.command({"PING"});
  Client admin(redis().unix_url());
  EXPECT_EQ(admin.command({"CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal"}).as_integer() >= 1, true);
  // The server closed the idle socket; the pool notices before lending it.
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
}

TEST_F(FaultTest, DownServerFailsFastAndBacksOff) {
  Client client(redis().url());
  client.command({"PING"});
  redis().stop();
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.command({"PING"}), ConnectionError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  }
  redis().start();
  ASSERT_TRUE(test::wait_for(
      [&] {
        try {
          return client.command({"PING"}).as_string() == "PONG";
        } catch (const ConnectionError&) {
          return false;
        }
      },
      5s));
}

TEST_F(FaultTest, ConnectTimeoutAgainstPausedServer) {
  redis().pause();
  ClientOptions options = options_for(redis().url(), 200ms);
  options.connection.connect_timeout = 300ms;
  Client client(options);
  // The kernel completes the TCP handshake for a stopped process, so the
  // timeout is hit while waiting for the handshake's PING reply.
  EXPECT_THROW(client.command({"PING"}), TimeoutError);
  redis().resume();
}

}  // namespace
}  // namespace redkit
