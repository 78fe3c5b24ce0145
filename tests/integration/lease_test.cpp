// Leases against a real server: read locks and semaphore permits keep their
// holders the same way (lua/lib/leases.lua), so each behaviour is one test
// run for both kinds. What differs is who a lease keeps out: a writer for a
// read lease, the next permit for a semaphore of one.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <ostream>
#include <string>
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

enum class LeaseKind { read, permit };

std::string to_string(LeaseKind kind) { return kind == LeaseKind::read ? "ReadLease" : "Permit"; }
void PrintTo(LeaseKind kind, std::ostream* out) { *out << to_string(kind); }
std::string kind_name(const testing::TestParamInfo<LeaseKind>& info) { return to_string(info.param); }

class LeaseTest : public test::LockServiceTest, public testing::WithParamInterface<LeaseKind> {
 protected:
  bool reading() const { return GetParam() == LeaseKind::read; }

  // A lease of `name`: a reader, or a permit of a semaphore of `permits`.
  Lock make_lease(const std::string& name, LockOptions options = {}, int permits = 1) {
    return reading() ? locks().make_reader(name, options) : locks().make_semaphore(name, permits, options);
  }
  // A handle the lease keeps out: a writer (without preference, so its
  // attempts do not hold readers back), or another permit of one.
  Lock make_excluded(const std::string& name, LockOptions options = {}) {
    return reading() ? locks().make_writer(name, options, {.writer_preference = false})
                     : locks().make_semaphore(name, 1, options);
  }
  std::string leases_key(const std::string& name) const {
    return holder_key(name) + (reading() ? ":readers" : ":permits");
  }
  std::string owners_key(const std::string& name) const { return leases_key(name) + ":owners"; }
  long long count_leases(const std::string& name) {
    return client().command({"ZCARD", leases_key(name)}).as_integer();
  }
  long long server_ms() {
    const auto time = client().command({"TIME"}).as_array();
    return time.at(0).integer_field("TIME seconds") * 1000 + time.at(1).integer_field("TIME microseconds") / 1000;
  }
  // Stores a lease of `token` ending at `ends` (server ms) with fence `fence`,
  // as the acquire script would.
  void store_lease(const std::string& name, const std::string& token, long long ends, int fence) {
    client().command({"ZADD", leases_key(name), std::to_string(ends), token});
    client().command({"HSET", owners_key(name), token,
                      R"({"host":"h","pid":"1","label":"","owner":"o","fence":")" + std::to_string(fence) +
                          R"(","acquired_at":"1","ttl":"10000"})"});
  }
  // One call of the kind's acquire script for `token` with a 10 s ttl:
  // {1, fence} granted, {0, pttl} refused.
  Reply acquire_script(const std::string& name, const std::string& token) {
    const std::string holder = holder_key(name);
    if (reading()) {
      return client().command(detail::embedded_script(detail::ScriptName::rwlock_read_acquire)
                                  .call({holder, holder + ":state", leases_key(name), owners_key(name),
                                         holder + ":intents"},
                                        {token, "10000", "h", "1", "", "o"}));
    }
    return client().command(detail::embedded_script(detail::ScriptName::semaphore_acquire)
                                .call({leases_key(name), owners_key(name), holder + ":state"},
                                      {token, "10000", "1", "h", "1", "", "o"}));
  }
  Reply extend_script(const std::string& name, const std::string& token) {
    const std::string holder = holder_key(name);
    if (reading()) {
      return client().command(detail::embedded_script(detail::ScriptName::rwlock_read_extend)
                                  .call({holder, leases_key(name), owners_key(name)}, {token, "10000"}));
    }
    return client().command(detail::embedded_script(detail::ScriptName::semaphore_extend)
                                .call({leases_key(name), owners_key(name)}, {token, "10000"}));
  }
};

INSTANTIATE_TEST_SUITE_P(Kinds, LeaseTest, testing::Values(LeaseKind::read, LeaseKind::permit), kind_name);

TEST_P(LeaseTest, IsRenewedWhileHeld) {
  Lock lease = make_lease("doc", {.ttl = 200ms});
  Lock excluded = make_excluded("doc", {.auto_renew = false});
  ASSERT_TRUE(lease.try_lock());
  const auto end = Clock::now() + 1s;  // five TTLs
  int attempts = 0;
  while (Clock::now() < end) {
    EXPECT_FALSE(excluded.try_lock());
    ++attempts;
    std::this_thread::sleep_for(20ms);  // pacing of the attempts, not a synchronisation
  }
  EXPECT_GT(attempts, 0);
  EXPECT_TRUE(lease.held());
  EXPECT_FALSE(lease.lost());
  EXPECT_EQ(lease.extend(10s), LockOutcome::done);
  EXPECT_EQ(lease.release(), LockOutcome::done);
}

