// Redlock over three private redis-servers: mutual exclusion, a minority of
// masters down or paused, release reaching a master whose reply was lost,
// validity, extension, fencing across holders, bad input.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/redlock.hpp"
#include "redkit/self_metrics.hpp"
#include "support/key_prefix.hpp"
#include "support/message_of.hpp"
#include "support/redis_server.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::message_of;
using Clock = std::chrono::steady_clock;
using test::RedisProcess;

constexpr std::size_t kMasters = 3;
// Generous for loopback, so a loaded test host does not fail attempts.
constexpr std::chrono::milliseconds kNodeTimeout{200};

class RedlockTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (auto& server : servers()) server = test::start_redis();
  }
  static void TearDownTestSuite() {
    for (auto& server : servers()) server.reset();
  }
  void SetUp() override {
    for (auto& server : servers()) {
      ASSERT_TRUE(server != nullptr);
      if (server->paused()) server->resume();
      if (!server->running()) server->start();
    }
    for (std::size_t i = 0; i < kMasters; ++i) admins_.emplace_back(server(i).unix_url());
  }

  static std::array<std::unique_ptr<RedisProcess>, kMasters>& servers() {
    static std::array<std::unique_ptr<RedisProcess>, kMasters> all;
    return all;
  }
  static RedisProcess& server(std::size_t i) { return *servers()[i]; }

  // A connect timeout well above node_timeout, so a test can tell that an
  // attempt does not wait for a master stuck in connecting.
  static std::vector<Client> masters() {
    std::vector<Client> clients;
    for (std::size_t i = 0; i < kMasters; ++i) {
      ClientOptions options{.connection = ConnectionOptions::from_url(server(i).url()), .pool = {}};
      options.connection.connect_timeout = 1s;
      options.connection.command_timeout = 1s;
      options.pool.reconnect_backoff_max = 50ms;
      clients.emplace_back(options);
    }
    return clients;
  }
  RedlockOptions options(std::chrono::milliseconds ttl = 10s) const {
    return RedlockOptions{.ttl = ttl,
                          .clock_drift_factor = 0.01,
                          .node_timeout = kNodeTimeout,
                          .retry = {.base_delay = 5ms, .max_delay = 50ms, .max_attempts = 0},
                          .owner_label = "",
                          .prefix = test::key_prefix()};
  }
  std::string holder_key(const std::string& name) const { return test::key_prefix() + "lock:{" + name + "}"; }
  bool has_key(std::size_t master, const std::string& name) {
    return admins_[master].command({"EXISTS", holder_key(name)}).as_integer() == 1;
  }
  // One acquisition and release, so every master's pool holds a connection
  // (with the scripts loaded) before a test pauses one.
  static void warm(Redlock& redlock) {
    auto lease = redlock.try_lock("warm-up");
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->release(), kMasters);
  }

  std::vector<Client> admins_;
};

TEST_F(RedlockTest, AcquiresOnEveryMasterAndReleasesEverywhere) {
  Redlock redlock(masters(), options());
  EXPECT_EQ(redlock.size(), 3u);
  EXPECT_EQ(redlock.quorum(), 2u);
  auto lease = redlock.try_lock("report");
  ASSERT_TRUE(lease.has_value());
  EXPECT_TRUE(lease->held());
  EXPECT_GE(lease->granted(), 2u);
  EXPECT_EQ(lease->name(), "report");
  // The late master's grant may still be on its way when the majority decided.
  ASSERT_TRUE(test::wait_for([&] { return has_key(0, "report") && has_key(1, "report") && has_key(2, "report"); },
                             2s));
  EXPECT_EQ(lease->release(), 3u);
  for (std::size_t i = 0; i < kMasters; ++i) EXPECT_FALSE(has_key(i, "report")) << "master " << i;
  EXPECT_FALSE(lease->held());
  EXPECT_EQ(lease->validity(), 0ms);
  EXPECT_THROW(lease->release(), LockError);
}

TEST_F(RedlockTest, OnEachMasterItIsAnOrdinaryLockInTheRegistry) {
  Redlock redlock(masters(), options());
  auto lease = redlock.try_lock("report");
  ASSERT_TRUE(lease.has_value());
  // The late master's grant may still be on its way when the majority decided.
  ASSERT_TRUE(test::wait_for([&] { return has_key(0, "report") && has_key(1, "report") && has_key(2, "report"); },
                             2s));
  for (std::size_t i = 0; i < kMasters; ++i) {
    LockService locks(admins_[i], {.prefix = test::key_prefix(),
                                   .owner_label = "",
                                   .metrics_flush_interval = 0ms,
                                   .deadlock_check_interval = 0ms});
    auto info = locks.info("report");
    ASSERT_TRUE(info.has_value()) << "master " << i;
    EXPECT_EQ(info->kind, "exclusive");
    EXPECT_EQ(info->label, "redlock");
    // A single-master Lock of the same name is excluded by it.
    Lock plain = locks.make("report", {.ttl = 5s, .auto_renew = false, .owner_label = "", .retry = {}, .on_lost = {}});
    EXPECT_FALSE(plain.try_lock());
  }
  // Every master shows the Redlock's fence once the holder raised it.
  ASSERT_TRUE(test::wait_for(
      [&] {
        for (auto& admin : admins_) {
          Reply fence = admin.command({"HGET", holder_key("report"), "fence"});
          if (!fence.is_string() || std::stoull(fence.as_string()) != lease->fence().value) return false;
        }
        return true;
      },
      2s));
}

