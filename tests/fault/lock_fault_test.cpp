// Lock safety under faults, each schedule with real processes and a real
// server: a holder stopped past its TTL, the server paused past the TTL, the
// server killed and restarted with and without persistence. The checker
// (section_checker.hpp) reads the workers' logs; the fenced resource shows
// which writes a stale holder could still make. What each schedule proves is
// summarised in docs/GUARANTEES.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fault/lock_fault_fixture.hpp"
#include "redkit/client.hpp"
#include "support/wait_for.hpp"

namespace redkit::test::fault {
namespace {

using namespace std::chrono_literals;

const CriticalSection* section_of(const CheckReport& report, int worker, int section = 1) {
  for (const CriticalSection& s : report.sections) {
    if (s.worker == worker && s.section == section) return &s;
  }
  return nullptr;
}

// The restart schedules: worker 1 holds the lock for 2.5 s (TTL 3 s) and
// writes every 20 ms; worker 2, started with `waiter_flags`, waits for it;
// meanwhile the lock's server is killed and started again on the same port
// and directory. Both workers ride out the dropped connections.
class LockRestartTest : public LockFaultTest {
 protected:
  void kill_and_restart_while_held(std::vector<std::string> waiter_flags) {
    start_worker(1, {"--ttl-ms", "3000", "--hold-ms", "2500", "--write-every-ms", "20", "--tolerate-errors"});
    ASSERT_TRUE(wait_for_event(1, EventKind::wrote));
    waiter_flags.insert(waiter_flags.end(), {"--ttl-ms", "3000", "--wait-ms", "20000", "--tolerate-errors"});
    start_worker(2, waiter_flags);
    lock_server().kill_hard();
    lock_server().start();
    expect_clean_exit(1);
    expect_clean_exit(2);
  }
};

TEST_F(LockFaultTest, WorkersWithoutFaultsNeverOverlap) {
  for (int id = 1; id <= 4; ++id) {
    start_worker(id, {"--sections", "15", "--hold-ms", "2", "--write-every-ms", "1"});
  }
  for (int id = 1; id <= 4; ++id) expect_clean_exit(id);
  const CheckReport report = check();
  EXPECT_EQ(report.sections.size(), 60u) << report.describe();
  EXPECT_TRUE(report.overlaps.empty()) << report.describe();
  EXPECT_EQ(report.fence_regressions, 0) << report.describe();
  EXPECT_EQ(report.writes_out_of_order, 0) << report.describe();
  EXPECT_EQ(report.writes_refused, 0) << report.describe();
  EXPECT_EQ(report.lost, 0) << report.describe();
}

// The case fencing exists for: the holder cannot know it was stopped, so
// another process takes the expired lock while the first still believes it
// holds it. The overlap happens; the resource refuses the stale writes.
TEST_F(LockFaultTest, HolderPausedPastItsTtlIsFencedOffAndLearnsItLostTheLock) {
  ChildProcess& first = start_worker(1, {"--ttl-ms", "400", "--hold-ms", "5000", "--write-every-ms", "50"});
  ASSERT_TRUE(wait_for_event(1, EventKind::wrote));
  first.pause();
  start_worker(2, {"--ttl-ms", "400", "--hold-ms", "50", "--write-every-ms", "10"});
  expect_clean_exit(2);  // took the lock once the first one's TTL ran out
  first.resume();
  expect_clean_exit(1);

  const CheckReport report = check();
  const CriticalSection* stale = section_of(report, 1);
  const CriticalSection* next = section_of(report, 2);
  ASSERT_TRUE(stale != nullptr && next != nullptr) << report.describe();
  EXPECT_EQ(report.overlaps.size(), 1u) << "the stopped holder and the next one: " << report.describe();
  EXPECT_GT(next->fence, stale->fence);
  EXPECT_GE(stale->writes_refused, 1) << "the stale holder's write after resuming: " << report.describe();
  EXPECT_EQ(report.writes_out_of_order, 0) << report.describe();
  EXPECT_TRUE(stale->lost) << "the stop token fired once it resumed";
  EXPECT_NE(stale->release_outcome, 0) << "its release reports the lock was not its any more";
  EXPECT_EQ(next->release_outcome, 0);
}

// A paused server answers nobody: the holder cannot renew, so it must give
// the lock up on its own clock once its validity has passed — before anyone
// else can acquire, since that also needs the server.
TEST_F(LockFaultTest, ServerPausedPastTheTtlMakesTheHolderStopBeforeAnyoneElseEnters) {
  start_worker(1, {"--ttl-ms", "600", "--hold-ms", "5000", "--write-every-ms", "10"});
  ASSERT_TRUE(wait_for_event(1, EventKind::wrote));
  start_worker(2, {"--ttl-ms", "600", "--hold-ms", "20", "--wait-ms", "20000", "--tolerate-errors"});
  lock_server().pause();
  EXPECT_TRUE(wait_for_event(1, EventKind::lost, 5s)) << "the holder did not notice its validity ran out";
  lock_server().resume();
  expect_clean_exit(1);
  expect_clean_exit(2);

  const CheckReport report = check();
  const CriticalSection* holder = section_of(report, 1);
  ASSERT_NE(holder, nullptr) << report.describe();
  EXPECT_TRUE(holder->lost);
  EXPECT_TRUE(report.overlaps.empty()) << report.describe();
  EXPECT_EQ(report.fence_regressions, 0) << report.describe();
  EXPECT_EQ(report.writes_out_of_order, 0) << report.describe();
  EXPECT_EQ(report.sections.size(), 2u) << report.describe();
  // Lost no later than its TTL after entering, plus one write step.
  EXPECT_LT(holder->left_ns - holder->entered_ns, 700'000'000) << report.describe();
}

// With appendfsync always the lock and its fencing counter survive a crash:
// the holder keeps the lock through the restart and nobody overlaps it.
TEST_F(LockRestartTest, ServerKilledAndRestartedWithAofAlwaysKeepsTheLock) {
  restart_lock_server_with({.appendonly = true, .appendfsync = "always"});
  kill_and_restart_while_held({"--hold-ms", "20"});

  const CheckReport report = check();
  const CriticalSection* holder = section_of(report, 1);
  ASSERT_NE(holder, nullptr) << report.describe();
  EXPECT_FALSE(holder->lost) << report.describe();
  EXPECT_EQ(holder->release_outcome, 0) << report.describe();
  EXPECT_TRUE(report.overlaps.empty()) << report.describe();
  EXPECT_EQ(report.fence_regressions, 0) << report.describe();
  EXPECT_EQ(report.writes_out_of_order, 0) << report.describe();
  EXPECT_EQ(report.writes_refused, 0) << report.describe();
}

// Without persistence a restart forgets the lock and the fencing counter.
// This test pins down what is then NOT guaranteed: another process enters
// while the holder still works, and its token is lower than the holder's, so
// a fenced resource refuses the new holder (it stays consistent, but
// unavailable until the counter passes the old tokens).
TEST_F(LockRestartTest, ServerRestartedWithoutPersistenceForgetsTheLockAndItsFences) {
  start_worker(9, {"--sections", "4", "--hold-ms", "1"});  // fences 1 to 4
  expect_clean_exit(9);
  kill_and_restart_while_held({"--hold-ms", "300", "--write-every-ms", "20"});

  const CheckReport report = check();
  const CriticalSection* holder = section_of(report, 1);
  ASSERT_NE(holder, nullptr) << report.describe();
  const auto after = std::find_if(report.sections.begin(), report.sections.end(),
                                  [](const CriticalSection& s) { return s.worker == 2; });
  ASSERT_NE(after, report.sections.end()) << report.describe();
  EXPECT_EQ(holder->fence, 5);
  EXPECT_EQ(after->fence, 1) << "the counter restarted";
  EXPECT_FALSE(report.overlaps.empty()) << "mutual exclusion is lost across the restart: " << report.describe();
  EXPECT_TRUE(holder->lost) << "the holder's next renewal finds another owner";
  EXPECT_GE(after->writes_refused, 1) << report.describe();
  EXPECT_EQ(report.writes_out_of_order, 0) << "the resource itself stays consistent: " << report.describe();
}

}  // namespace
}  // namespace redkit::test::fault
