// Client against a real redis-server: transports, replies, errors, pipelines.
#include <gtest/gtest.h>

#include <string>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "support/redis_test.hpp"

namespace redkit {
namespace {

using test::RedisTest;

class ClientTest : public RedisTest {};

TEST_F(ClientTest, CommandsOverTcpAndUnixSocket) {
  Client tcp(redis().url());
  Client unix_socket(redis().unix_url());
  tcp.command({"SET", prefix() + "k", "v"});
  EXPECT_EQ(unix_socket.command({"GET", prefix() + "k"}).as_string(), "v");
  EXPECT_TRUE(tcp.command({"GET", prefix() + "missing"}).is_nil());
}

TEST_F(ClientTest, ValuesWithNulBytesRoundTrip) {
  Client client(redis().unix_url());
  std::string value("\0head\0\r\n\0tail\0", 15);
  Command set("SET");
  set.key(prefix() + "bin").arg(value);
  client.command(set);
  EXPECT_EQ(client.command({"GET", prefix() + "bin"}).as_string(), value);
  EXPECT_EQ(client.command({"STRLEN", prefix() + "bin"}).as_integer(), 15);
}

TEST_F(ClientTest, LargeBulkStringRoundTrips) {
  Client client(redis().url());
  std::string value(8 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>((i * 131) % 256);
  Command set("SET");
  set.key(prefix() + "big").arg(value);
  client.command(set);
  EXPECT_EQ(std::move(client.command({"GET", prefix() + "big"})).take_string(), value);
}

TEST_F(ClientTest, ErrorReplyCarriesServerMessage) {
  Client client(redis().url());
  client.command({"SET", prefix() + "str", "x"});
  try {
    client.command({"LPUSH", prefix() + "str", "y"});
    FAIL() << "no exception";
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), "WRONGTYPE");
    EXPECT_NE(e.message().find("wrong kind of value"), std::string::npos);
  }
}

TEST_F(ClientTest, SelectsDatabaseFromUrl) {
  Client db0(redis().url());
  Client db5(redis().url() + "/5");
  db5.command({"SET", prefix() + "where", "db5"});
  EXPECT_TRUE(db0.command({"GET", prefix() + "where"}).is_nil());
  EXPECT_EQ(db5.command({"GET", prefix() + "where"}).as_string(), "db5");
}

TEST_F(ClientTest, OutOfRangeDatabaseIsAClearError) {
  Client client(redis().url() + "/999");
  try {
    client.command({"PING"});
    FAIL() << "no exception";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot select database 999"), std::string::npos) << e.what();
  }
}

TEST_F(ClientTest, ClientNameIsSet) {
  Client client(redis().url() + "?name=redkit-test-worker");
  std::string list = client.command({"CLIENT", "LIST"}).as_string();
  EXPECT_NE(list.find("name=redkit-test-worker"), std::string::npos) << list;
}

TEST_F(ClientTest, UnreachableServerNamesTheEndpoint) {
  const int port = devserver::pick_free_port();
  Client client("redis://127.0.0.1:" + std::to_string(port));
  try {
    client.command({"PING"});
    FAIL() << "no exception";
  } catch (const ConnectionError& e) {
    EXPECT_EQ(e.endpoint(), "127.0.0.1:" + std::to_string(port));
    EXPECT_NE(std::string(e.what()).find("cannot connect to 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("refused"), std::string::npos) << e.what();
  }
}

TEST_F(ClientTest, UnresolvableHostNamesTheHost) {
  Client client("redis://no-such-host.invalid:6379?connect_timeout=2s");
  try {
    client.command({"PING"});
    FAIL() << "no exception";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-host.invalid"), std::string::npos) << e.what();
  }
}

TEST_F(ClientTest, PipelineOfTenThousandCommands) {
  Client client(redis().unix_url());
  Pipeline pipeline = client.pipeline();
  for (int i = 0; i < 10'000; ++i) {
    pipeline.add(std::move(Command("RPUSH").key(prefix() + "list").arg(i)));
  }
  auto replies = pipeline.exec();
  ASSERT_EQ(replies.size(), 10'000u);
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(replies[static_cast<std::size_t>(i)].as_integer(), i + 1);
  EXPECT_TRUE(pipeline.empty());
  EXPECT_EQ(client.command({"LLEN", prefix() + "list"}).as_integer(), 10'000);
  EXPECT_EQ(client.command({"LINDEX", prefix() + "list", "9999"}).as_string(), "9999");
}

TEST_F(ClientTest, PipelineReturnsErrorsInPlace) {
  Client client(redis().url());
  client.command({"SET", prefix() + "s", "x"});
  auto replies = client.pipeline()
                     .add({"INCR", prefix() + "n"})
                     .add({"INCR", prefix() + "s"})
                     .add({"INCR", prefix() + "n"})
                     .exec();
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].as_integer(), 1);
  EXPECT_TRUE(replies[1].is_error());
  EXPECT_THROW(replies[1].throw_if_error(), ReplyError);
  EXPECT_EQ(replies[2].as_integer(), 2);
}

TEST_F(ClientTest, CommandsThatWouldTaintAPooledConnectionAreRefused) {
  Client client(redis().url());
  for (auto args : {std::vector<std::string>{"SELECT", "3"}, {"subscribe", "c"}, {"MONITOR"}, {"HELLO", "3"},
                    {"CLIENT", "REPLY", "OFF"}}) {
    try {
      client.command(Command::raw(args));
      FAIL() << args[0] << " was accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("pooled connection"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(client.command({"MULTI"}), InvalidArgument);
  EXPECT_THROW(client.pipeline().add({"WATCH", prefix() + "w"}).add({"GET", prefix() + "w"}).exec(), InvalidArgument);
  // Nothing was sent: the connection still answers plain commands normally.
  client.command({"SET", prefix() + "k", "v"});
  EXPECT_EQ(client.command({"GET", prefix() + "k"}).as_string(), "v");
}

TEST_F(ClientTest, TransactionInsideOnePipeline) {
  Client client(redis().url());
  auto replies = client.pipeline()
                     .add({"MULTI"})
                     .add({"INCR", prefix() + "t"})
                     .add({"INCR", prefix() + "t"})
                     .add({"EXEC"})
                     .exec();
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[1].as_string(), "QUEUED");
  EXPECT_EQ(replies[3].as_array()[1].as_integer(), 2);
  EXPECT_EQ(client.command({"GET", prefix() + "t"}).as_string(), "2");
}

TEST_F(ClientTest, PipelineOutlivesTheClientObject) {
  auto make = [&] {
    Client client(redis().url());
    return client.pipeline();
  };
  Pipeline pipeline = make();
  pipeline.add({"SET", prefix() + "p", "1"}).add({"GET", prefix() + "p"});
  EXPECT_EQ(pipeline.exec()[1].as_string(), "1");
}

TEST_F(ClientTest, PingMeasuresRoundTrip) {
  Client client(redis().url());
  auto rtt = client.ping();
  EXPECT_GT(rtt.count(), 0);
  EXPECT_LT(rtt, std::chrono::seconds(1));
}

}  // namespace
}  // namespace redkit
