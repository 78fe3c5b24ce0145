// The connection pool under many threads.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "support/redis_test.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;

class PoolTest : public RedisTest {};

TEST_F(PoolTest, EightThreadsShareOneClient) {
  ClientOptions options{.connection = ConnectionOptions::from_url(redis().url()), .pool = {}};
  options.pool.max_connections = 4;
  Client client(options);
  constexpr int kThreads = 8;
  constexpr int kIncrements = 2000;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kIncrements; ++i) {
          if (i % 100 == 0) {
            // Mix pipelines in with single commands.
            Pipeline p = client.pipeline();
            p.add({"INCR", prefix() + "counter"}).add({"SADD", prefix() + "threads", std::to_string(t)});
            p.exec();
          } else {
            client.command({"INCR", prefix() + "counter"});
          }
        }
      } catch (const Error&) {
        failures.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(client.command({"GET", prefix() + "counter"}).as_string(), std::to_string(kThreads * kIncrements));
  EXPECT_EQ(client.command({"SCARD", prefix() + "threads"}).as_integer(), kThreads);
  PoolStats stats = client.pool_stats();
  EXPECT_LE(stats.open, 4u);
  EXPECT_LE(stats.created, 4u);
  EXPECT_EQ(stats.discarded, 0u);
}

TEST_F(PoolTest, BusyPoolTimesOutNamingTheEndpoint) {
  ClientOptions options{.connection = ConnectionOptions::from_url(redis().url()), .pool = {}};
  options.pool.max_connections = 1;
  options.pool.acquire_timeout = 100ms;
  Client client(options);
  std::atomic<bool> blocking{false};
  std::thread holder([&] {
    blocking = true;
    client.command({"BLPOP", prefix() + "never", "1"});
  });
  ASSERT_TRUE(test::wait_for([&] { return client.pool_stats().open == 1 && client.pool_stats().idle == 0; }, 2s));
  try {
    client.command({"PING"});
    FAIL() << "no timeout";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("pool of 1 is busy"), std::string::npos) << e.what();
  }
  holder.join();
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
}

TEST_F(PoolTest, CopiesShareOnePool) {
  Client a(redis().url());
  Client b = a;
  a.command({"PING"});
  b.command({"PING"});
  EXPECT_EQ(a.pool_stats().created, 1u);
  EXPECT_EQ(b.pool_stats().created, 1u);
}

}  // namespace
}  // namespace redkit
