// One test per lock defect found by a randomized multi-process exploration
// of the API and `redkit lock exec` (the CLI ones are in tests/cli). Each
// failed on the code before its fix.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <chrono>
#include <thread>
#include <vector>

#include "client/embedded_scripts.hpp"
#include "lock/lock_kind.hpp"
#include "lock/lock_state.hpp"
#include "lock/metrics_recorder.hpp"
#include "lock/renewal_scheduler.hpp"
#include "redkit/fair_lock.hpp"
#include "redkit/lock_service.hpp"
#include "support/db_snapshot.hpp"
#include "support/lock_service_test.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::wait_for;

class LockRegression : public test::LockServiceTest {};

// A renewal reply for an acquisition that ended (released, the handle locked
// again) replaced the later acquisition's entry: the later lock silently
// stopped being renewed.
TEST_F(LockRegression, RenewalOfAnEarlierAcquisitionNeverDisplacesALaterOne) {
  detail::MetricsRecorder metrics(client(), prefix(), 0ms);
  detail::RenewalScheduler scheduler(client(), metrics);
  auto state = std::make_shared<detail::LockState>(nullptr, detail::exclusive_lock_kind(), "job",
                                                   detail::LockKeys(prefix(), "job"), LockOptions{});
  // Far in the future: the scheduler thread never gets to these entries.
  const auto later = std::chrono::steady_clock::now() + 1h;
  scheduler.schedule(state, 2, later);        // the handle's new acquisition
  scheduler.schedule(state, 1, later - 1s);   // the old one's renewal answers late
  EXPECT_EQ(scheduler.pending_generation(state.get()), 2u);
  scheduler.schedule(state, 3, later);
  EXPECT_EQ(scheduler.pending_generation(state.get()), 3u);
  scheduler.cancel(state.get());
  EXPECT_EQ(scheduler.pending_generation(state.get()), std::nullopt);
}

