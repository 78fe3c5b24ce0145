// Connections closed by the server (CLIENT KILL) while workers acquire and
// release as fast as they can. A reply lost this way leaves the client not
// knowing whether its command ran: an acquisition must not be granted twice,
// and a release must stay safe to repeat.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "fault/lock_fault_fixture.hpp"
#include "redkit/client.hpp"

namespace redkit::test::fault {
namespace {

using namespace std::chrono_literals;

TEST_F(LockFaultTest, ConnectionsKilledDuringAcquireAndReleaseNeverGrantTwice) {
  constexpr int kWorkers = 3;
  constexpr int kSections = 30;
  for (int id = 1; id <= kWorkers; ++id) {
    start_worker(id, {"--sections", std::to_string(kSections), "--hold-ms", "1", "--ttl-ms", "2000",
                      "--wait-ms", "30000", "--tolerate-errors"});
  }
  std::atomic<bool> done{false};
  long long killed = 0;
  std::thread killer([&] {
    Client admin(lock_server().url());
    std::mt19937 random(20261129);  // fixed: the same schedule every run
    std::uniform_int_distribution<int> pause_us(500, 6000);
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::microseconds(pause_us(random)));
      killed += admin.command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}).as_integer();
    }
  });
  for (int id = 1; id <= kWorkers; ++id) expect_clean_exit(id, 60s);
  done = true;
  killer.join();

  const CheckReport report = check();
  EXPECT_GT(killed, 0);
  EXPECT_EQ(report.sections.size(), static_cast<std::size_t>(kWorkers * kSections)) << report.describe();
  EXPECT_TRUE(report.overlaps.empty()) << report.describe();
  EXPECT_EQ(report.fence_regressions, 0) << report.describe();
  EXPECT_EQ(report.writes_out_of_order, 0) << report.describe();
  for (const CriticalSection& s : report.sections) {
    EXPECT_EQ(s.release_outcome, 0) << "worker " << s.worker << " section " << s.section << ": "
                                     << report.describe();
  }
  // An acquisition whose reply was lost is retried as the same request, so
  // no orphaned lock is left to run out its TTL.
  Client client(lock_server().url());
  EXPECT_EQ(client.command({"EXISTS", "redkit:lock:{" + lock_name() + "}"}).as_integer(), 0);
  std::cout << "connections killed: " << killed << ", operations that failed and were retried: " << report.errors
            << "\n";
}

}  // namespace
}  // namespace redkit::test::fault
