// Bad input to the client side of the API (options, URLs, commands,
// pipelines, scripts, subscriptions, replies, durations): each is refused with
// the exact exception type and a message naming the bad value, and the
// database is left exactly as it was. tests/BAD_INPUT.md lists what each test
// covers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/duration.hpp"
#include "redkit/error.hpp"
#include "redkit/script.hpp"
#include "support/db_snapshot.hpp"
#include "support/error_of.hpp"
#include "support/redis_test.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::error_of;

// Every test starts from a database holding a string, a hash and a list.
class BadInputClientTest : public test::RedisTest {
 protected:
  void SetUp() override {
    test::RedisTest::SetUp();
    client_.emplace(redis().url());
    client().command({"SET", prefix() + "s", "v"});
    client().command({"HSET", prefix() + "h", "f", "1"});
    client().command({"RPUSH", prefix() + "l", "a", "b"});
    before_ = test::snapshot_db(client());
  }
  void TearDown() override {
    EXPECT_EQ(test::changes_since(before_, test::snapshot_db(client())), "");
    client_.reset();
  }
  Client& client() { return *client_; }

  std::optional<Client> client_;
  test::DbSnapshot before_;
};

ConnectionOptions connection(const test::RedisProcess& server) {
  return ConnectionOptions::from_url(server.url());
}

TEST_F(BadInputClientTest, ClientRefusesOutOfRangeConnectionOptions) {
  auto bad = connection(redis());
  bad.port = 0;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{bad, {}}); }), "port 0 is out of range (1-65535)");
  bad = connection(redis());
  bad.host = "";
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{bad, {}}); }), "host is empty");
  bad = connection(redis());
  bad.db = -1;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{bad, {}}); }), "database -1 is negative");
  bad = connection(redis());
  bad.connect_timeout = 0ms;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{bad, {}}); }),
            "connect timeout 0 ms must be positive");
  bad = connection(redis());
  bad.command_timeout = -1ms;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{bad, {}}); }), "command timeout -1 ms is negative");
  bad = connection(redis());
  bad.user = "app";
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{bad, {}}); }), "user \"app\" has no password");
  bad = connection(redis());
  bad.tls.cert_file = "/tmp/cert.pem";
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{bad, {}}); }),
            "a TLS client certificate needs both a cert and a key file");
  bad = connection(redis());
  bad.transport = ConnectionOptions::Transport::unix_socket;
  bad.path = "relative.sock";
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{bad, {}}); }),
            "unix socket path \"relative.sock\" must be absolute");
}

TEST_F(BadInputClientTest, ClientRefusesOutOfRangePoolOptions) {
  const auto good = connection(redis());
  EXPECT_EQ(error_of<InvalidArgument>([&] { Client c(ClientOptions{good, {.max_connections = 0}}); }),
            "pool max_connections must be at least 1");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              Client c(ClientOptions{good, {.max_connections = 1, .acquire_timeout = -3ms}});
            }),
            "pool acquire timeout -3 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              Client c(ClientOptions{good,
                                     {.max_connections = 1,
                                      .acquire_timeout = 1s,
                                      .reconnect_backoff_min = 100ms,
                                      .reconnect_backoff_max = 10ms}});
            }),
            "pool reconnect backoff 100..10 ms is not a positive range");
}