// The scenario it was found in: handles reused at once, many other locks
// held so renewal rounds run back to back.
TEST_F(LockRegression, ReusedHandlesStayRenewed) {
  std::vector<Lock> others;
  for (int i = 0; i < 200; ++i) {
    others.push_back(locks().make("other-" + std::to_string(i), {.ttl = 300ms}));
    ASSERT_TRUE(others.back().try_lock());
  }
  std::atomic<int> expired_unreported{0};
  std::atomic<int> acquisitions{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      Lock lock = locks().make("reused-" + std::to_string(t), {.ttl = 300ms});
      for (int round = 0; round < 3; ++round) {
        if (!lock.try_lock_for(5s)) continue;
        ++acquisitions;
        const auto token = lock.stop_token();
        const auto until = std::chrono::steady_clock::now() + 900ms;  // three TTLs
        while (std::chrono::steady_clock::now() < until && !token.stop_requested()) {
          std::this_thread::sleep_for(10ms);  // the work held under the lock
        }
        // Released and locked again at once.
        if (lock.release() != LockOutcome::done && !token.stop_requested()) ++expired_unreported;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(acquisitions.load(), 18);
  EXPECT_EQ(expired_unreported.load(), 0);
}

// lock() returned without the lock once max_attempts ran out.
TEST_F(LockRegression, LockWaitsAsLongAsItTakesWhateverMaxAttempts) {
  Lock holder = locks().make("busy");
  ASSERT_TRUE(holder.try_lock());
  Lock waiter = locks().make("busy", {.retry = {.max_attempts = 2}});
  std::atomic<bool> returned{false};
  std::thread waiting([&] {
    waiter.lock();
    returned = true;
  });
  // Without the fix it returned within milliseconds, holding nothing.
  EXPECT_FALSE(wait_for([&] { return returned.load(); }, 500ms));
  holder.unlock();
  waiting.join();
  EXPECT_TRUE(waiter.held());
  EXPECT_GT(waiter.fence(), holder.fence());
  // try_lock_for still gives up after max_attempts.
  Lock third = locks().make("busy", {.retry = {.max_attempts = 2}});
  EXPECT_FALSE(third.try_lock_for(10s));
}

TEST_F(LockRegression, MultiLockWaitsAsLongAsItTakesWhateverMaxAttempts) {
  Lock holder = locks().make("b");
  ASSERT_TRUE(holder.try_lock());
  MultiLock pair = locks().make_multi({"a", "b"}, {.retry = {.max_attempts = 2}});
  std::atomic<bool> returned{false};
  std::thread waiting([&] {
    pair.lock();
    returned = true;
  });
  EXPECT_FALSE(wait_for([&] { return returned.load(); }, 500ms));
  holder.unlock();
  waiting.join();
  EXPECT_TRUE(pair.held());
}

// Huge TTLs failed in the script after it had written (a holder hash without
// expiry), or overflowed validity; now they are refused up front.
TEST_F(LockRegression, OutOfRangeDurationsAreRefusedBeforeAnythingIsSent) {
  const auto before = test::snapshot_db(client());
  const auto too_long = kMaxLockDuration + 1ms;
  EXPECT_THROW(locks().make("huge", {.ttl = std::chrono::milliseconds::max()}), InvalidArgument);
  EXPECT_THROW(locks().make("huge", {.ttl = too_long}), InvalidArgument);
  EXPECT_THROW(locks().make_reader("huge", {.ttl = too_long}), InvalidArgument);
  EXPECT_THROW(locks().make_semaphore("huge", 2, {.ttl = too_long}), InvalidArgument);
  EXPECT_THROW(locks().make_fair("huge", {}, {.queue_timeout = too_long}), InvalidArgument);
  EXPECT_THROW(locks().make("huge", {.retry = {.base_delay = 10ms, .max_delay = too_long}}), InvalidArgument);
  Lock lock = locks().make("huge");
  EXPECT_THROW(lock.try_lock_for(too_long), InvalidArgument);
  EXPECT_EQ(test::changes_since(before, test::snapshot_db(client())), "");
  ASSERT_TRUE(lock.try_lock());
  EXPECT_THROW(lock.extend(too_long), InvalidArgument);
  EXPECT_EQ(lock.extend(kMaxLockDuration), LockOutcome::done);
  EXPECT_GT(lock.validity(), kMaxLockDuration - 1h);  // no overflow to 0
  EXPECT_TRUE(lock.held());
  lock.unlock();

  // The scripts refuse them too, before their first write, whoever calls.
  const auto clean = test::snapshot_db(client());
  const detail::LockKeys keys(prefix(), "raw");
  const auto refused = client().execute(std::vector<Command>{
      detail::embedded_script(detail::ScriptName::lock_acquire)
          .call({keys.holder, keys.state, keys.holder + ":readers", keys.holder + ":waiters"},
                {"t", "9223372036854775807", "h", "1", "", "exclusive", "h/1/1", "0", "1000"}),
      detail::embedded_script(detail::ScriptName::rwlock_read_acquire)
          .call({keys.holder, keys.state, keys.holder + ":readers", keys.holder + ":readers:owners",
                 keys.holder + ":intents"},
                {"t", "1e300", "h", "1", "", "h/1/1"}),
      detail::embedded_script(detail::ScriptName::semaphore_acquire)
          .call({keys.holder + ":permits", keys.holder + ":permits:owners", keys.state},
                {"t", "-5", "2", "h", "1", "", "h/1/1"}),
  });
  for (const Reply& reply : refused) {
    ASSERT_TRUE(reply.is_error()) << reply.to_display();
    EXPECT_TRUE(reply.error_message().starts_with("BADDURATION ttl")) << reply.error_message();
  }
  EXPECT_EQ(test::changes_since(clean, test::snapshot_db(client())), "");
}

// A waiter killed while registered left its entry in {lock-waits} forever.
TEST_F(LockRegression, WaitForGraphDropsDeadEntriesAndExpires) {
  const std::string waits = prefix() + "{lock-waits}";
  const Script& record = detail::embedded_script(detail::ScriptName::lock_wait_register);
  client().command(record.call({waits}, {"dead/1/1", "x", "1"}));  // never refreshed again
  ASSERT_TRUE(wait_for(
      [&] {
        // Another waiter's registration sweeps the dead entry away.
        client().command(record.call({waits}, {"live/2/2", "y", "60000"}));
        return client().command({"HEXISTS", waits, "dead/1/1"}).as_integer() == 0;
      },
      2s));
  EXPECT_EQ(client().command({"HLEN", waits}).as_integer(), 1);
  const long long ttl = client().command({"PTTL", waits}).as_integer();
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60000);
}

// extend() to a shorter lease left renewals at a third of the old one: the
// lease lapsed between them and the lock was reported lost.
TEST_F(LockRegression, RenewalFollowsALeaseShortenedByExtend) {
  Lock lock = locks().make("shortened", {.ttl = 6s});
  ASSERT_TRUE(lock.try_lock());
  ASSERT_EQ(lock.extend(300ms), LockOutcome::done);
  const auto token = lock.stop_token();
  // Renewal at a third of 6 s would come after the 300 ms lease ran out.
  EXPECT_FALSE(wait_for([&] { return token.stop_requested(); }, 1500ms));
  EXPECT_TRUE(lock.held());
  EXPECT_LE(client().command({"PTTL", holder_key("shortened")}).as_integer(), 300);
  EXPECT_EQ(lock.release(), LockOutcome::done);
}

// One wrong-type key made the whole listing fail.
TEST_F(LockRegression, ListReportsADamagedNameAndTheRest) {
  Lock good = locks().make("good");
  ASSERT_TRUE(good.try_lock());
  Lock reader = locks().make_reader("doc");
  ASSERT_TRUE(reader.try_lock());
  client().command({"SET", holder_key("bad") + ":readers", "not a zset"});
  client().command({"SET", holder_key("worse") + ":permits", "not a zset"});
  client().command({"HSET", holder_key("garbled"), "token", "t", "fence", "seven", "ttl", "1000", "pid", "1", "host",
                    "h", "kind", "exclusive"});
  client().command({"PEXPIRE", holder_key("garbled"), "60000"});
  const auto listed = locks().list();
  std::map<std::string, std::string> kinds;
  for (const auto& info : listed) kinds[info.name] = info.kind;
  EXPECT_EQ(kinds, (std::map<std::string, std::string>{
                       {"bad", "damaged"}, {"doc", "read"}, {"garbled", "damaged"}, {"good", "exclusive"},
                       {"worse", "damaged"}}));
  for (const auto& info : listed) {
    if (info.name == "bad") {
      EXPECT_NE(info.damaged.find(holder_key("bad") + ":readers"), std::string::npos);
    }
    if (info.name == "garbled") {
      EXPECT_NE(info.damaged.find("field fence: expected a whole number, got \"seven\""), std::string::npos) << info.damaged;
    }
  }
}

// A retry policy of 0 ms / 0 ms sent attempts back to back.
TEST_F(LockRegression, WaitingAttemptsPauseAtLeastAMillisecond) {
  LockService counted(client(), {.prefix = prefix(), .owner_label = "t", .metrics_flush_interval = 0ms});
  Lock holder = counted.make("spin");
  ASSERT_TRUE(holder.try_lock());
  Lock waiter = counted.make("spin", {.retry = {.base_delay = 0ms, .max_delay = 0ms}});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(waiter.try_lock_for(200ms));
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  // The floor bounds the attempts by the time waited, however fast the server.
  EXPECT_LE(counted.metrics().attempts, static_cast<std::uint64_t>(waited.count()) + 3);
}

}  // namespace
}  // namespace redkit

