// Exclusive locks against a real server: ownership, outcomes, fencing,
// expiry, renewal, loss, wake-up on release, bad input.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <map>
#include <optional>
#include <mutex>
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
using test::wait_for;

class LockTest : public test::LockServiceTest {};

TEST_F(LockTest, OnlyOneHolderAtATime) {
  Lock a = locks().make("job");
  Lock b = locks().make("job");
  EXPECT_TRUE(a.try_lock());
  EXPECT_TRUE(a.held());
  EXPECT_FALSE(b.try_lock());
  EXPECT_FALSE(b.held());
  EXPECT_EQ(a.release(), LockOutcome::done);
  EXPECT_FALSE(a.held());
  EXPECT_TRUE(b.try_lock());
}

TEST_F(LockTest, ExclusiveLockWaitsForReaders) {
  Lock reader = locks().make_reader("shared");
  Lock exclusive = locks().make("shared");
  ASSERT_TRUE(reader.try_lock());
  EXPECT_FALSE(exclusive.try_lock());
  reader.unlock();
  EXPECT_TRUE(exclusive.try_lock_for(2s));
  Lock late_reader = locks().make_reader("shared");
  EXPECT_FALSE(late_reader.try_lock());
}

TEST_F(LockTest, HolderDetailsLiveInTheLockKey) {
  Lock a = locks().make("job", {.ttl = 5s, .owner_label = "nightly"});
  ASSERT_TRUE(a.try_lock());
  auto fields = client().command({"HGETALL", holder_key("job")}).as_array();
  std::map<std::string, std::string> info;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) info[fields[i].as_string()] = fields[i + 1].as_string();
  EXPECT_EQ(info["label"], "nightly");
  EXPECT_EQ(info["kind"], "exclusive");
  EXPECT_EQ(info["pid"], std::to_string(::getpid()));
  EXPECT_EQ(info["fence"], std::to_string(a.fence().value));
  EXPECT_EQ(info["token"].size(), 32u);
  EXPECT_EQ(info["ttl"], "5000");
  auto pttl = client().command({"PTTL", holder_key("job")}).as_integer();
  EXPECT_GT(pttl, 4000);
  EXPECT_LE(pttl, 5000);
}

// The acquire script leaves acquired_at to the key's expiry (expiry - ttl);
// an extension moves the expiry and must keep the registry's acquired_at.
TEST_F(LockTest, RegistryAcquiredAtIsTheServerTimeOfAcquisitionAndSurvivesExtensions) {
  auto server_ms = [&] {
    auto now = client().command({"TIME"}).as_array();
    return std::stoll(now[0].as_string()) * 1000 + std::stoll(now[1].as_string()) / 1000;
  };
  Lock lock = locks().make("stamped", {.ttl = 5s, .auto_renew = false});
  const long long before = server_ms();
  ASSERT_TRUE(lock.try_lock());
  const long long after = server_ms();
  auto info = locks().info("stamped");
  ASSERT_TRUE(info.has_value());
  EXPECT_GE(info->acquired_at_ms, before);
  EXPECT_LE(info->acquired_at_ms, after);
  EXPECT_EQ(info->ttl, 5s);
  const long long acquired_at = info->acquired_at_ms;
  // The server's clock moves on before the extensions.
  ASSERT_TRUE(wait_for([&] { return server_ms() > after + 10; }, 5s));
  ASSERT_EQ(lock.extend(9s), LockOutcome::done);
  ASSERT_EQ(lock.extend(8s), LockOutcome::done);
  info = locks().info("stamped");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->acquired_at_ms, acquired_at);
  EXPECT_EQ(info->ttl, 8s);
  EXPECT_GT(info->ttl_left, 7s);
}

