// Counting semaphores against a real server: never more than N permits under
// contention, the stored permit count, fencing, wake-up on release, the
// registry, a repeated release and bad input. What permits share with read
// leases (renewal, expiry, loss, their outcomes) is in lease_test.cpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>
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

class SemaphoreTest : public test::LockServiceTest {
 protected:
  std::string permits_key(const std::string& name) { return prefix() + "lock:{" + name + "}:permits"; }
  long long count_permits(const std::string& name) {
    return client().command({"ZCARD", permits_key(name)}).as_integer();
  }
};

TEST_F(SemaphoreTest, GrantsUpToNPermitsAndNoMore) {
  std::vector<Lock> permits;
  for (int i = 0; i < 4; ++i) permits.push_back(locks().make_semaphore("pool", 3));
  EXPECT_TRUE(permits[0].try_lock());
  EXPECT_TRUE(permits[1].try_lock());
  EXPECT_TRUE(permits[2].try_lock());
  EXPECT_FALSE(permits[3].try_lock());
  EXPECT_FALSE(permits[3].try_lock_for(100ms));
  EXPECT_EQ(count_permits("pool"), 3);
  EXPECT_EQ(permits[1].release(), LockOutcome::done);
  EXPECT_TRUE(permits[3].try_lock());
  for (Lock& permit : permits) permit.unlock();
  // The last permit out leaves nothing behind but the counters and the
  // record of released tokens.
  EXPECT_EQ(client().command({"EXISTS", permits_key("pool"), permits_key("pool") + ":owners"}).as_integer(), 0);
}

TEST_F(SemaphoreTest, EightThreadsNeverHoldMoreThanNPermits) {
  constexpr int kPermits = 3;
  constexpr int kThreads = 8;
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::atomic<int> over_on_server{0};
  std::atomic<int> acquisitions{0};
  std::atomic<int> timeouts{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Lock permit = locks().make_semaphore("hammered", kPermits, {.ttl = 5s});
      while (!stop.load()) {
        if (!permit.try_lock_for(5s)) {
          timeouts.fetch_add(1);
          continue;
        }
        const int now_inside = inside.fetch_add(1) + 1;
        int seen = most.load();
        while (now_inside > seen && !most.compare_exchange_weak(seen, now_inside)) {
        }
        if (client().command({"ZCARD", permits_key("hammered")}).as_integer() > kPermits) over_on_server.fetch_add(1);
        std::this_thread::sleep_for(2ms);
        inside.fetch_sub(1);
        acquisitions.fetch_add(1);
        permit.unlock();
      }
    });
  }
  std::this_thread::sleep_for(2s);
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), kPermits);
  EXPECT_EQ(most.load(), kPermits);  // the limit is reached, not just respected
  EXPECT_EQ(over_on_server.load(), 0);
  EXPECT_EQ(timeouts.load(), 0);
  EXPECT_GT(acquisitions.load(), 100);
  EXPECT_EQ(count_permits("hammered"), 0);
}

TEST_F(SemaphoreTest, UsersDisagreeingOnThePermitCountAreRefused) {
  Lock two = locks().make_semaphore("pool", 2);
  Lock three = locks().make_semaphore("pool", 3);
  ASSERT_TRUE(two.try_lock());
  try {
    three.try_lock();
    ADD_FAILURE() << "no LockError";
  } catch (const LockError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("\"pool\""), std::string::npos) << message;
    EXPECT_NE(message.find("of 2 permits"), std::string::npos) << message;
    EXPECT_NE(message.find("asks for 3 permits"), std::string::npos) << message;
  }
  EXPECT_THROW(three.try_lock_for(200ms), LockError);
  EXPECT_FALSE(three.held());
  EXPECT_EQ(count_permits("pool"), 1);
  // Once no permit is held, the next acquirer's count becomes the
  // semaphore's, and the old one is refused in turn.
  two.unlock();
  ASSERT_TRUE(three.try_lock());
  EXPECT_EQ(client().command({"HGET", prefix() + "lock:{pool}:state", "permits"}).as_string(), "3");
  EXPECT_THROW(two.try_lock(), LockError);
  Lock another_three = locks().make_semaphore("pool", 3);
  EXPECT_TRUE(another_three.try_lock());
}

TEST_F(SemaphoreTest, WaiterIsWokenByARelease) {
  Lock holder = locks().make_semaphore("pool", 1, {.ttl = 30s});
  // Retries that would come only after 20 s: only a wake-up can be in time.
  Lock waiter = locks().make_semaphore("pool", 1, {.ttl = 30s, .retry = {.base_delay = 20s, .max_delay = 20s}});
  ASSERT_TRUE(holder.try_lock());
  std::atomic<bool> acquired{false};
  std::thread thread([&] { acquired = waiter.try_lock_for(25s); });
  ASSERT_TRUE(wait_for(
      [&] {
        auto channels = client().command(
            Command::keyless({"PUBSUB", "NUMSUB"}).arg(prefix() + "lock:{pool}:released"));
        return channels.as_array()[1].as_integer() == 1;
      },
      5s));
  const auto released_at = Clock::now();
  holder.unlock();
  thread.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_LT(Clock::now() - released_at, 5s);
}

