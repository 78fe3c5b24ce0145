// Scripts: EVALSHA with transparent NOSCRIPT recovery, single and pipelined.
#include <gtest/gtest.h>

#include "client/embedded_scripts.hpp"
#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/script.hpp"
#include "support/redis_test.hpp"

namespace redkit {
namespace {

using test::RedisTest;

class ScriptTest : public RedisTest {};

const Script kIncrBy{"test_incr_by", "return redis.call('INCRBY', KEYS[1], ARGV[1])"};

TEST_F(ScriptTest, RunsAfterScriptFlush) {
  Client client(redis().url());
  EXPECT_EQ(client.command(kIncrBy.call({prefix() + "n"}, {"5"})).as_integer(), 5);
  client.command(Command::keyless({"SCRIPT", "FLUSH"}));
  EXPECT_EQ(client.command(Command::keyless({"SCRIPT", "EXISTS", kIncrBy.sha1()})).as_array()[0].as_integer(), 0);
  EXPECT_EQ(client.command(kIncrBy.call({prefix() + "n"}, {"5"})).as_integer(), 10);
  // The recovery left the script cached, so EVALSHA works directly again.
  EXPECT_EQ(client.command(Command::keyless({"SCRIPT", "EXISTS", kIncrBy.sha1()})).as_array()[0].as_integer(), 1);
}

TEST_F(ScriptTest, PipelineRecoversEveryNoscriptEntryExactlyOnce) {
  Client client(redis().url());
  client.command(Command::keyless({"SCRIPT", "FLUSH"}));
  Pipeline pipeline = client.pipeline();
  for (int i = 0; i < 100; ++i) {
    pipeline.add(kIncrBy.call({prefix() + "p"}, {"1"}));
    pipeline.add({"INCR", prefix() + "plain"});
  }
  auto replies = pipeline.exec();
  ASSERT_EQ(replies.size(), 200u);
  for (const Reply& r : replies) ASSERT_TRUE(r.is_integer()) << r.to_display();
  EXPECT_EQ(client.command({"GET", prefix() + "p"}).as_string(), "100");
  EXPECT_EQ(client.command({"GET", prefix() + "plain"}).as_string(), "100");
}

TEST_F(ScriptTest, RunsAfterServerRestart) {
  Client client(redis().url());
  client.command(kIncrBy.call({prefix() + "r"}, {"1"}));
  redis().restart();  // no persistence: the script cache and the key are gone
  EXPECT_EQ(client.command(kIncrBy.call({prefix() + "r"}, {"1"})).as_integer(), 1);
}

TEST_F(ScriptTest, PipelineKeepsItsOrderAfterRestart) {
  Client client(redis().url());
  client.command(kIncrBy.call({prefix() + "o"}, {"1"}));
  redis().restart();
  // The script is loaded ahead of its call in the same write, so the GET
  // after it sees its effect.
  auto replies = client.pipeline().add(kIncrBy.call({prefix() + "o"}, {"7"})).add({"GET", prefix() + "o"}).exec();
  EXPECT_EQ(replies[0].as_integer(), 7);
  EXPECT_EQ(replies[1].as_string(), "7");
}

TEST_F(ScriptTest, EmbeddedCompareAndDelete) {
  Client client(redis().url());
  const Script& cad = detail::embedded_script(detail::ScriptName::compare_and_delete);
  client.command({"SET", prefix() + "lock", "token-a"});
  EXPECT_EQ(client.command(cad.call({prefix() + "lock"}, {"token-b"})).as_integer(), 0);
  EXPECT_EQ(client.command({"GET", prefix() + "lock"}).as_string(), "token-a");
  EXPECT_EQ(client.command(cad.call({prefix() + "lock"}, {"token-a"})).as_integer(), 1);
  EXPECT_TRUE(client.command({"GET", prefix() + "lock"}).is_nil());
}

TEST_F(ScriptTest, ScriptErrorIsAReplyError) {
  Client client(redis().url());
  const Script broken{"broken", "return redis.call('NO_SUCH_COMMAND')"};
  EXPECT_THROW(client.command(broken.call({prefix() + "x"}, {})), ReplyError);
}

}  // namespace
}  // namespace redkit
