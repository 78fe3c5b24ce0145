// Fair (FIFO) locks against a real server: order of arrival, a dead waiter
// evicted after the queue timeout, fairness under contention, abandoned
// waits, the holder hash shared with exclusive locks, renewal, the registry
// and bad input.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include "client/embedded_scripts.hpp"
#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"
#include "support/lock_service_test.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::wait_for;

class FairLockTest : public test::LockServiceTest {
 protected:
  std::string queue_key(const std::string& name) { return holder_key(name) + ":queue"; }
  std::string deadlines_key(const std::string& name) { return holder_key(name) + ":queue:deadlines"; }
  long long queue_length(const std::string& name) {
    return client().command({"ZCARD", queue_key(name)}).as_integer();
  }
  bool queue_keys_gone(const std::string& name) {
    return client().command({"EXISTS", queue_key(name), deadlines_key(name)}).as_integer() == 0;
  }
  // A waiter that queued once and died: one attempt, never repeated, never
  // withdrawn.
  Reply ghost_attempt(const std::string& name, const std::string& token, std::chrono::milliseconds queue_timeout) {
    const Script& acquire = detail::embedded_script(detail::ScriptName::fair_lock_acquire);
    return client().command(
        acquire.call({holder_key(name), holder_key(name) + ":state", queue_key(name), deadlines_key(name),
                      holder_key(name) + ":readers"},
                     {token, "10000", "ghost-host", "1", "", "fair", "ghost-host/1/1",
                      std::to_string(queue_timeout.count())}));
  }
};

TEST_F(FairLockTest, SharesTheHolderHashWithExclusiveLocks) {
  Lock fair = locks().make_fair("printer", {.owner_label = "fair one"});
  Lock exclusive = locks().make("printer");
  ASSERT_TRUE(fair.try_lock());
  EXPECT_FALSE(exclusive.try_lock());
  EXPECT_EQ(client().command({"HGET", holder_key("printer"), "kind"}).as_string(), "fair");
  // Deadlock detection reads who holds a lock from here.
  EXPECT_FALSE(client().command({"HGET", holder_key("printer"), "owner"}).as_string().empty());
  auto info = locks().info("printer");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, "fair");
  EXPECT_EQ(info->label, "fair one");
  EXPECT_EQ(info->pid, static_cast<long>(::getpid()));
  EXPECT_EQ(info->fence, fair.fence());
  EXPECT_EQ(locks().list().size(), 1u);
  EXPECT_EQ(fair.release(), LockOutcome::done);
  ASSERT_TRUE(exclusive.try_lock());
  EXPECT_FALSE(fair.try_lock());
  EXPECT_EQ(queue_length("printer"), 0) << "a failed try_lock leaves the queue";
  exclusive.unlock();
  ASSERT_TRUE(fair.try_lock());
  EXPECT_GT(fair.fence(), exclusive.fence());
  // An uncontended acquisition never writes the queue.
  EXPECT_TRUE(queue_keys_gone("printer"));
}

TEST_F(FairLockTest, WaitsForReadersLikeAWriter) {
  Lock reader = locks().make_reader("doc");
  Lock fair = locks().make_fair("doc");
  ASSERT_TRUE(reader.try_lock());
  EXPECT_FALSE(fair.try_lock());
  EXPECT_EQ(queue_length("doc"), 0);
  std::atomic<bool> acquired{false};
  std::thread thread([&] { acquired = fair.try_lock_for(5s); });
  ASSERT_TRUE(wait_for([&] { return queue_length("doc") == 1; }, 5s));
  reader.unlock();
  thread.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_FALSE(reader.try_lock());
}

TEST_F(FairLockTest, WaitersAcquireInOrderOfArrival) {
  constexpr int kWaiters = 5;
  Lock holder = locks().make_fair("line");
  ASSERT_TRUE(holder.try_lock());
  std::mutex order_mutex;
  std::vector<int> order;  // guarded by order_mutex
  std::vector<std::thread> threads;
  for (int i = 0; i < kWaiters; ++i) {
    threads.emplace_back([&, i] {
      Lock waiter = locks().make_fair("line");
      if (!waiter.try_lock_for(20s)) return;
      {
        std::lock_guard lock(order_mutex);
        order.push_back(i);
      }
      std::this_thread::sleep_for(5ms);
      waiter.unlock();
    });
    // The next waiter starts only once this one's entry is in the queue.
    ASSERT_TRUE(wait_for([&] { return queue_length("line") == i + 1; }, 5s)) << "waiter " << i;
  }
  holder.unlock();
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(queue_length("line"), 0);
  EXPECT_TRUE(queue_keys_gone("line"));
}