TEST_P(LeaseTest, OfADeadHolderEndsWithItsTtl) {
  Lock dead = make_lease("doc", {.ttl = 300ms, .auto_renew = false});
  // Relies on the lease's end, not on its own retries.
  Lock excluded = make_excluded("doc", {.ttl = 5s, .retry = {.base_delay = 20s, .max_delay = 20s}});
  ASSERT_TRUE(dead.try_lock());
  // `dead` is never released: it stands for a holder whose process died.
  const auto start = Clock::now();
  EXPECT_TRUE(excluded.try_lock_for(5s));
  EXPECT_GE(Clock::now() - start, 200ms);
  EXPECT_EQ(count_leases("doc"), reading() ? 0 : 1);
  // Its handle finds out at its next extension or release.
  EXPECT_EQ(dead.extend(1s), LockOutcome::not_owner);
  EXPECT_TRUE(dead.lost());
  EXPECT_EQ(dead.release(), LockOutcome::not_owner);
  EXPECT_EQ(excluded.release(), LockOutcome::done);
}

TEST_P(LeaseTest, RemovedUnderItsHolderIsDetectedAsLost) {
  std::atomic<int> callbacks{0};
  Lock lease = make_lease("doc", {.ttl = 300ms, .on_lost = [&] { callbacks.fetch_add(1); }});
  ASSERT_TRUE(lease.try_lock());
  std::stop_token stop = lease.stop_token();
  client().command({"DEL", leases_key("doc")});
  ASSERT_TRUE(wait_for([&] { return stop.stop_requested(); }, 2s));
  EXPECT_TRUE(lease.lost());
  // The stop token fires first, then the callback runs (on the scheduler's
  // thread): await it rather than race it.
  EXPECT_TRUE(wait_for([&] { return callbacks.load() == 1; }, 2s));
  EXPECT_EQ(callbacks.load(), 1);
}

TEST_P(LeaseTest, ExpiredLeavesTheRegistryAndItsKeysExpire) {
  Lock lease = make_lease("doc", {.ttl = 200ms, .auto_renew = false}, 2);
  ASSERT_TRUE(lease.try_lock());
  EXPECT_EQ(locks().list().size(), 1u);
  EXPECT_TRUE(wait_for([&] { return locks().list().empty(); }, 2s));
  EXPECT_TRUE(wait_for(
      [&] { return client().command({"EXISTS", leases_key("doc"), owners_key("doc")}).as_integer() == 0; }, 2s));
}

TEST_P(LeaseTest, ExtendAndReleaseReportWhatTheyFound) {
  Lock lease = make_lease("outcomes", {.ttl = 100ms, .auto_renew = false}, 2);
  ASSERT_TRUE(lease.try_lock());
  ASSERT_TRUE(wait_for([&] { return locks().holders("outcomes").empty(); }, 2s));
  // Our lease ended and nobody holds the lock.
  EXPECT_EQ(lease.extend(1s), LockOutcome::expired);
  EXPECT_TRUE(lease.lost());
  ASSERT_TRUE(lease.try_lock());
  Lock other = make_lease("outcomes", {.ttl = 10s}, 2);
  ASSERT_TRUE(other.try_lock());
  ASSERT_TRUE(wait_for([&] { return locks().holders("outcomes").size() == 1; }, 2s));
  // Our lease ended and another lease holds the lock.
  EXPECT_EQ(lease.release(), LockOutcome::not_owner);
  EXPECT_EQ(other.release(), LockOutcome::done);
  EXPECT_THROW(other.release(), LockError);
}

// An acquisition is retried with the same token when its reply was lost. A
// retry whose lease has expired, but is still stored because more than the
// 100 dead leases one call prunes lie ahead of it, must not get that lease
// back while someone else holds the lock (a writer, or the only permit).
TEST_P(LeaseTest, ExpiredLeaseIsNeverRenewedEvenWhenStillStored) {
  for (int i = 0; i < 150; ++i) store_lease("doc", "dead" + std::to_string(i), 1, i + 1);
  store_lease("doc", "mine", 2, 200);
  if (reading()) {
    // A writer holds the lock, as lua/rwlock_write_acquire.lua leaves it.
    client().command({"HSET", holder_key("doc"), "token", "writer", "fence", "250", "kind", "write"});
    client().command({"PEXPIRE", holder_key("doc"), "10000"});
  } else {
    store_lease("doc", "live", server_ms() + 10000, 300);
  }
  const Reply acquired = acquire_script("doc", "mine");
  ASSERT_TRUE(acquired.is_array()) << acquired.to_display();
  EXPECT_EQ(acquired.as_array().at(0).as_integer(), 0) << acquired.to_display();
  // Not renewed: its stored end (if it is still stored) stays in the past.
  const Reply score = client().command({"ZSCORE", leases_key("doc"), "mine"});
  if (!score.is_nil()) {
    EXPECT_LE(score.double_field("score"), 2.0);
  }
  // Extending it finds it gone and someone else holding the lock.
  EXPECT_EQ(extend_script("doc", "mine").as_integer(), 0);
  EXPECT_TRUE(client().command({"ZSCORE", leases_key("doc"), "mine"}).is_nil());
  EXPECT_TRUE(client().command({"HGET", owners_key("doc"), "mine"}).is_nil());
}

}  // namespace
}  // namespace redkit