namespace redkit {
namespace {

// A failing reply in a multi-lock round threw before the rollback: the locks
// granted in that round stayed on the server until their TTL.
TEST_F(LockRegression, MultiLockRollsBackItsGrantsBeforeReportingAFailure) {
  client().command({"SET", holder_key("broken"), "someone else's string"});
  MultiLock three = locks().make_multi({"first", "broken", "third"}, {.ttl = 60s});
  EXPECT_THROW(three.try_lock(), ReplyError);
  EXPECT_FALSE(three.held());
  // Nothing left behind: the other two are free at once, not in a minute.
  EXPECT_EQ(client().command({"EXISTS", holder_key("first"), holder_key("third")}).as_integer(), 0);
  Lock first = locks().make("first");
  EXPECT_TRUE(first.try_lock());
}

// A failing reply in a multi-lock release threw mid-loop: the later handles
// stayed marked as held.
TEST_F(LockRegression, MultiLockReleaseMarksEveryHandleThenReportsAFailure) {
  MultiLock three = locks().make_multi({"a", "b", "c"}, {.ttl = 60s});
  ASSERT_TRUE(three.try_lock());
  // Someone replaces b's holder hash with another type while it is held.
  client().command({"DEL", holder_key("b")});
  client().command({"SET", holder_key("b"), "not a hash"});
  EXPECT_THROW(three.release(), ReplyError);
  EXPECT_FALSE(three.held());
  EXPECT_EQ(client().command({"EXISTS", holder_key("a"), holder_key("c")}).as_integer(), 0);
  // Released means released: the handle can take the locks again once b is
  // repaired.
  client().command({"DEL", holder_key("b")});
  EXPECT_TRUE(three.try_lock());
}

}  // namespace
}  // namespace redkit