TEST_F(FairLockTest, DeadWaiterBlocksTheQueueNoLongerThanTheTimeout) {
  constexpr auto kTimeout = 500ms;
  Lock holder = locks().make_fair("line", {}, {.queue_timeout = kTimeout});
  ASSERT_TRUE(holder.try_lock());
  const auto ghost_queued = Clock::now();
  auto refused = ghost_attempt("line", "ghost", kTimeout);
  ASSERT_EQ(refused.as_array()[0].as_integer(), 0);
  // Asked to come back within a third of the timeout.
  EXPECT_LE(refused.as_array()[1].as_integer(), 166);
  // Relies on the ghost's entry lapsing, not on its own retries.
  Lock waiter =
      locks().make_fair("line", {.retry = {.base_delay = 20s, .max_delay = 20s}}, {.queue_timeout = kTimeout});
  std::atomic<bool> acquired{false};
  Clock::time_point acquired_at;
  std::thread thread([&] {
    acquired = waiter.try_lock_for(5s);
    acquired_at = Clock::now();
  });
  ASSERT_TRUE(wait_for([&] { return queue_length("line") == 2; }, 5s));
  holder.unlock();
  thread.join();
  ASSERT_TRUE(acquired.load());
  // Behind the ghost until its entry lapsed, and not much longer.
  EXPECT_GE(acquired_at - ghost_queued, kTimeout - 50ms);
  EXPECT_LT(acquired_at - ghost_queued, kTimeout + 1s);
  waiter.unlock();
  // No slot leaks: the ghost's entry is gone and so are the queue keys.
  EXPECT_EQ(queue_length("line"), 0);
  EXPECT_TRUE(queue_keys_gone("line"));
}

TEST_F(FairLockTest, QueueOfDeadWaitersExpiresOnItsOwn) {
  Lock holder = locks().make_fair("line");
  ASSERT_TRUE(holder.try_lock());
  ghost_attempt("line", "ghost-1", 200ms);
  ghost_attempt("line", "ghost-2", 200ms);
  EXPECT_EQ(queue_length("line"), 2);
  // Nobody attempts again, so nobody prunes: the keys expire by themselves.
  EXPECT_TRUE(wait_for([&] { return queue_keys_gone("line"); }, 2s));
}

TEST_F(FairLockTest, ThreadsTakeTurnsUnderContention) {
  constexpr int kThreads = 4;
  constexpr int kTotal = kThreads * 20;
  std::atomic<int> total{0};
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> timeouts{0};
  std::vector<int> counts(kThreads, 0);  // each slot written by its own thread only
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Lock lock = locks().make_fair("contended", {.ttl = 5s});
      for (;;) {
        if (!lock.try_lock_for(10s)) {
          timeouts.fetch_add(1);
          return;
        }
        if (total.load() >= kTotal) {
          lock.unlock();
          return;
        }
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        ++counts[t];
        total.fetch_add(1);
        std::this_thread::sleep_for(1ms);
        inside.fetch_sub(1);
        lock.unlock();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(timeouts.load(), 0);
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), 0), kTotal);
  const auto [fewest, most] = std::minmax_element(counts.begin(), counts.end());
  const double mean = static_cast<double>(kTotal) / kThreads;
  std::string shares;
  for (int count : counts) shares += std::to_string(count) + " ";
  RecordProperty("per_thread_acquisitions", shares);
  // Within 20% of each other: the spread is at most a fifth of the mean.
  EXPECT_LE(*most - *fewest, mean * 0.2) << "per-thread acquisitions: " << shares;
  EXPECT_EQ(queue_length("contended"), 0);
}

TEST_F(FairLockTest, WaiterThatGivesUpLeavesTheQueue) {
  Lock holder = locks().make_fair("line");
  ASSERT_TRUE(holder.try_lock());
  Lock quitter = locks().make_fair("line");
  std::thread thread([&] { EXPECT_FALSE(quitter.try_lock_for(300ms)); });
  ASSERT_TRUE(wait_for([&] { return queue_length("line") == 1; }, 5s));
  thread.join();
  EXPECT_EQ(queue_length("line"), 0);
  EXPECT_FALSE(quitter.try_lock());
  EXPECT_EQ(queue_length("line"), 0);
  holder.unlock();
  EXPECT_TRUE(quitter.try_lock());
}