TEST_F(RedlockTest, SecondContenderIsRefusedUntilRelease) {
  Redlock first(masters(), options());
  Redlock second(masters(), options());
  auto held = first.try_lock("job");
  ASSERT_TRUE(held.has_value());
  auto start = Clock::now();
  EXPECT_FALSE(second.try_lock_for("job", 200ms).has_value());
  EXPECT_GE(Clock::now() - start, 200ms);
  held->unlock();
  auto later = second.try_lock("job");
  ASSERT_TRUE(later.has_value());
  EXPECT_GT(later->fence(), held->fence());
}

// Self-monitoring counts a Redlock as it counts any lock: the wait, each
// round of attempts, the extension, the hold and the release, a refused wait
// as an error. Counts are process-wide and this test runs alone in its
// process, so the differences are exact.
TEST_F(RedlockTest, SelfMonitoringCountsEachStep) {
  Redlock redlock(masters(), options());
  Redlock rival(masters(), options());
  const auto count = [](SelfOp op) { return snapshot_self_metrics().at(op); };
  const SelfOperationMetrics waits = count(SelfOp::lock_wait);
  const SelfOperationMetrics holds = count(SelfOp::lock_hold);
  const SelfOperationMetrics renewals = count(SelfOp::lock_renew);
  const SelfOperationMetrics releases = count(SelfOp::lock_release);
  auto lease = redlock.try_lock("counted");
  ASSERT_TRUE(lease.has_value());
  EXPECT_FALSE(rival.try_lock("counted").has_value());
  EXPECT_TRUE(lease->extend());
  EXPECT_EQ(lease->release(), 3u);
  EXPECT_EQ(count(SelfOp::lock_wait).calls - waits.calls, 2u);
  EXPECT_EQ(count(SelfOp::lock_wait).errors - waits.errors, 1u);  // the rival's
  EXPECT_EQ(count(SelfOp::lock_renew).calls - renewals.calls, 1u);
  EXPECT_EQ(count(SelfOp::lock_renew).errors, renewals.errors);
  EXPECT_EQ(count(SelfOp::lock_hold).calls - holds.calls, 1u);
  EXPECT_EQ(count(SelfOp::lock_release).calls - releases.calls, 1u);
}

TEST_F(RedlockTest, LockWaitsUntilTheHolderReleases) {
  Redlock first(masters(), options());
  Redlock second(masters(), options());
  auto held = first.try_lock("wait");
  ASSERT_TRUE(held.has_value());
  std::atomic<bool> acquired{false};
  std::thread waiter([&] {
    RedlockLease lease = second.lock("wait");
    acquired = lease.held();
  });
  // Still refused while held: the waiter keeps retrying.
  EXPECT_FALSE(test::wait_for([&] { return acquired.load(); }, 150ms));
  held->unlock();
  waiter.join();
  EXPECT_TRUE(acquired.load());
}

TEST_F(RedlockTest, MutualExclusionAcrossThreadsLosesNoUpdate) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 25;
  const std::string counter = test::key_prefix() + "counter";
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      // A Redlock (and so connections) of its own, like a separate process.
      Redlock redlock(masters(), options(5s));
      Client store(server(0).url());
      for (int round = 0; round < kRounds; ++round) {
        auto lease = redlock.try_lock_for("counter", 20s);
        if (!lease || lease->validity() <= 0ms) {
          ++failures;
          continue;
        }
        // Read, then write: two holders at once would lose an increment.
        Reply value = store.command({"GET", counter});
        long long n = value.is_nil() ? 0 : std::stoll(value.as_string());
        std::this_thread::yield();
        store.command({"SET", counter, std::to_string(n + 1)});
        lease->unlock();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(admins_[0].command({"GET", counter}).as_string(), std::to_string(kThreads * kRounds));
}

TEST_F(RedlockTest, AcquiresWithOneMasterDown) {
  server(2).stop();
  Redlock redlock(masters(), options());
  auto start = Clock::now();
  auto lease = redlock.try_lock("one-down");
  ASSERT_TRUE(lease.has_value());
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(lease->granted(), 2u);
  EXPECT_TRUE(has_key(0, "one-down"));
  EXPECT_TRUE(has_key(1, "one-down"));
  EXPECT_EQ(lease->release(), 2u);
  EXPECT_FALSE(has_key(0, "one-down"));
  EXPECT_FALSE(has_key(1, "one-down"));
}

