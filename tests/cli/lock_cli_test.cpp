// `redkit lock exec | list | info | release` as a user runs them: exit codes,
// the fence in the environment, mutual exclusion between processes, the
// command stopped when the lock is lost, signals passed on.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "redkit/client.hpp"
#include "support/redis_test.hpp"
#include "support/subprocess.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;
using test::run_command;
using test::wait_for;

class LockCliTest : public RedisTest {
 protected:
  test::CommandResult redkit_cli(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s) {
    args.insert(args.begin(), {REDKIT_CLI_PATH, "--redis", redis().url()});
    return run_command(args, timeout);
  }
  // A unique lock name per test; the CLI always uses the "redkit:" prefix.
  std::string name() const {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string("cli.") + info->name();
  }
  Client client() { return Client(redis().url()); }
  // Starts `redkit lock exec` in the background; returns its pid.
  pid_t spawn(const std::vector<std::string>& args) {
    pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<std::string> all{REDKIT_CLI_PATH, "--redis", redis().url()};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return pid;
  }
  static int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  bool held(const std::string& lock) {
    return client().command({"EXISTS", "redkit:lock:{" + lock + "}"}).as_integer() == 1;
  }
};

TEST_F(LockCliTest, ExitsWithTheCommandsStatusAndExportsTheFence) {
  auto result = redkit_cli({"lock", "exec", name(), "--", "sh", "-c", "echo fence=$REDKIT_FENCE; exit 7"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_NE(result.output.find("fence=1"), std::string::npos) << result.output;
  auto second = redkit_cli({"lock", "exec", name(), "--", "sh", "-c", "echo fence=$REDKIT_FENCE"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.output.find("fence=2"), std::string::npos) << second.output;
  EXPECT_FALSE(held(name()));  // released when the command ended
}

TEST_F(LockCliTest, Exits75WhenTheLockIsNotAcquiredInTime) {
  pid_t holder = spawn({"lock", "exec", name(), "--owner", "holder", "--", "sleep", "30"});
  ASSERT_TRUE(wait_for([&] { return held(name()); }, 10s));
  auto result = redkit_cli({"lock", "exec", name(), "--wait", "200ms", "--", "true"});
  EXPECT_EQ(result.exit_code, 75);
  EXPECT_NE(result.output.find("not acquired within 200ms"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("(holder)"), std::string::npos) << result.output;
  ::kill(holder, SIGTERM);
  EXPECT_EQ(wait_exit(holder), 128 + SIGTERM);  // forwarded to sleep, whose status is passed on
  EXPECT_FALSE(held(name()));
}

TEST_F(LockCliTest, ProcessesIncrementingUnderTheLockLoseNoUpdate) {
  const std::string counter = "redkit:test:" + name();
  const std::string socket = redis().socket_path().string();
  const std::string increment = "v=$(redis-cli -s " + socket + " GET " + counter +
                                "); redis-cli -s " + socket + " SET " + counter + " $((${v:-0}+1)) >/dev/null";
  const std::string loop = std::string("for i in $(seq 10); do ") + REDKIT_CLI_PATH + " --redis " + redis().url() +
                           " lock exec " + name() + " --wait 60s -- sh -c '" + increment + "' || exit 1; done";
  auto result = run_command({"sh", "-c", "(" + loop + ") & (" + loop + ") & (" + loop + ") & (" + loop +
                                             ") & wait"},
                            120s);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(client().command({"GET", counter}).as_string(), "40");
}

TEST_F(LockCliTest, LostLockStopsTheCommandAndExitsNonZero) {
  pid_t runner = spawn({"lock", "exec", name(), "--ttl", "600ms", "--grace", "2s", "--", "sleep", "30"});
  ASSERT_TRUE(wait_for([&] { return held(name()); }, 10s));
  auto released = redkit_cli({"lock", "release", name(), "--force", "--json"});
  ASSERT_EQ(released.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(released.output)["released"], true);
  // The next renewal (at a third of the TTL) finds the lock gone: the command
  // gets SIGTERM and redkit reports the loss.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_exit(runner), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

// The command was left running past the lock's TTL when redkit itself was
// killed: nothing else would stop it while another holder took the lock.
TEST_F(LockCliTest, CommandDiesWithAKilledRedkit) {
  const std::string pid_file = ::testing::TempDir() + "/lock-exec-child-" + std::to_string(::getpid());
  std::remove(pid_file.c_str());
  pid_t runner = spawn({"lock", "exec", name(), "--ttl", "30s", "--", "sh", "-c",
                        "echo $$ > " + pid_file + ".tmp && mv " + pid_file + ".tmp " + pid_file + " && exec sleep 300"});
  pid_t child = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        std::ifstream in(pid_file);
        return static_cast<bool>(in >> child) && child > 0;
      },
      10s));
  ::kill(runner, SIGKILL);
  EXPECT_EQ(wait_exit(runner), 128 + SIGKILL);
  // Gone, or a zombie waiting for whoever adopted it to reap it.
  auto gone = [child] {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string pid, command, state;
    return !(stat >> pid >> command >> state) || state == "Z";
  };
  EXPECT_TRUE(wait_for(gone, 10s));
  if (!gone()) ::kill(child, SIGKILL);
  std::remove(pid_file.c_str());
}

TEST_F(LockCliTest, DurationsAboveTenYearsAreUsageErrors) {
  auto ttl = redkit_cli({"lock", "exec", name(), "--ttl", "3651d", "--", "true"});
  EXPECT_EQ(ttl.exit_code, 2);
  EXPECT_NE(ttl.output.find("--ttl: 3651d is longer than the limit of ten years"), std::string::npos) << ttl.output;
  auto wait = redkit_cli({"lock", "exec", name(), "--wait", "99999d", "--", "true"});
  EXPECT_EQ(wait.exit_code, 2);
  EXPECT_FALSE(held(name()));
}

TEST_F(LockCliTest, ListInfoAndReleaseAsJson) {
  pid_t holder = spawn({"lock", "exec", name(), "--owner", "lister", "--", "sleep", "30"});
  ASSERT_TRUE(wait_for([&] { return held(name()); }, 10s));
  auto list = redkit_cli({"--json", "lock", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  auto locks = nlohmann::json::parse(list.output);
  bool found = false;
  for (const auto& lock : locks) {
    if (lock["name"] == name()) {
      found = true;
      EXPECT_EQ(lock["label"], "lister");
      EXPECT_EQ(lock["kind"], "exclusive");
      EXPECT_TRUE(lock["fence"].is_number_integer());
      EXPECT_TRUE(lock["ttl_left_ms"].is_number_integer());
      EXPECT_EQ(lock["pid"], holder);
    }
  }
  EXPECT_TRUE(found) << list.output;
  auto info = redkit_cli({"lock", "info", name(), "--json"});
  EXPECT_EQ(nlohmann::json::parse(info.output)["held"], true);
  EXPECT_EQ(redkit_cli({"lock", "release", name()}).exit_code, 2);  // --force is required
  ::kill(holder, SIGINT);
  wait_exit(holder);
  auto after = redkit_cli({"lock", "info", name(), "--json"});
  EXPECT_EQ(nlohmann::json::parse(after.output)["held"], false);
}

TEST_F(LockCliTest, MetricsAsJsonAndPrometheus) {
  ASSERT_EQ(redkit_cli({"lock", "exec", name(), "--", "true"}).exit_code, 0);
  auto json = redkit_cli({"lock", "metrics", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  auto parsed = nlohmann::json::parse(json.output);
  EXPECT_GE(parsed["acquisitions"].get<long long>(), 1);
  EXPECT_TRUE(parsed["hold"]["count"].is_number_integer());
  auto text = redkit_cli({"lock", "metrics", "--prometheus"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_NE(text.output.find("# TYPE redkit_lock_acquisitions_total counter"), std::string::npos) << text.output;
}

TEST_F(LockCliTest, BadInputIsAClearErrorAndTouchesNothing) {
  auto bad_ttl = redkit_cli({"lock", "exec", name(), "--ttl", "soon", "--", "true"});
  EXPECT_EQ(bad_ttl.exit_code, 2);
  EXPECT_NE(bad_ttl.output.find("\"soon\""), std::string::npos) << bad_ttl.output;
  auto bad_name = redkit_cli({"lock", "exec", "a{b}", "--", "true"});
  EXPECT_EQ(bad_name.exit_code, 1);
  EXPECT_NE(bad_name.output.find("\"a{b}\""), std::string::npos) << bad_name.output;
  auto missing_command = redkit_cli({"lock", "exec", name()});
  EXPECT_EQ(missing_command.exit_code, 2);
  // As a shell: 127 for no such command, 126 for one that cannot be run.
  auto not_found = redkit_cli({"lock", "exec", name(), "--", "/nonexistent/tool"});
  EXPECT_EQ(not_found.exit_code, 127);
  EXPECT_NE(not_found.output.find("/nonexistent/tool"), std::string::npos) << not_found.output;
  const std::string not_executable = ::testing::TempDir() + "/not-executable-" + std::to_string(::getpid());
  std::ofstream(not_executable) << "#!/bin/sh\nexit 0\n";
  auto cannot_run = redkit_cli({"lock", "exec", name(), "--", not_executable});
  EXPECT_EQ(cannot_run.exit_code, 126);
  EXPECT_NE(cannot_run.output.find("Permission denied"), std::string::npos) << cannot_run.output;
  EXPECT_FALSE(held(name()));
}

}  // namespace
}  // namespace redkit
