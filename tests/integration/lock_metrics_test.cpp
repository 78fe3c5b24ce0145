// Lock metrics: counted where they happen, summed over services in Redis,
// bounded, and exposed in the Prometheus text format.
#include <gtest/gtest.h>

#include <thread>

#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"
#include "support/redis_test.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;

class LockMetricsTest : public RedisTest {
 protected:
  LockServiceOptions options() { return {.prefix = prefix(), .owner_label = {}, .metrics_flush_interval = 0ms}; }
};

std::uint64_t total(const LatencyHistogram& h) {
  std::uint64_t sum = 0;
  for (auto c : h.counts) sum += c;
  return sum;
}

TEST_F(LockMetricsTest, CountsAttemptsAcquisitionsTimeoutsAndHoldTimes) {
  Client client(redis().url());
  LockService locks(client, options());
  Lock a = locks.make("m");
  Lock b = locks.make("m");
  ASSERT_TRUE(a.try_lock());
  EXPECT_FALSE(b.try_lock());
  EXPECT_FALSE(b.try_lock_for(50ms));
  a.unlock();
  LockMetrics m = locks.metrics();
  EXPECT_EQ(m.acquisitions, 1u);
  EXPECT_GE(m.attempts, 3u);
  EXPECT_EQ(m.timeouts, 2u);
  EXPECT_EQ(m.releases, 1u);
  EXPECT_EQ(m.hold.count, 1u);
  EXPECT_EQ(total(m.hold), 1u);
  EXPECT_EQ(m.wait.count, 1u);
  ASSERT_FALSE(m.most_contended.empty());
  EXPECT_EQ(m.most_contended.front().first, "m");
  EXPECT_GE(m.most_contended.front().second, 2u);
}

TEST_F(LockMetricsTest, MultiLocksCountEachLockAndTheirWaitOnce) {
  Client client(redis().url());
  LockService locks(client, options());
  MultiLock both = locks.make_multi({"x", "y"});
  Lock blocker = locks.make("y");
  ASSERT_TRUE(blocker.try_lock());
  EXPECT_FALSE(both.try_lock_for(30ms));  // y is taken: a timeout, y contended
  blocker.unlock();
  ASSERT_TRUE(both.try_lock_for(1s));
  both.unlock();
  LockMetrics m = locks.metrics();
  EXPECT_EQ(m.acquisitions, 3u);  // blocker, then x and y
  EXPECT_GE(m.attempts, 5u);      // blocker's one, two per attempt of the pair
  EXPECT_EQ(m.timeouts, 1u);
  EXPECT_EQ(m.releases, 3u);
  EXPECT_EQ(m.hold.count, 3u);
  EXPECT_EQ(m.wait.count, 2u);  // blocker's and the pair's
  ASSERT_FALSE(m.most_contended.empty());
  EXPECT_EQ(m.most_contended.front().first, "y");
}

TEST_F(LockMetricsTest, HandoffIsMeasuredForAWaiterOnly) {
  Client client(redis().url());
  LockService locks(client, options());
  Lock holder = locks.make("h");
  Lock waiter = locks.make("h");
  ASSERT_TRUE(holder.try_lock());
  std::thread thread([&] { EXPECT_TRUE(waiter.try_lock_for(10s)); });
  ASSERT_TRUE(test::wait_for(
      [&] {
        auto n = client.command(Command::keyless({"PUBSUB", "NUMSUB"}).arg(prefix() + "lock:{h}:released"));
        return n.as_array()[1].as_integer() == 1;
      },
      5s));
  holder.unlock();
  thread.join();
  waiter.unlock();
  Lock later = locks.make("h");
  ASSERT_TRUE(later.try_lock());  // free at once: no handoff
  LockMetrics m = locks.metrics();
  EXPECT_EQ(m.handoff.count, 1u);
  EXPECT_LT(m.handoff.sum_ms, 5000.0);
}

TEST_F(LockMetricsTest, ServicesAddUpInRedis) {
  Client client(redis().url());
  {
    LockService first(client, options());
    Lock lock = first.make("sum");
    ASSERT_TRUE(lock.try_lock());
    lock.unlock();
  }  // flushed when destroyed
  LockService second(client, options());
  Lock lock = second.make("sum");
  ASSERT_TRUE(lock.try_lock());
  lock.unlock();
  EXPECT_EQ(second.metrics().acquisitions, 2u);
}

TEST_F(LockMetricsTest, LostLocksAndRenewalsAreCounted) {
  Client client(redis().url());
  LockService locks(client, options());
  Lock lock = locks.make("lost", {.ttl = 300ms});
  ASSERT_TRUE(lock.try_lock());
  ASSERT_TRUE(test::wait_for([&] { return locks.metrics().renewals >= 1; }, 3s));
  client.command({"DEL", prefix() + "lock:{lost}"});
  ASSERT_TRUE(test::wait_for([&] { return lock.lost(); }, 3s));
  EXPECT_EQ(locks.metrics().lost, 1u);
}

TEST_F(LockMetricsTest, PrometheusExposition) {
  Client client(redis().url());
  LockService locks(client, options());
  Lock lock = locks.make("prom\"quoted");
  ASSERT_TRUE(lock.try_lock());
  lock.unlock();
  Lock other = locks.make("prom\"quoted");
  ASSERT_TRUE(lock.try_lock());
  EXPECT_FALSE(other.try_lock());
  std::string text = to_prometheus(locks.metrics());
  EXPECT_NE(text.find("# TYPE redkit_lock_acquisitions_total counter\nredkit_lock_acquisitions_total 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("redkit_lock_hold_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("redkit_lock_hold_seconds_count 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("redkit_lock_contention_total{lock=\"prom\\\"quoted\"} 1\n"), std::string::npos) << text;
  // Buckets are cumulative: never decreasing.
  long long previous = -1;
  std::size_t at = 0;
  while ((at = text.find("redkit_lock_wait_seconds_bucket", at)) != std::string::npos) {
    auto space = text.find("} ", at);
    long long value = std::stoll(text.substr(space + 2));
    EXPECT_GE(value, previous);
    previous = value;
    at = space;
  }
  EXPECT_EQ(previous, 2);
}

TEST_F(LockMetricsTest, ContentionKeepsAtMostAThousandNames) {
  Client client(redis().url());
  LockService locks(client, options());
  Lock holder = locks.make("x0");
  for (int i = 0; i < 1100; ++i) {
    Command z("ZINCRBY");
    z.key(prefix() + "{lock-metrics}:contention").arg(1).arg("name" + std::to_string(i));
    client.command(z);
  }
  ASSERT_TRUE(holder.try_lock());
  Lock contender = locks.make("x0");
  EXPECT_FALSE(contender.try_lock());
  locks.flush_metrics();
  EXPECT_EQ(client.command({"ZCARD", prefix() + "{lock-metrics}:contention"}).as_integer(), 1000);
}

}  // namespace
}  // namespace redkit
