// The lock fault suite's fixture; see lock_fault_fixture.hpp.
#include "fault/lock_fault_fixture.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "devserver/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace redkit::test::fault {

void LockFaultTest::SetUp() {
  lock_server_ = start_redis();
  resource_server_ = start_redis();
  dir_ = devserver::make_temp_dir("lock-fault-");
  lock_name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

void LockFaultTest::TearDown() {
  if (lock_server_->paused()) lock_server_->resume();
  if (HasFailure()) std::cerr << diagnostics();
  workers_.clear();  // SIGKILL (which also ends a stopped child) and reap
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void LockFaultTest::restart_lock_server_with(RedisProcessOptions options) {
  lock_server_.reset();
  lock_server_ = start_redis(std::move(options));
}

FencedResource LockFaultTest::resource() { return FencedResource(Client(resource_server_->url()), lock_name_); }

ChildProcess& LockFaultTest::start_worker(int id, const std::vector<std::string>& flags,
                                          const std::vector<std::string>& shared_flags) {
  std::vector<std::string> argv{LOCK_FAULT_WORKER_PATH,
                                "--url", lock_server_->url(),
                                "--resource-url", resource_server_->url(),
                                "--name", lock_name_,
                                "--worker", std::to_string(id),
                                "--log", log_of(id).string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), shared_flags.begin(), shared_flags.end());
  auto child = std::make_unique<ChildProcess>(argv, dir_ / fmt::format("worker-{}.out", id));
  ChildProcess& started = *child;
  workers_[id] = std::move(child);
  return started;
}

void LockFaultTest::expect_clean_exit(int id, std::chrono::milliseconds timeout) {
  const auto status = worker(id).wait_exit(timeout);
  ASSERT_TRUE(status.has_value()) << "worker " << id << " still runs after " << timeout.count() << " ms";
  EXPECT_EQ(*status, 0) << "worker " << id << ": " << worker(id).output();
}

std::filesystem::path LockFaultTest::log_of(int id) const { return dir_ / fmt::format("worker-{}.log", id); }

std::vector<Event> LockFaultTest::events_of(int id) const { return read_events(log_of(id)); }

std::vector<Event> LockFaultTest::events() const {
  std::vector<Event> all;
  for (const auto& [id, child] : workers_) {
    auto mine = events_of(id);
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::stable_sort(all.begin(), all.end(), [](const Event& a, const Event& b) { return a.at_ns < b.at_ns; });
  return all;
}

bool LockFaultTest::has_event(int id, EventKind kind) const {
  const auto mine = events_of(id);
  return std::any_of(mine.begin(), mine.end(), [&](const Event& e) { return e.kind == kind; });
}

bool LockFaultTest::wait_for_event(int id, EventKind kind, std::chrono::milliseconds timeout) const {
  return wait_for([&] { return has_event(id, kind); }, timeout, std::chrono::milliseconds(1));
}

CheckReport LockFaultTest::check() { return check_sections(events(), resource().accepted()); }

std::string LockFaultTest::diagnostics() const {
  std::ostringstream text;
  for (const auto& [id, child] : workers_) {
    text << "--- worker " << id << " output:\n" << child->output() << "--- worker " << id << " log:\n";
    std::ifstream log(log_of(id));
    text << log.rdbuf() << "\n";
  }
  return text.str();
}

}  // namespace redkit::test::fault