TEST_F(BadInputClientTest, UrlsAreRefusedByNameWithoutThePassword) {
  EXPECT_EQ(error_of<InvalidArgument>([] { Client c("localhost:6379"); }),
            "invalid Redis URL \"localhost:6379\": missing scheme (expected redis://, rediss:// or unix://)");
  EXPECT_EQ(error_of<InvalidArgument>([] { Client c("http://host"); }),
            "invalid Redis URL \"http://host\": unknown scheme \"http\" (expected redis, rediss or unix)");
  EXPECT_EQ(error_of<InvalidArgument>([] { Client c("redis://user:hunter2@host:99999"); }),
            "invalid Redis URL \"redis://user:***@host:99999\": port 99999 is out of range (1-65535)");
  EXPECT_EQ(error_of<InvalidArgument>([] { ConnectionOptions::from_url("redis://host/abc"); }),
            "invalid Redis URL \"redis://host/abc\": database \"abc\" is not a number");
  EXPECT_EQ(error_of<InvalidArgument>([] { ConnectionOptions::from_url("redis://host?timeout=soon"); }),
            "invalid Redis URL \"redis://host?timeout=soon\": option timeout: invalid duration \"soon\": expected a number (use e.g. 500ms, 30s, 5m, 24h, 7d)");
  EXPECT_EQ(error_of<InvalidArgument>([] { ConnectionOptions::from_url("redis://host?colour=red"); }).substr(0, 68),
            "invalid Redis URL \"redis://host?colour=red\": unknown option \"colour\"");
  EXPECT_EQ(error_of<InvalidArgument>([] { ConnectionOptions::from_url("unix://relative.sock"); }),
            "invalid Redis URL \"unix://relative.sock\": expected an absolute socket path (unix:///path/to.sock)");
  EXPECT_EQ(error_of<InvalidArgument>([] { ConnectionOptions::from_url(""); }),
            "invalid Redis URL \"\": missing scheme (expected redis://, rediss:// or unix://)");
}

TEST_F(BadInputClientTest, DefaultClientRefusesMalformedRedisUrlVariable) {
  const char* saved = std::getenv("REDIS_URL");
  const std::optional<std::string> previous = saved ? std::optional<std::string>(saved) : std::nullopt;
  ::setenv("REDIS_URL", "redis://:secret@host:0", 1);
  const std::string message = error_of<InvalidArgument>([] { Client c; });
  if (previous) {
    ::setenv("REDIS_URL", previous->c_str(), 1);
  } else {
    ::unsetenv("REDIS_URL");
  }
  EXPECT_EQ(message, "invalid Redis URL \"redis://:***@host:0\": port 0 is out of range (1-65535)");
}

TEST_F(BadInputClientTest, CommandsRefuseEmptyNamesAndNaN) {
  EXPECT_EQ(error_of<InvalidArgument>([] { Command c(""); }), "command name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([] { Command::raw(std::vector<std::string>{}); }), "command has no arguments");
  EXPECT_EQ(error_of<InvalidArgument>([&] { client().command({}); }), "command has no arguments");
  EXPECT_EQ(error_of<InvalidArgument>([&] { Command("INCRBYFLOAT").key(prefix() + "s").arg(std::nan("")); }),
            "NaN cannot be sent as a command argument");
  EXPECT_EQ(error_of<ProtocolError>([] { Command::keyless({"PING"}).routing_key(); }),
            "command PING has no routing key");
}

TEST_F(BadInputClientTest, CommandsThatWouldSpoilAPooledConnectionAreRefusedUnsent) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { client().command({"select", "3"}); }),
            "SELECT would change the state of a pooled connection shared with other callers; use the URL "
            "(database, credentials) or Client::subscriber() instead");
  EXPECT_EQ(error_of<InvalidArgument>([&] { client().command({"SUBSCRIBE", "news"}); }).substr(0, 47),
            "SUBSCRIBE would change the state of a pooled co");
  const std::string unclosed =
      "a MULTI or WATCH must be closed (EXEC, DISCARD, UNWATCH) in the same pipeline: the connection goes back to "
      "a shared pool afterwards";
  EXPECT_EQ(error_of<InvalidArgument>([&] { client().command({"MULTI"}); }), unclosed);
  // Nothing of the batch is sent: the SET before the unclosed MULTI does not run.
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              client().pipeline().add({"SET", prefix() + "s", "changed"}).add({"MULTI"}).add({"DEL", prefix() + "l"}).exec();
            }),
            unclosed);
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              client().pipeline().add({"WATCH", prefix() + "s"}).add({"DEL", prefix() + "h"}).exec();
            }),
            unclosed);
  const std::vector<Command> commands{Command::raw({"DEL", prefix() + "s"})};
  EXPECT_EQ(error_of<InvalidArgument>([&] { client().execute(commands, -1ms); }), "command timeout -1 ms is negative");
  EXPECT_TRUE(client().pipeline().exec().empty());
}

