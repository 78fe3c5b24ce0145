// Deadlock detection: a wait cycle between two processes is found, the
// youngest wait fails with DeadlockError, and the other proceeds.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "client/embedded_scripts.hpp"
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

class DeadlockTest : public RedisTest {
 protected:
  LockServiceOptions options() {
    return {.prefix = prefix(), .owner_label = {}, .metrics_flush_interval = 0ms, .deadlock_check_interval = 100ms};
  }
};

enum Exit { kAcquired = 0, kDeadlock = 10, kTimeout = 11, kError = 12 };

TEST_F(DeadlockTest, TwoProcessCycleFailsTheYoungestWait) {
  const std::string url = redis().url();
  const std::string barrier = prefix() + "barrier";
  const LockServiceOptions service_options = options();
  auto worker = [&](const std::string& first, const std::string& second, std::chrono::milliseconds delay) -> int {
    try {
      Client client(url);
      LockService locks(client, service_options);
      Lock held = locks.make(first, {.ttl = 10s});
      if (!held.try_lock_for(5s)) return kError;
      // Both hold their first lock before either asks for its second.
      client.command({"INCR", barrier});
      if (!wait_for([&] { return client.command({"GET", barrier}).as_string() == "2"; }, 10s)) return kError;
      std::this_thread::sleep_for(delay);  // orders the two waits: the later one is the youngest
      Lock wanted = locks.make(second, {.ttl = 10s});
      try {
        if (!wanted.try_lock_for(20s)) return kTimeout;
      } catch (const DeadlockError& e) {
        return e.cycle().size() == 2 ? kDeadlock : kError;
      }
      return kAcquired;
    } catch (...) {
      return kError;
    }
  };
  pid_t older = ::fork();
  if (older == 0) ::_exit(worker("a", "b", 0ms));
  pid_t younger = ::fork();
  if (younger == 0) ::_exit(worker("b", "a", 300ms));
  auto exit_of = [](pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exit_of(younger), kDeadlock);
  EXPECT_EQ(exit_of(older), kAcquired);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
}

TEST_F(DeadlockTest, OperatorSeesTheCycle) {
  Client client(redis().url());
  LockService locks(client, options());
  Lock x = locks.make("x", {.ttl = 10s});
  ASSERT_TRUE(x.try_lock());
  Lock y = locks.make("y", {.ttl = 10s});
  std::thread([&] { ASSERT_TRUE(y.try_lock()); }).join();  // held by another thread (owner)
  const std::string x_owner = client.command({"HGET", prefix() + "lock:{x}", "owner"}).as_string();
  const std::string y_owner = client.command({"HGET", prefix() + "lock:{y}", "owner"}).as_string();
  ASSERT_NE(x_owner, y_owner);
  EXPECT_TRUE(locks.find_deadlocks().empty());
  // The waits as two stuck waiters record them: x's owner waits for y, and
  // y's owner for x.
  const Script& record = detail::embedded_script(detail::ScriptName::lock_wait_register);
  client.command(record.call({prefix() + "{lock-waits}"}, {x_owner, "y", "10000"}));
  EXPECT_TRUE(locks.find_deadlocks().empty());  // half a cycle is no deadlock
  client.command(record.call({prefix() + "{lock-waits}"}, {y_owner, "x", "10000"}));
  auto deadlocks = locks.find_deadlocks();
  ASSERT_EQ(deadlocks.size(), 1u);
  ASSERT_EQ(deadlocks[0].cycle.size(), 2u);
  std::set<std::string> locks_waited{deadlocks[0].cycle[0].lock, deadlocks[0].cycle[1].lock};
  EXPECT_EQ(locks_waited, (std::set<std::string>{"x", "y"}));
  // A wait entry past its expiry no longer counts (its waiter died).
  client.command(record.call({prefix() + "{lock-waits}"}, {y_owner, "x", "1"}));
  EXPECT_TRUE(wait_for([&] { return locks.find_deadlocks().empty(); }, 2s));
}

TEST_F(DeadlockTest, WaitingForALockThisThreadHoldsIsADeadlock) {
  Client client(redis().url());
  LockService locks(client, options());
  Lock first = locks.make("self", {.ttl = 10s});
  ASSERT_TRUE(first.try_lock());
  Lock second = locks.make("self");
  // Not re-entrant, and renewed by its holder: this would wait forever.
  EXPECT_THROW(second.try_lock_for(5s), DeadlockError);
}

// A writer waits for every reader to leave: a reader that waits in turn for
// a lock the writer's thread holds closes a cycle through the readers.
TEST_F(DeadlockTest, CycleThroughAReaderIsFound) {
  Client client(redis().url());
  LockService locks(client, options());
  std::atomic<int> holding{0};
  std::atomic<bool> writer_gave_up{false};
  std::atomic<bool> reader_got_x{false};
  std::thread reader_thread([&] {
    Lock reader = locks.make_reader("doc", {.ttl = 10s});
    ASSERT_TRUE(reader.try_lock());
    ++holding;
    ASSERT_TRUE(wait_for([&] { return holding.load() == 2; }, 5s));
    Lock x = locks.make("x", {.ttl = 10s});
    reader_got_x = x.try_lock_for(10s);  // once the writer's thread gives up and lets x go
  });
  std::thread writer_thread([&] {
    Lock x = locks.make("x", {.ttl = 10s});
    ASSERT_TRUE(x.try_lock());
    ++holding;
    ASSERT_TRUE(wait_for([&] { return holding.load() == 2; }, 5s));
    std::this_thread::sleep_for(300ms);  // orders the waits: this one is the youngest
    Lock writer = locks.make_writer("doc", {.ttl = 10s});
    try {
      writer.try_lock_for(10s);
    } catch (const DeadlockError& e) {
      writer_gave_up = e.cycle().size() == 2;
    }
  });
  writer_thread.join();
  reader_thread.join();
  EXPECT_TRUE(writer_gave_up);
  EXPECT_TRUE(reader_got_x);
}

TEST_F(DeadlockTest, NoFalseAlarmOnPlainContention) {
  Client client(redis().url());
  LockService locks(client, options());
  Lock holder = locks.make("plain", {.ttl = 10s});
  std::thread([&] { ASSERT_TRUE(holder.try_lock()); }).join();
  Lock waiter = locks.make("plain");
  // Waits through several checks without a cycle: a timeout, not a deadlock.
  EXPECT_FALSE(waiter.try_lock_for(500ms));
  EXPECT_TRUE(locks.find_deadlocks().empty());
}

}  // namespace
}  // namespace redkit