TEST_F(SemaphoreTest, EveryPermitTakesTheNextFence) {
  Lock a = locks().make_semaphore("fenced", 2);
  Lock b = locks().make_semaphore("fenced", 2);
  Lock exclusive = locks().make("fenced");
  std::vector<std::uint64_t> fences;
  ASSERT_TRUE(a.try_lock());
  fences.push_back(a.fence().value);
  ASSERT_TRUE(b.try_lock());
  fences.push_back(b.fence().value);
  ASSERT_TRUE(exclusive.try_lock());
  fences.push_back(exclusive.fence().value);
  a.unlock();
  ASSERT_TRUE(a.try_lock());
  fences.push_back(a.fence().value);
  for (std::size_t i = 1; i < fences.size(); ++i) EXPECT_LT(fences[i - 1], fences[i]) << "at " << i;
}

// The other outcomes are LeaseTest's (lease_test.cpp).
TEST_F(SemaphoreTest, RepeatedReleaseIsAnswered) {
  // A retry of a release whose reply was lost gets the same answer.
  const Script& release = detail::embedded_script(detail::ScriptName::semaphore_release);
  const std::string holder = prefix() + "lock:{outcomes}";
  Lock third = locks().make_semaphore("outcomes", 2, {.ttl = 10s});
  ASSERT_TRUE(third.try_lock());
  const auto token = client().command({"ZRANGE", permits_key("outcomes"), "0", "0"}).as_array()[0].as_string();
  const std::vector<std::string> keys{permits_key("outcomes"), permits_key("outcomes") + ":owners",
                                      permits_key("outcomes") + ":released"};
  EXPECT_EQ(client().command(release.call(keys, {token, holder + ":released"})).as_integer(), 1);
  EXPECT_EQ(client().command(release.call(keys, {token, holder + ":released"})).as_integer(), 1);
  EXPECT_EQ(client().command(release.call(keys, {"never-held", holder + ":released"})).as_integer(), -1);
}

TEST_F(SemaphoreTest, RegistryShowsEachPermit) {
  Lock first = locks().make_semaphore("pool", 3, {.ttl = 20s, .owner_label = "worker one"});
  Lock second = locks().make_semaphore("pool", 3, {.ttl = 30s, .owner_label = "worker two"});
  Lock other = locks().make("other");
  ASSERT_TRUE(first.try_lock());
  ASSERT_TRUE(second.try_lock());
  ASSERT_TRUE(other.try_lock());

  auto held = locks().list();
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(held[0].name, "other");
  EXPECT_EQ(held[0].kind, "exclusive");
  EXPECT_EQ(held[1].name, "pool");
  EXPECT_EQ(held[1].kind, "permit");
  EXPECT_EQ(held[1].label, "worker one");
  EXPECT_EQ(held[1].pid, static_cast<long>(::getpid()));
  EXPECT_FALSE(held[1].host.empty());
  EXPECT_EQ(held[1].fence, first.fence());
  EXPECT_EQ(held[1].ttl, 20s);
  EXPECT_GT(held[1].ttl_left, 15s);
  EXPECT_GT(held[1].acquired_at_ms, 0);
  EXPECT_EQ(held[2].kind, "permit");
  EXPECT_EQ(held[2].label, "worker two");
  EXPECT_EQ(held[2].fence, second.fence());

  auto holders = locks().holders("pool");
  ASSERT_EQ(holders.size(), 2u);
  EXPECT_EQ(holders[0].label, "worker one");
  ASSERT_TRUE(locks().info("pool").has_value());
  EXPECT_EQ(locks().info("pool")->fence, first.fence());
  EXPECT_EQ(first.extend(40s), LockOutcome::done);
  EXPECT_EQ(locks().holders("pool")[0].ttl, 40s);
  EXPECT_EQ(locks().find_by_owner({.label = "worker two"}).size(), 1u);

  // An operator frees every permit.
  EXPECT_TRUE(locks().force_release("pool"));
  EXPECT_TRUE(locks().holders("pool").empty());
  EXPECT_FALSE(locks().force_release("pool"));
  EXPECT_EQ(first.extend(1s), LockOutcome::expired);
}

TEST_F(SemaphoreTest, BadInputNamesTheValueAndWritesNothing) {
  EXPECT_NE(message_of([&] { locks().make_semaphore("n", 0); }).find("permits 0"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_semaphore("n", -3); }).find("permits -3"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_semaphore("", 2); }).find("lock name is empty"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_semaphore("a{b}", 2); }).find("\"a{b}\""), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_semaphore("n", 2, {.ttl = 0ms}); }).find("ttl 0 ms"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_semaphore("n", 2, {.retry = {.base_delay = -2ms}}); }).find("-2 ms"),
            std::string::npos);
  Lock permit = locks().make_semaphore("n", 2);
  EXPECT_THROW(permit.release(), LockError);
  EXPECT_THROW(permit.extend(1s), LockError);
  ASSERT_TRUE(permit.try_lock());
  EXPECT_THROW(permit.try_lock(), LockError);
  EXPECT_THROW(permit.extend(0ms), InvalidArgument);
  permit.unlock();
  auto keys = client().command(Command::keyless({"SCAN", "0", "MATCH"}).arg(prefix() + "*").arg("COUNT").arg(1000));
  // Only the one valid acquisition above left keys behind: the counters and
  // the record of released tokens.
  std::set<std::string> found;
  for (const Reply& key : keys.as_array()[1].as_array()) found.insert(key.as_string());
  EXPECT_EQ(found, (std::set<std::string>{prefix() + "lock:{n}:state", prefix() + "lock:{n}:permits:released"}));
}

}  // namespace
}  // namespace redkit
