// A lock's validity is measured on the monotonic clock, so a jump of the
// client's wall clock (NTP step, operator) neither extends nor shortens it.
// The worker runs with libfaketime preloaded, its wall clock read from a file
// the test rewrites, its monotonic clock left alone.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "fault/lock_fault_fixture.hpp"
#include "support/wait_for.hpp"

namespace redkit::test::fault {
namespace {

using namespace std::chrono_literals;

constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

std::vector<Event> validity_events(const std::vector<Event>& events) {
  std::vector<Event> v;
  for (const Event& e : events) {
    if (e.kind == EventKind::validity) v.push_back(e);
  }
  return v;
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(LockFaultTest, WallClockJumpsInTheClientDoNotChangeTheLocksValidity) {
  ASSERT_TRUE(std::filesystem::exists(kFaketime)) << kFaketime << " is missing: scripts/bootstrap.sh installs it";
  const auto clock_file = log_of(1).parent_path() / "faked-clock";
  auto set_offset = [&](const std::string& offset) {
    std::ofstream(clock_file) << offset << "\n";
  };
  set_offset("+0");
  const char* asan = std::getenv("ASAN_OPTIONS");
  ChildProcess worker({"/usr/bin/env", std::string("LD_PRELOAD=") + kFaketime,
                       "FAKETIME_TIMESTAMP_FILE=" + clock_file.string(), "FAKETIME_NO_CACHE=1",
                       "FAKETIME_DONT_FAKE_MONOTONIC=1",
                       // libfaketime comes before the sanitizer runtime in a sanitized build
                       std::string("ASAN_OPTIONS=verify_asan_link_order=0") + (asan ? std::string(":") + asan : ""),
                       LOCK_FAULT_WORKER_PATH, "--validity", "--url", lock_server().url(), "--name", lock_name(),
                       "--ttl-ms", "1500", "--log", log_of(1).string()},
                      log_of(1).parent_path() / "validity.out");
  ASSERT_TRUE(wait_for([&] { return validity_events(events_of(1)).size() >= 3; }, 10s)) << worker.output();
  set_offset("+1d");  // forward a day
  ASSERT_TRUE(wait_for(
      [&] {
        auto v = validity_events(events_of(1));
        return !v.empty() && v.back().detail > now_s() + 80'000;
      },
      5s))
      << "the worker's wall clock did not move: the jump was not injected\n" << worker.output();
  set_offset("-1d");  // and back, past the start
  ASSERT_TRUE(wait_for(
      [&] {
        auto v = validity_events(events_of(1));
        return !v.empty() && v.back().detail < now_s() - 80'000;
      },
      5s))
      << worker.output();
  const auto status = worker.wait_exit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << worker.output();

  const auto all = events_of(1);
  const auto v = validity_events(all);
  ASSERT_GE(v.size(), 10u);
  const std::int64_t acquired_ns = all.front().at_ns;
  for (const Event& e : v) {
    // Validity plus the monotonic time since the acquisition stays the TTL,
    // within scheduling noise, whatever the wall clock did.
    const std::int64_t elapsed_ms = (e.at_ns - acquired_ns) / 1'000'000;
    if (e.value > 0) {
      EXPECT_NEAR(static_cast<double>(e.value + elapsed_ms), 1500.0, 60.0) << "at " << elapsed_ms << " ms";
    }
  }
  EXPECT_EQ(v.back().value, 0);
  const std::int64_t expired_ms = (v.back().at_ns - acquired_ns) / 1'000'000;
  EXPECT_GE(expired_ms, 1440);
  EXPECT_LE(expired_ms, 1600);
}

}  // namespace
}  // namespace redkit::test::fault
