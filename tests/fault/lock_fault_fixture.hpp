// The fixture of the lock fault suite: a private redis-server for the lock
// and another for the fenced resource (faults hit only the lock's server),
// worker processes running tests/fault/lock_fault_worker, and the checker
// over their logs.
//
//   TEST_F(LockFaultTest, Something) {
//     auto& a = start_worker(1, {"--ttl-ms", "500", "--hold-ms", "3000"});
//     ASSERT_TRUE(wait_for_event(1, EventKind::acquired));
//     a.pause();
//     ...
//     CheckReport report = check();
//     EXPECT_TRUE(report.overlaps.empty()) << report.describe();
//   }
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fault/fault_log.hpp"
#include "fault/fenced_resource.hpp"
#include "fault/section_checker.hpp"
#include "support/child_process.hpp"
#include "support/redis_server.hpp"

namespace redkit::test::fault {

class LockFaultTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Replaces the lock's server by one started with these options (AOF...).
  void restart_lock_server_with(RedisProcessOptions options);
  RedisProcess& lock_server() { return *lock_server_; }
  RedisProcess& resource_server() { return *resource_server_; }
  // The lock's name, unique to the test.
  const std::string& lock_name() const { return lock_name_; }
  FencedResource resource();

  // Starts worker `id` on the lock with extra flags (see lock_fault_worker.cpp),
  // then the flags every worker of the test shares (the lock's kind...).
  ChildProcess& start_worker(int id, const std::vector<std::string>& flags,
                             const std::vector<std::string>& shared_flags = {});
  ChildProcess& worker(int id) { return *workers_.at(id); }
  // Waits for the worker to exit and expects status 0.
  void expect_clean_exit(int id, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  std::filesystem::path log_of(int id) const;
  // Every worker's events, merged in time order.
  std::vector<Event> events() const;
  std::vector<Event> events_of(int id) const;
  bool has_event(int id, EventKind kind) const;
  bool wait_for_event(int id, EventKind kind, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  CheckReport check();

  // Worker output and logs, for failure messages.
  std::string diagnostics() const;

 private:
  std::unique_ptr<RedisProcess> lock_server_;
  std::unique_ptr<RedisProcess> resource_server_;
  std::filesystem::path dir_;
  std::string lock_name_;
  std::map<int, std::unique_ptr<ChildProcess>> workers_;
};

}  // namespace redkit::test::fault