TEST_F(FairLockTest, AbandonedHeadWakesTheNextWaiter) {
  // A long timeout: only the abandon's wake-up can let the waiter in soon.
  constexpr auto kTimeout = 30s;
  Lock holder = locks().make_fair("line");
  ASSERT_TRUE(holder.try_lock());
  ghost_attempt("line", "ghost", kTimeout);
  // Nor deadlock checks, which would make the waiter try again each second.
  LockService quiet(client(), {.prefix = prefix(), .deadlock_check_interval = 0ms});
  Lock waiter =
      quiet.make_fair("line", {.retry = {.base_delay = 20s, .max_delay = 20s}}, {.queue_timeout = kTimeout});
  std::atomic<bool> acquired{false};
  std::thread thread([&] { acquired = waiter.try_lock_for(8s); });
  EXPECT_TRUE(wait_for([&] { return queue_length("line") == 2; }, 5s));
  // Free now, but the ghost is first in line.
  holder.unlock();
  std::this_thread::sleep_for(100ms);  // the waiter was refused and sleeps by now
  EXPECT_FALSE(acquired.load());
  const Script& abandon = detail::embedded_script(detail::ScriptName::fair_lock_abandon);
  const auto abandoned_at = Clock::now();
  EXPECT_EQ(client()
                .command(abandon.call({queue_key("line"), deadlines_key("line"), holder_key("line")},
                                      {"ghost", holder_key("line") + ":released"}))
                .as_integer(),
            1);
  thread.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_LT(Clock::now() - abandoned_at, 2s);
  EXPECT_EQ(queue_length("line"), 0);
}

TEST_F(FairLockTest, RepeatedAttemptWithTheSameTokenKeepsItsPlace) {
  Lock holder = locks().make_fair("line");
  ASSERT_TRUE(holder.try_lock());
  ghost_attempt("line", "first", 10s);
  ghost_attempt("line", "second", 10s);
  ghost_attempt("line", "first", 10s);  // a retry: same place, fresh deadline
  auto queue = client().command({"ZRANGE", queue_key("line"), "0", "-1"}).as_array();
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].as_string(), "first");
  holder.unlock();
  EXPECT_EQ(ghost_attempt("line", "second", 10s).as_array()[0].as_integer(), 0) << "not the head";
  auto granted = ghost_attempt("line", "first", 10s);
  ASSERT_EQ(granted.as_array()[0].as_integer(), 1);
  // A retry after a lost reply is answered with the same fence.
  EXPECT_EQ(ghost_attempt("line", "first", 10s).as_array()[1].as_integer(), granted.as_array()[1].as_integer());
  EXPECT_EQ(queue_length("line"), 1);
}

TEST_F(FairLockTest, HeldLockIsRenewedAndReportsLoss) {
  std::atomic<int> callbacks{0};
  Lock fair = locks().make_fair("line", {.ttl = 200ms, .on_lost = [&] { callbacks.fetch_add(1); }});
  Lock other = locks().make("line", {.auto_renew = false});
  ASSERT_TRUE(fair.try_lock());
  const auto end = Clock::now() + 1s;  // five TTLs
  while (Clock::now() < end) {
    EXPECT_FALSE(other.try_lock());
    std::this_thread::sleep_for(20ms);  // pacing of the attempts, not a synchronisation
  }
  EXPECT_TRUE(fair.held());
  std::stop_token stop = fair.stop_token();
  EXPECT_TRUE(locks().force_release("line"));
  ASSERT_TRUE(wait_for([&] { return stop.stop_requested(); }, 2s));
  // The stop token fires first, then the callback runs (on the scheduler's
  // thread): await it rather than race it.
  EXPECT_TRUE(wait_for([&] { return callbacks.load() == 1; }, 2s));
  EXPECT_EQ(callbacks.load(), 1);
}

TEST_F(FairLockTest, BadInputNamesTheValue) {
  EXPECT_NE(message_of([&] { locks().make_fair("n", {}, {.queue_timeout = 5ms}); }).find("queue_timeout 5 ms"),
            std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_fair("n", {}, {.queue_timeout = -1ms}); }).find("queue_timeout -1 ms"),
            std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_fair(""); }).find("lock name is empty"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_fair("a}b"); }).find("\"a}b\""), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_fair("n", {.ttl = 0ms}); }).find("ttl 0 ms"), std::string::npos);
  auto keys = client().command(Command::keyless({"SCAN", "0", "MATCH"}).arg(prefix() + "*").arg("COUNT").arg(1000));
  EXPECT_TRUE(keys.as_array()[1].as_array().empty());
}

}  // namespace
}  // namespace redkit
