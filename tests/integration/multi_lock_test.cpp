// MultiLock: all or nothing, no deadlock in opposite orders across processes,
// wake-up on release, loss of any lock fires the stop token.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"
#include "support/redis_test.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;
using test::wait_for;

class MultiLockTest : public RedisTest {
 protected:
  LockServiceOptions service_options() { return {.prefix = prefix(), .owner_label = "multi"}; }
  bool exists(const Client& client, const std::string& name) {
    return client.command({"EXISTS", prefix() + "lock:{" + name + "}"}).as_integer() == 1;
  }
};

TEST_F(MultiLockTest, TakesAllAndReleasesAll) {
  Client client(redis().url());
  LockService locks(client, service_options());
  MultiLock both = locks.make_multi({"account:2", "account:1", "account:2"});
  EXPECT_EQ(both.names(), (std::vector<std::string>{"account:1", "account:2"}));
  ASSERT_TRUE(both.try_lock());
  EXPECT_TRUE(both.held());
  EXPECT_TRUE(exists(client, "account:1"));
  EXPECT_TRUE(exists(client, "account:2"));
  EXPECT_EQ(both.fences().size(), 2u);
  EXPECT_EQ(both.release(), (std::vector<LockOutcome>{LockOutcome::done, LockOutcome::done}));
  EXPECT_FALSE(exists(client, "account:1"));
  EXPECT_FALSE(exists(client, "account:2"));
}

TEST_F(MultiLockTest, OneBusyNameMeansNoneIsHeld) {
  Client client(redis().url());
  LockService locks(client, service_options());
  Lock other = locks.make("b");
  ASSERT_TRUE(other.try_lock());
  MultiLock all = locks.make_multi({"a", "b", "c"});
  EXPECT_FALSE(all.try_lock());
  EXPECT_FALSE(all.held());
  // What this attempt took was given back at once.
  EXPECT_FALSE(exists(client, "a"));
  EXPECT_FALSE(exists(client, "c"));
  EXPECT_FALSE(all.try_lock_for(100ms));
  EXPECT_FALSE(exists(client, "a"));
}

TEST_F(MultiLockTest, WaitsForTheBusyLockAndWakesOnItsRelease) {
  Client client(redis().url());
  LockService locks(client, service_options());
  Lock other = locks.make("y", {.ttl = 30s});
  ASSERT_TRUE(other.try_lock());
  MultiLock both = locks.make_multi({"x", "y"}, {.retry = {.base_delay = 20s, .max_delay = 20s}});
  std::atomic<bool> acquired{false};
  std::thread waiter([&] { acquired = both.try_lock_for(25s); });
  ASSERT_TRUE(wait_for(
      [&] {
        auto n = client.command(Command::keyless({"PUBSUB", "NUMSUB"}).arg(prefix() + "lock:{y}:released"));
        return n.as_array()[1].as_integer() == 1;
      },
      5s));
  const auto released_at = std::chrono::steady_clock::now();
  other.unlock();
  waiter.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_LT(std::chrono::steady_clock::now() - released_at, 5s);
  EXPECT_TRUE(both.held());
}

TEST_F(MultiLockTest, OppositeOrdersInTwoProcessesNeverDeadlock) {
  const std::string url = redis().url();
  const std::string counter = prefix() + "transfers";
  const LockServiceOptions options = service_options();
  auto worker = [&](std::vector<std::string> order) -> int {
    try {
      Client client(url);
      LockService locks(client, options);
      for (int i = 0; i < 30; ++i) {
        MultiLock both = locks.make_multi(order, {.ttl = 10s});
        if (!both.try_lock_for(20s)) return 2;
        auto value = client.command({"GET", counter}).as_optional_string();
        client.command({"SET", counter, std::to_string(value ? std::stoi(*value) + 1 : 1)});
        both.unlock();
      }
      return 0;
    } catch (...) {
      return 3;
    }
  };
  pid_t first = ::fork();
  if (first == 0) ::_exit(worker({"account:1", "account:2"}));
  pid_t second = ::fork();
  if (second == 0) ::_exit(worker({"account:2", "account:1"}));
  for (pid_t pid : {first, second}) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  Client client(url);
  EXPECT_EQ(client.command({"GET", counter}).as_string(), "60");
}

TEST_F(MultiLockTest, LosingAnyLockFiresTheStopToken) {
  Client client(redis().url());
  LockService locks(client, service_options());
  MultiLock both = locks.make_multi({"p", "q"}, {.ttl = 300ms});
  ASSERT_TRUE(both.try_lock());
  std::stop_token stop = both.stop_token();
  client.command({"DEL", prefix() + "lock:{q}"});
  ASSERT_TRUE(wait_for([&] { return stop.stop_requested(); }, 3s));
  EXPECT_TRUE(both.lost());
  EXPECT_FALSE(both.held());
}

TEST_F(MultiLockTest, BadNamesAreRejectedBeforeAnythingIsSent) {
  Client client(redis().url());
  LockService locks(client, service_options());
  EXPECT_THROW(locks.make_multi({}), InvalidArgument);
  EXPECT_THROW(locks.make_multi({"ok", ""}), InvalidArgument);
  EXPECT_THROW(locks.make_multi({"ok", "b{a}d"}), InvalidArgument);
  EXPECT_FALSE(exists(client, "ok"));
}

}  // namespace
}  // namespace redkit