TEST_F(BadInputClientTest, ServerRefusalsComeBackAsReplyErrorsWithTheServersText) {
  EXPECT_EQ(error_of<ReplyError>([&] { client().command({"FROBNICATE", "x"}); }),
            "ERR unknown command 'FROBNICATE', with args beginning with: 'x' ");
  EXPECT_EQ(error_of<ReplyError>([&] { client().command({"LPUSH", prefix() + "s", "x"}); }),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(error_of<ReplyError>([&] { client().command({"INCR", prefix() + "s"}); }),
            "ERR value is not an integer or out of range");
  // In a pipeline the error stays in place and the other commands' replies are kept.
  const auto replies = client().pipeline().add({"GET", prefix() + "s"}).add({"INCR", prefix() + "l"}).exec();
  EXPECT_EQ(replies.at(0).as_string(), "v");
  EXPECT_EQ(replies.at(1).error_message(), "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST_F(BadInputClientTest, ScriptsRefuseEmptyNamesAndSourcesAndCompileErrorsWriteNothing) {
  EXPECT_EQ(error_of<InvalidArgument>([] { Script s("", "return 1"); }), "script name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([] { Script s("touch", ""); }), "script \"touch\" has an empty source");
  const Script broken("broken", "redis.call('SET', KEYS[1], 'x') return (");
  const std::string message = error_of<ReplyError>([&] { client().command(broken.call({prefix() + "s"}, {})); });
  EXPECT_EQ(message.substr(0, 31), "ERR Error compiling script (new") << message;
}

TEST_F(BadInputClientTest, SubscriptionsRefuseEmptyChannelsAndHandlers) {
  auto handler = [](std::string_view, std::string_view) {};
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)client().subscriber().subscribe("", handler); }),
            "channel name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)client().subscriber().psubscribe("", handler); }),
            "channel pattern is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)client().subscriber().subscribe("news", nullptr); }),
            "no handler given for channel \"news\"");
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)client().subscriber().on_reconnect(nullptr); }),
            "no reconnect handler given");
}

TEST_F(BadInputClientTest, ReplyAccessorsNameTheActualType) {
  const Reply text = client().command({"GET", prefix() + "s"});
  EXPECT_EQ(error_of<ProtocolError>([&] { (void)text.as_integer(); }), "expected integer reply, got bulk string");
  EXPECT_EQ(error_of<ProtocolError>([&] { (void)text.as_double(); }), "expected a number, got \"v\"");
  EXPECT_EQ(error_of<ProtocolError>([&] { (void)Reply().as_array(); }), "expected array reply, got nil");
  EXPECT_EQ(error_of<ProtocolError>([&] { (void)text.error_message(); }), "expected error reply, got bulk string");
  EXPECT_EQ(error_of<ReplyError>([] { Reply::make_error("ERR boom").throw_if_error(); }), "ERR boom");
}

TEST_F(BadInputClientTest, DurationsAreRefusedByText) {
  EXPECT_EQ(error_of<InvalidArgument>([] { parse_duration(""); }),
            "invalid duration \"\": empty (use e.g. 500ms, 30s, 5m, 24h, 7d)");
  EXPECT_EQ(error_of<InvalidArgument>([] { parse_duration("-5s"); }), "invalid duration \"-5s\": negative");
  EXPECT_EQ(error_of<InvalidArgument>([] { parse_duration("10 parsecs"); }),
            "invalid duration \"10 parsecs\": unknown unit at \" parsecs\" (units: ms, s, m, h, d)");
  EXPECT_EQ(error_of<InvalidArgument>([] { parse_duration("99999999999999999999d"); }),
            "invalid duration \"99999999999999999999d\": too large");
}

}  // namespace
}  // namespace redkit
