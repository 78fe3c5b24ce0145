// `redkit metrics` as a user runs it: the operation metrics that a
// SelfMonitor sent and the lock metrics, as JSON, as a table, and as
// Prometheus text that promtool accepts.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/self_metrics.hpp"
#include "redkit/time_series.hpp"
#include "support/redis_test.hpp"
#include "support/subprocess.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;
using test::run_command;

class MetricsCliTest : public RedisTest {
 protected:
  test::CommandResult redkit_cli(std::vector<std::string> args) {
    args.insert(args.begin(), {REDKIT_CLI_PATH, "--redis", redis().url()});
    return run_command(args);
  }
  // Two series adds, one of them refused, and one lock held and released,
  // all sent to Redis under the CLI's prefix "redkit:" on an empty database.
  void record_some_operations() {
    Client client(redis().url());
    SelfMonitor monitor(client, {.prefix = "redkit:", .flush_interval = 0ms});
    monitor.flush();  // earlier counts of this process
    client.command({"FLUSHALL"});
    ts::Store store(client);
    store.add("cli:series", 1000, 1);
    store.add("cli:series", 2000, 2);
    EXPECT_THROW(store.add("cli:series", 2000, 3), ts::SampleRejected);
    LockService locks(client, {.prefix = "redkit:", .owner_label = {}, .metrics_flush_interval = 0ms});
    Lock lock = locks.make("cli:lock");
    ASSERT_TRUE(lock.try_lock());
    lock.unlock();
    locks.flush_metrics();
    monitor.flush();
  }
};

TEST_F(MetricsCliTest, PrometheusOutputPassesPromtoolAndNamesEveryFamily) {
  record_some_operations();
  const auto text = redkit_cli({"metrics", "--prometheus"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  for (const std::string line :
       {"# TYPE redkit_operation_calls_total counter", "redkit_operation_calls_total{op=\"ts_add\"} 3",
        "redkit_operation_errors_total{op=\"ts_add\"} 1", "# TYPE redkit_operation_seconds histogram",
        "redkit_operation_seconds_bucket{op=\"ts_add\",le=\"+Inf\"} 3", "redkit_operation_seconds_count{op=\"ts_add\"} 3",
        "redkit_operation_calls_total{op=\"lock_acquire\"} 1", "redkit_operation_calls_total{op=\"client_round_trip\"}",
        "# TYPE redkit_lock_acquisitions_total counter", "redkit_lock_acquisitions_total 1",
        "# TYPE redkit_lock_hold_seconds histogram"}) {
    EXPECT_NE(text.output.find(line), std::string::npos) << line << "\n" << text.output;
  }

  // promtool comes with the Debian prometheus package (scripts/bootstrap.sh
  // installs it); without it this test fails rather than passing unchecked.
  const auto found = run_command({"sh", "-c", "command -v promtool"});
  ASSERT_EQ(found.exit_code, 0) << "promtool is not installed: run scripts/bootstrap.sh";
  // The CLI's output piped into promtool, as an operator would check it; a
  // failing redkit is exit status 90, not promtool's.
  const auto checked = run_command(
      {"sh", "-c", "out=$(\"$0\" --redis \"$1\" metrics --prometheus) || exit 90; "
                   "printf '%s\\n' \"$out\" | promtool check metrics",
       REDKIT_CLI_PATH, redis().url()});
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_EQ(checked.output, "") << "promtool found problems";
}

TEST_F(MetricsCliTest, JsonHasTheOperationsAndTheLocks) {
  record_some_operations();
  const auto result = redkit_cli({"metrics", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  EXPECT_EQ(json["operations"]["ts_add"]["calls"].get<long long>(), 3);
  EXPECT_EQ(json["operations"]["ts_add"]["errors"].get<long long>(), 1);
  EXPECT_TRUE(json["operations"]["ts_add"]["p99_ms"].is_number());
  EXPECT_EQ(json["operations"]["lock_hold"]["calls"].get<long long>(), 1);
  EXPECT_EQ(json["operations"]["ts_mrange"]["calls"].get<long long>(), 0);
  EXPECT_EQ(json["operations"].size(), kSelfOpCount);
  EXPECT_EQ(json["locks"]["acquisitions"].get<long long>(), 1);
  EXPECT_EQ(json["locks"]["releases"].get<long long>(), 1);
  EXPECT_EQ(json["locks"]["hold"]["count"].get<long long>(), 1);
}

TEST_F(MetricsCliTest, TableListsEveryOperationAndTheLockSummary) {
  record_some_operations();
  const auto result = redkit_cli({"metrics"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("operation"), std::string::npos) << result.output;
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    EXPECT_NE(result.output.find(std::string(to_string(static_cast<SelfOp>(i)))), std::string::npos)
        << to_string(static_cast<SelfOp>(i)) << "\n" << result.output;
  }
  EXPECT_NE(result.output.find("locks: attempts 1  acquisitions 1"), std::string::npos) << result.output;
}

TEST_F(MetricsCliTest, UnreachableRedisIsAClearError) {
  const auto result = run_command({REDKIT_CLI_PATH, "--redis", "redis://127.0.0.1:1", "metrics"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("127.0.0.1:1"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace redkit