TEST_F(RedlockTest, FailsWithTwoMastersDownWithinTheWait) {
  server(1).stop();
  server(2).stop();
  Redlock redlock(masters(), options());
  auto start = Clock::now();
  EXPECT_FALSE(redlock.try_lock_for("two-down", 300ms).has_value());
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 300ms);
  // The wait plus at most one attempt's node_timeout, with slack for the host.
  EXPECT_LT(waited, 300ms + kNodeTimeout + 400ms);
  // The grant of the surviving master is released again.
  EXPECT_TRUE(test::wait_for([&] { return !has_key(0, "two-down"); }, 2s));
}

TEST_F(RedlockTest, PausedMasterDoesNotHoldUpAcquisition) {
  Redlock redlock(masters(), options());
  warm(redlock);
  server(2).pause();
  auto start = Clock::now();
  auto lease = redlock.try_lock("paused");
  ASSERT_TRUE(lease.has_value());
  // Decided by the two answering masters, without waiting for the third.
  EXPECT_LT(Clock::now() - start, kNodeTimeout);
  EXPECT_EQ(lease->granted(), 2u);
  lease->unlock();
  server(2).resume();
}

TEST_F(RedlockTest, TwoPausedMastersFailWithinNodeTimeoutEvenWhenConnecting) {
  // Cold clients: the paused masters' node threads hang in the connect
  // handshake (1 s here), which the attempt does not wait for.
  Redlock redlock(masters(), options());
  server(1).pause();
  server(2).pause();
  auto start = Clock::now();
  EXPECT_FALSE(redlock.try_lock("paused").has_value());
  EXPECT_LT(Clock::now() - start, kNodeTimeout + 300ms);
  server(1).resume();
  server(2).resume();
  EXPECT_TRUE(test::wait_for([&] { return !has_key(0, "paused"); }, 2s));
}

TEST_F(RedlockTest, ReleaseReachesMasterWhoseAcquireReplyWasLost) {
  std::vector<Client> clients = masters();
  Client late = clients[2];  // shares the node's pool: its stats show the timeout
  Redlock redlock(clients, options());
  warm(redlock);
  const std::size_t discarded_before = late.pool_stats().discarded;
  server(2).pause();
  auto lease = redlock.try_lock("lost-reply");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->granted(), 2u);
  // The request reached the paused master's socket; its reply is given up
  // on and the connection dropped.
  ASSERT_TRUE(test::wait_for([&] { return late.pool_stats().discarded > discarded_before; }, 2s));
  server(2).resume();
  // The master runs the request it had buffered: it holds our token now,
  // though we never heard so.
  ASSERT_TRUE(test::wait_for([&] { return has_key(2, "lost-reply"); }, 2s));
  EXPECT_EQ(lease->release(), 3u);
  for (std::size_t i = 0; i < kMasters; ++i) EXPECT_FALSE(has_key(i, "lost-reply")) << "master " << i;
}

TEST_F(RedlockTest, ValidityCountsFromBeforeTheRequestsAndShrinks) {
  const auto ttl = 2000ms;
  Redlock redlock(masters(), options(ttl));
  auto before = Clock::now();
  auto lease = redlock.try_lock("validity");
  ASSERT_TRUE(lease.has_value());
  // ttl - drift (2000 * 0.01 + 2 = 22 ms) - the attempt's own time.
  const auto first = lease->validity();
  EXPECT_LE(first, ttl - 22ms);
  EXPECT_GE(first, ttl - 22ms - std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - before) - 1ms);
  ASSERT_TRUE(test::wait_for([&] { return lease->validity() <= first - 50ms; }, 1s));
  EXPECT_TRUE(lease->held());
}

TEST_F(RedlockTest, LeaseEndsWithItsValidity) {
  Redlock redlock(masters(), options(300ms));
  auto lease = redlock.try_lock("short");
  ASSERT_TRUE(lease.has_value());
  EXPECT_LE(lease->validity(), 300ms - 5ms);
  ASSERT_TRUE(test::wait_for([&] { return !lease->held(); }, 1s));
  EXPECT_EQ(lease->validity(), 0ms);
  // The masters' keys expire too, so another holder gets in.
  Redlock other(masters(), options());
  EXPECT_TRUE(other.try_lock_for("short", 1s).has_value());
}

