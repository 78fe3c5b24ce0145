// Waiters and holders killed with SIGKILL: a dead process must not keep a
// fair lock's queue slot or a semaphore's permit for longer than its timeout.
#include <gtest/gtest.h>

#include "fault/lock_fault_fixture.hpp"
#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"
#include "support/wait_for.hpp"

namespace redkit::test::fault {
namespace {

using namespace std::chrono_literals;

TEST_F(LockFaultTest, KilledFairLockWaiterLosesItsPlaceAndLeaksNoQueueSlot) {
  Client client(lock_server().url());
  const std::string queue = "redkit:lock:{" + lock_name() + "}:queue";
  const std::vector<std::string> fair{"--kind", "fair", "--queue-timeout-ms", "600", "--wait-ms", "20000"};
  start_worker(1, {"--hold-ms", "1500", "--write-every-ms", "50"}, fair);
  ASSERT_TRUE(wait_for_event(1, EventKind::acquired));
  start_worker(2, {"--hold-ms", "10"}, fair);
  ASSERT_TRUE(wait_for([&] { return client.command({"ZCARD", queue}).as_integer() == 1; }, 10s));
  start_worker(3, {"--hold-ms", "10"}, fair);
  ASSERT_TRUE(wait_for([&] { return client.command({"ZCARD", queue}).as_integer() == 2; }, 10s));
  worker(2).kill_hard();  // first in the queue, dead

  expect_clean_exit(1);
  expect_clean_exit(3);
  const CheckReport report = check();
  ASSERT_EQ(report.sections.size(), 2u) << report.describe();
  const CriticalSection& holder = report.sections[0];
  const CriticalSection& next = report.sections[1];
  EXPECT_EQ(next.worker, 3);
  // The dead head of the queue blocks the lock at most its queue timeout.
  EXPECT_LT(next.entered_ns - holder.left_ns, 1'500'000'000) << report.describe();
  EXPECT_TRUE(report.overlaps.empty()) << report.describe();
  EXPECT_EQ(client.command({"ZCARD", queue}).as_integer(), 0);
  EXPECT_EQ(client.command({"ZCARD", queue + ":deadlines"}).as_integer(), 0);
}

TEST_F(LockFaultTest, KilledSemaphoreHolderAndWaiterLeakNoPermit) {
  Client client(lock_server().url());
  const std::string permits = "redkit:lock:{" + lock_name() + "}:permits";
  const std::vector<std::string> semaphore{"--kind", "semaphore", "--permits", "2", "--ttl-ms", "600"};
  start_worker(1, {"--hold-ms", "20000", "--write-every-ms", "100"}, semaphore);
  start_worker(2, {"--hold-ms", "1500", "--write-every-ms", "100"}, semaphore);
  ASSERT_TRUE(wait_for_event(1, EventKind::acquired));
  ASSERT_TRUE(wait_for_event(2, EventKind::acquired));
  start_worker(3, {"--hold-ms", "10", "--wait-ms", "20000"}, semaphore);
  // A waiter subscribes to the release channel after its first refused attempt.
  const std::string channel = "redkit:lock:{" + lock_name() + "}:released";
  ASSERT_TRUE(wait_for(
      [&] { return client.command({"PUBSUB", "NUMSUB", channel}).as_array().at(1).as_integer() == 1; }, 10s))
      << "the third process never waited";
  worker(3).kill_hard();
  worker(1).kill_hard();  // holding a permit, dead

  // Both permits come back: worker 1's when its lease runs out, worker 2's
  // when it releases. Nothing is held for the dead waiter.
  LockService locks(Client(lock_server().url()), {.prefix = "redkit:", .owner_label = "test",
                                                  .metrics_flush_interval = {}, .deadlock_check_interval = {}});
  Lock first = locks.make_semaphore(lock_name(), 2, {.ttl = 5s});
  Lock second = locks.make_semaphore(lock_name(), 2, {.ttl = 5s});
  Lock third = locks.make_semaphore(lock_name(), 2, {.ttl = 5s});
  EXPECT_TRUE(first.try_lock_for(3s));
  expect_clean_exit(2);
  EXPECT_TRUE(second.try_lock_for(3s));
  EXPECT_FALSE(third.try_lock());
  EXPECT_EQ(client.command({"ZCARD", permits}).as_integer(), 2);
}

}  // namespace
}  // namespace redkit::test::fault