TEST_F(LockTest, FencingTokensIncreaseAcrossHoldersAndExpiries) {
  Lock a = locks().make("fenced", {.ttl = 100ms, .auto_renew = false});
  Lock b = locks().make("fenced", {.ttl = 100ms, .auto_renew = false});
  std::vector<std::uint64_t> fences;
  ASSERT_TRUE(a.try_lock());
  fences.push_back(a.fence().value);
  a.unlock();
  ASSERT_TRUE(b.try_lock());
  fences.push_back(b.fence().value);
  // b never releases: its lock expires and a takes over.
  ASSERT_TRUE(a.try_lock_for(2s));
  fences.push_back(a.fence().value);
  EXPECT_LT(fences[0], fences[1]);
  EXPECT_LT(fences[1], fences[2]);
}

TEST_F(LockTest, ReleaseAndExtendReportWhatTheyFound) {
  Lock a = locks().make("outcomes", {.ttl = 100ms, .auto_renew = false});
  Lock b = locks().make("outcomes", {.ttl = 10s, .auto_renew = false});
  ASSERT_TRUE(a.try_lock());
  ASSERT_TRUE(wait_for([&] { return client().command({"EXISTS", holder_key("outcomes")}).as_integer() == 0; }, 2s));
  // Expired, nobody holds it.
  EXPECT_EQ(a.extend(1s), LockOutcome::expired);
  EXPECT_TRUE(a.lost());
  ASSERT_TRUE(a.try_lock());
  ASSERT_TRUE(wait_for([&] { return b.try_lock(); }, 2s));
  // Expired, and b holds it now: only the owner may extend or release.
  EXPECT_EQ(a.extend(1s), LockOutcome::not_owner);
  EXPECT_EQ(a.release(), LockOutcome::not_owner);
  EXPECT_TRUE(b.held());
  EXPECT_EQ(b.extend(20s), LockOutcome::done);
  EXPECT_GT(client().command({"PTTL", holder_key("outcomes")}).as_integer(), 10'000);
}

TEST_F(LockTest, RepeatedReleaseOfTheSameTokenIsDone) {
  // What a client does when the reply to its release was lost: send it again.
  const Script& acquire = detail::embedded_script(detail::ScriptName::lock_acquire);
  const Script& release = detail::embedded_script(detail::ScriptName::lock_release);
  const std::vector<std::string> keys{holder_key("retry"), holder_key("retry") + ":state",
                                      holder_key("retry") + ":readers", holder_key("retry") + ":waiters"};
  auto acquired = client().command(acquire.call(keys, {"t1", "10000", "h", "1", "", "exclusive", "h/1/1", "0", "1000"}));
  ASSERT_EQ(acquired.as_array()[0].as_integer(), 1);
  // A repeated acquire with the same token is answered, not refused.
  auto again = client().command(acquire.call(keys, {"t1", "10000", "h", "1", "", "exclusive", "h/1/1", "0", "1000"}));
  EXPECT_EQ(again.as_array()[0].as_integer(), 1);
  EXPECT_EQ(again.as_array()[1].as_integer(), acquired.as_array()[1].as_integer());
  const std::string channel = holder_key("retry") + ":released";
  const std::vector<std::string> release_keys{keys[0], keys[1]};
  const std::string fence = std::to_string(acquired.as_array()[1].as_integer());
  EXPECT_EQ(client().command(release.call(release_keys, {"t1", channel, fence})).as_integer(), 1);
  EXPECT_EQ(client().command(release.call(release_keys, {"t1", channel, fence})).as_integer(), 1);
  EXPECT_EQ(client().command(release.call(release_keys, {"other", channel, fence})).as_integer(), -1);
  // Under contention the retry comes after others took the lock and let it
  // go, or while one holds it: still answered as released.
  for (int i = 2; i <= 4; ++i) {
    const std::string token = "t" + std::to_string(i);
    auto next = client().command(acquire.call(keys, {token, "10000", "h", "1", "", "exclusive", "h/1/1", "0", "1000"}));
    ASSERT_EQ(next.as_array()[0].as_integer(), 1);
    if (i < 4) {
      const std::string next_fence = std::to_string(next.as_array()[1].as_integer());
      ASSERT_EQ(client().command(release.call(release_keys, {token, channel, next_fence})).as_integer(), 1);
    }
  }
  EXPECT_EQ(client().command(release.call(release_keys, {"t1", channel, fence})).as_integer(), 1);
  EXPECT_EQ(client().command(release.call(release_keys, {"t9", channel, fence})).as_integer(), 0);
}

TEST_F(LockTest, ThreadsIncrementingUnderTheLockLoseNoUpdate) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 50;
  const std::string counter = prefix() + "counter";
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Lock lock = locks().make("counter", {.ttl = 5s});
      for (int i = 0; i < kRounds; ++i) {
        ASSERT_TRUE(lock.try_lock_for(30s));
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        // Read-modify-write in two round trips: only the lock makes it safe.
        auto value = client().command({"GET", counter}).as_optional_string();
        int next = value ? std::stoi(*value) + 1 : 1;
        client().command({"SET", counter, std::to_string(next)});
        inside.fetch_sub(1);
        lock.unlock();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(client().command({"GET", counter}).as_string(), std::to_string(kThreads * kRounds));
}

TEST_F(LockTest, WaiterIsWokenByTheReleaseNotByPolling) {
  Lock holder = locks().make("wake", {.ttl = 30s});
  // A waiter whose own retries would come only after 20 s.
  Lock waiter = locks().make("wake", {.ttl = 30s, .retry = {.base_delay = 20s, .max_delay = 20s}});
  ASSERT_TRUE(holder.try_lock());
  std::atomic<bool> acquired{false};
  std::thread thread([&] { acquired = waiter.try_lock_for(25s); });
  // Let the waiter subscribe and start waiting: its subscription appears on
  // the server.
  ASSERT_TRUE(wait_for(
      [&] {
        auto channels = client().command(Command::keyless({"PUBSUB", "NUMSUB"}).arg(holder_key("wake") + ":released"));
        return channels.as_array()[1].as_integer() == 1;
      },
      5s));
  const auto released_at = std::chrono::steady_clock::now();
  holder.unlock();
  thread.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_LT(std::chrono::steady_clock::now() - released_at, 5s);
}

// Waiters whose own retries would come only after 20 s: every one of them
// gets the lock within seconds only if each release wakes the next waiter,
// as a registered waiter is woken alone (lua/lock_release.lua).
TEST_F(LockTest, EachReleaseWakesTheNextRegisteredWaiter) {
  constexpr int kWaiters = 4;
  Lock holder = locks().make("queue", {.ttl = 30s});
  ASSERT_TRUE(holder.try_lock());
  std::atomic<int> acquired{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWaiters; ++i) {
    threads.emplace_back([&] {
      Lock waiter = locks().make("queue", {.ttl = 30s, .retry = {.base_delay = 20s, .max_delay = 20s}});
      if (waiter.try_lock_for(25s)) {
        acquired.fetch_add(1);
        waiter.unlock();
      }
    });
  }
  // Every waiter has registered behind the holder.
  ASSERT_TRUE(wait_for(
      [&] { return client().command({"ZCARD", holder_key("queue") + ":waiters"}).as_integer() == kWaiters; }, 5s));
  const auto start = std::chrono::steady_clock::now();
  holder.unlock();
  for (auto& t : threads) t.join();
  EXPECT_EQ(acquired.load(), kWaiters);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(client().command({"EXISTS", holder_key("queue") + ":waiters"}).as_integer(), 0);
}

// A release chooses a registered waiter that is gone (here: an entry written
// by hand, ahead of the live waiter): the live one still gets the lock, as
// the release's second choice or at its own next retry at the latest.
TEST_F(LockTest, AChosenWaiterThatIsGoneDelaysOthersByOneBackoffAtMost) {
  Lock holder = locks().make("ghost", {.ttl = 30s});
  Lock waiter = locks().make("ghost", {.ttl = 30s, .retry = {.base_delay = 300ms, .max_delay = 300ms}});
  ASSERT_TRUE(holder.try_lock());
  std::atomic<bool> acquired{false};
  std::thread thread([&] { acquired = waiter.try_lock_for(20s); });
  const std::string waiters = holder_key("ghost") + ":waiters";
  ASSERT_TRUE(wait_for([&] { return client().command({"ZCARD", waiters}).as_integer() == 1; }, 5s));
  const std::string live = client().command({"ZRANGE", waiters, "0", "0", "WITHSCORES"}).as_array()[1].as_string();
  // First in line: its registration lapses just before the live waiter's.
  client().command({"ZADD", waiters, std::to_string(std::stoll(live) - 1), "gone"});
  holder.unlock();
  const auto released = std::chrono::steady_clock::now();
  thread.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_LT(std::chrono::steady_clock::now() - released, 3s);
}

// A waiter that gives up withdraws its registration, so the next release
// wakes one that still waits.
TEST_F(LockTest, AWaiterThatGivesUpIsNotWokenInsteadOfOneThatWaits) {
  Lock holder = locks().make("leave", {.ttl = 30s});
  Lock quitter = locks().make("leave", {.retry = {.base_delay = 20s, .max_delay = 20s}});
  Lock stayer = locks().make("leave", {.retry = {.base_delay = 20s, .max_delay = 20s}});
  ASSERT_TRUE(holder.try_lock());
  const std::string waiters = holder_key("leave") + ":waiters";
  std::atomic<bool> acquired{false};
  std::thread stays([&] { acquired = stayer.try_lock_for(25s); });
  ASSERT_TRUE(wait_for([&] { return client().command({"ZCARD", waiters}).as_integer() == 1; }, 5s));
  EXPECT_FALSE(quitter.try_lock_for(300ms));
  EXPECT_EQ(client().command({"ZCARD", waiters}).as_integer(), 1);
  const auto released = std::chrono::steady_clock::now();
  holder.unlock();
  stays.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_LT(std::chrono::steady_clock::now() - released, 5s);
}

TEST_F(LockTest, WaiterTakesOverWhenTheHolderExpires) {
  Lock holder = locks().make("expire", {.ttl = 300ms, .auto_renew = false});
  Lock waiter = locks().make("expire", {.ttl = 5s, .retry = {.base_delay = 20s, .max_delay = 20s}});
  ASSERT_TRUE(holder.try_lock());
  const auto start = std::chrono::steady_clock::now();
  // The holder's expiry publishes nothing; the waiter wakes at the TTL it
  // was told.
  EXPECT_TRUE(waiter.try_lock_for(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(LockTest, WaitRunsOutWithFalse) {
  Lock holder = locks().make("busy", {.ttl = 30s});
  Lock waiter = locks().make("busy");
  ASSERT_TRUE(holder.try_lock());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(waiter.try_lock_for(200ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_FALSE(waiter.held());
}

TEST_F(LockTest, WatchdogKeepsAJobOfTenTtlsSafe) {
  Lock job = locks().make("long", {.ttl = 200ms});
  Lock rival = locks().make("long", {.auto_renew = false});
  ASSERT_TRUE(job.try_lock());
  const auto end = std::chrono::steady_clock::now() + 2s;  // ten TTLs
  int rival_attempts = 0;
  while (std::chrono::steady_clock::now() < end) {
    EXPECT_FALSE(rival.try_lock());
    ++rival_attempts;
    std::this_thread::sleep_for(20ms);  // pacing of the rival's attempts, not a synchronisation
  }
  EXPECT_GT(rival_attempts, 50);
  EXPECT_TRUE(job.held());
  EXPECT_FALSE(job.lost());
  EXPECT_FALSE(job.stop_token().stop_requested());
  EXPECT_EQ(job.release(), LockOutcome::done);
}

TEST_F(LockTest, LockDeletedUnderTheHolderIsDetectedAsLost) {
  std::atomic<int> callbacks{0};
  Lock job = locks().make("victim", {.ttl = 300ms, .on_lost = [&] { callbacks.fetch_add(1); }});
  ASSERT_TRUE(job.try_lock());
  std::stop_token stop = job.stop_token();
  client().command({"DEL", holder_key("victim")});
  ASSERT_TRUE(wait_for([&] { return stop.stop_requested(); }, 2s));
  EXPECT_TRUE(job.lost());
  EXPECT_FALSE(job.held());
  // The stop token fires first, then the callback runs (on the scheduler's
  // thread): await it rather than race it.
  EXPECT_TRUE(wait_for([&] { return callbacks.load() == 1; }, 2s));
  EXPECT_EQ(callbacks.load(), 1);
}

TEST_F(LockTest, ServerPausedPastTheTtlMarksTheLockLost) {
  Lock job = locks().make("paused", {.ttl = 500ms});
  ASSERT_TRUE(job.try_lock());
  std::stop_token stop = job.stop_token();
  redis().pause();
  const auto paused_at = std::chrono::steady_clock::now();
  // Renewals cannot reach the server; once the validity has run out the lock
  // must be treated as lost, without waiting for the server to come back.
  ASSERT_TRUE(wait_for([&] { return stop.stop_requested(); }, 3s));
  EXPECT_LT(std::chrono::steady_clock::now() - paused_at, 2s);
  EXPECT_EQ(job.validity(), 0ms);
  redis().resume();
}

TEST_F(LockTest, WorksWithStdUniqueLock) {
  Lock lock = locks().make("std");
  {
    std::unique_lock guard(lock, std::defer_lock);
    EXPECT_TRUE(guard.try_lock_for(1s));
    EXPECT_TRUE(lock.held());
  }
  EXPECT_FALSE(lock.held());
  EXPECT_EQ(client().command({"EXISTS", holder_key("std")}).as_integer(), 0);
}

TEST_F(LockTest, WithLockRunsTheWorkAndReleases) {
  auto result = locks().with_lock("with", 1s, [&](std::stop_token stop) {
    EXPECT_FALSE(stop.stop_requested());
    return client().command({"EXISTS", holder_key("with")}).as_integer();
  });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, 1);
  EXPECT_EQ(client().command({"EXISTS", holder_key("with")}).as_integer(), 0);
  Lock holder = locks().make("with");
  ASSERT_TRUE(holder.try_lock());
  bool ran = false;
  EXPECT_FALSE(locks().with_lock("with", 50ms, [&](std::stop_token) { ran = true; }));
  EXPECT_FALSE(ran);
}

TEST_F(LockTest, BadInputNamesTheValueAndWritesNothing) {
  EXPECT_NE(message_of([&] { locks().make(""); }).find("lock name is empty"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make("a{b}"); }).find("\"a{b}\""), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make(std::string(600, 'x')); }).find("600 bytes"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make("n", {.ttl = 0ms}); }).find("ttl 0 ms"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make("n", {.ttl = -5ms}); }).find("ttl -5 ms"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make("n", {.retry = {.base_delay = -1ms}}); }).find("-1 ms"),
            std::string::npos);
  Lock lock = locks().make("n");
  EXPECT_NE(message_of([&] { lock.try_lock(); lock.extend(0ms); }).find("ttl 0 ms"), std::string::npos);
  lock.unlock();
  auto keys = client().command(Command::keyless({"SCAN", "0", "MATCH"}).arg(prefix() + "*").arg("COUNT").arg(1000));
  // Only the one valid acquisition above left its fencing counter behind.
  for (const Reply& key : keys.as_array()[1].as_array()) {
    EXPECT_EQ(key.as_string(), prefix() + "lock:{n}:state");
  }
}

TEST_F(LockTest, HandleOutlivingItsServiceRefusesToAcquire) {
  std::optional<Lock> orphan;
  {
    LockService short_lived(client(), {.prefix = prefix(), .owner_label = {}});
    orphan.emplace(short_lived.make("orphan"));
  }
  EXPECT_THROW(orphan->try_lock(), LockError);
  EXPECT_EQ(client().command({"EXISTS", holder_key("orphan")}).as_integer(), 0);
}

TEST_F(LockTest, AcquiringTwiceWithOneHandleIsAnError) {
  Lock lock = locks().make("twice");
  ASSERT_TRUE(lock.try_lock());
  EXPECT_THROW(lock.try_lock(), LockError);
  lock.unlock();
  EXPECT_THROW(lock.release(), LockError);
}

}  // namespace
}  // namespace redkit