TEST_F(RedlockTest, ExtendNeedsAMajority) {
  Redlock redlock(masters(), options(500ms));
  auto lease = redlock.try_lock("extend");
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(lease->extend(5s));
  EXPECT_GT(lease->validity(), 4500ms);
  // Every master gets the new TTL, the one that answered last included.
  EXPECT_TRUE(test::wait_for(
      [&] {
        for (auto& admin : admins_) {
          if (admin.command({"PTTL", holder_key("extend")}).as_integer() <= 4500) return false;
        }
        return true;
      },
      2s));
  server(1).stop();
  EXPECT_TRUE(lease->extend(4s));  // two of three still answer
  EXPECT_LE(lease->validity(), 4s);
  server(2).stop();
  const auto before = lease->validity();
  EXPECT_FALSE(lease->extend(8s));
  // A failed extension leaves the validity it had (still shrinking).
  EXPECT_LE(lease->validity(), before);
  EXPECT_THROW(lease->extend(kNodeTimeout), InvalidArgument);
  EXPECT_EQ(lease->release(), 1u);
  EXPECT_THROW(lease->extend(), LockError);
}

TEST_F(RedlockTest, FenceGrowsAcrossHoldersWhoseMajoritiesOverlap) {
  // Counters out of step, as after masters joined at different times.
  admins_[0].command({"HSET", holder_key("fenced") + ":state", "fence", "100"});
  Redlock redlock(masters(), options());
  server(2).stop();  // the first majority must be {0, 1}
  {
    auto lease = redlock.try_lock("fenced");
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ(lease->fence().value, 101u);
  }
  server(2).start();
  server(0).stop();  // the next majority is {1, 2}: it overlaps the first in master 1
  auto next = redlock.try_lock("fenced");
  ASSERT_TRUE(next.has_value());
  // Master 1 was raised to 101 by the first holder, so it grants 102.
  EXPECT_EQ(next->fence().value, 102u);
}

TEST_F(RedlockTest, FenceIsTheLargestOfTheGrantingMasters) {
  for (std::size_t i = 0; i < kMasters; ++i) {
    admins_[i].command({"HSET", holder_key("max") + ":state", "fence", std::to_string(10 * (i + 1))});
  }
  server(0).stop();  // both remaining masters must grant: the fence is 31
  Redlock redlock(masters(), options());
  auto lease = redlock.try_lock("max");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->fence().value, 31u);
  // The other granting master's counter was raised to it.
  ASSERT_TRUE(test::wait_for(
      [&] { return admins_[1].command({"HGET", holder_key("max") + ":state", "fence"}).as_string() == "31"; }, 2s));
}

TEST_F(RedlockTest, RefusesBadInputNamingIt) {
  EXPECT_NE(message_of([&] { Redlock r({}, options()); }).find("empty"), std::string::npos);
  std::vector<Client> two = masters();
  two.pop_back();
  EXPECT_NE(message_of([&] { Redlock r(two, options()); }).find("2 masters"), std::string::npos);
  std::vector<Client> same = masters();
  same[2] = same[0];
  EXPECT_NE(message_of([&] { Redlock r(same, options()); }).find(server(0).url().substr(8)), std::string::npos);
  RedlockOptions bad = options();
  bad.ttl = 0ms;
  EXPECT_NE(message_of([&] { Redlock r(masters(), bad); }).find("ttl 0 ms"), std::string::npos);
  bad = options();
  bad.node_timeout = bad.ttl;
  EXPECT_NE(message_of([&] { Redlock r(masters(), bad); }).find("node_timeout 10000 ms"), std::string::npos);
  bad = options();
  bad.clock_drift_factor = 1.5;
  EXPECT_NE(message_of([&] { Redlock r(masters(), bad); }).find("clock_drift_factor 1.5"), std::string::npos);
  bad = options();
  bad.retry.max_attempts = -1;
  EXPECT_NE(message_of([&] { Redlock r(masters(), bad); }).find("max_attempts -1"), std::string::npos);
  bad = options();
  bad.prefix = "";
  EXPECT_NE(message_of([&] { Redlock r(masters(), bad); }).find("prefix"), std::string::npos);

  Redlock redlock(masters(), options());
  EXPECT_EQ(message_of([&] { (void)redlock.try_lock(""); }), "lock name is empty");
  EXPECT_NE(message_of([&] { (void)redlock.try_lock("a{b}"); }).find("a{b}"), std::string::npos);
  auto lease = redlock.try_lock("ok");
  ASSERT_TRUE(lease.has_value());
  EXPECT_NE(message_of([&] { (void)lease->extend(0ms); }).find("ttl 0 ms"), std::string::npos);
}

TEST_F(RedlockTest, OneMasterIsAllowed) {
  Redlock redlock({masters()[0]}, options());
  EXPECT_EQ(redlock.quorum(), 1u);
  auto lease = redlock.try_lock("single");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->granted(), 1u);
  EXPECT_FALSE(Redlock({masters()[0]}, options()).try_lock("single").has_value());
}

}  // namespace
}  // namespace redkit
