// Bad input to every redkit command: the exit status (2 for what was typed
// wrong, 1 for what the server or the library refused), one line on stderr
// naming the bad value, and a database left exactly as it was.
// tests/BAD_INPUT.md lists what each test covers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/time_series.hpp"
#include "support/db_snapshot.hpp"
#include "support/redis_test.hpp"
#include "support/subprocess.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;

constexpr int kUsage = 2;
constexpr int kFailure = 1;
const std::string kUsageHint = " (run 'redkit --help' for usage)";

// Every test starts from a database holding a series with samples and a
// rule, a held lock, and a string where the series "wrong" would live. The
// CLI always uses the "redkit:" prefix, so each test empties the suite's
// private server first.
class BadInputCliTest : public test::RedisTest {
 protected:
  void SetUp() override {
    test::RedisTest::SetUp();
    client_.emplace(redis().url());
    client_->command({"FLUSHDB"});
    ts::Store store(*client_);
    store.create("base", {.retention = 0ms, .duplicate_policy = {}, .labels = {{"host", "a"}}});
    store.create("base:1m", {});
    store.create_rule("base", "base:1m", {.aggregator = ts::Aggregator::avg, .bucket = 1min});
    store.add_many("base", std::vector<ts::Sample>{{1000, 1}, {2000, 2}, {70'000, 3}});
    locks_ = std::make_unique<LockService>(*client_);
    held_ = std::make_unique<Lock>(locks_->make("held", {.ttl = 60s, .auto_renew = false}));
    ASSERT_TRUE(held_->try_lock());
    locks_->flush_metrics();
    client_->command({"SET", "redkit:ts:{wrong}", "not a series"});
    before_ = test::snapshot_db(*client_);
  }
  void TearDown() override {
    held_.reset();
    locks_.reset();
    client_.reset();
  }

  // Runs redkit against the suite's server and checks the refusal: the exit
  // status, the whole output (one "redkit: ..." line) and an unchanged
  // database.
  void expect_refused(std::vector<std::string> args, int exit_code, const std::string& message) {
    args.insert(args.begin(), {REDKIT_CLI_PATH, "--redis", redis().url()});
    const test::CommandResult result = test::run_command(args, 60s);
    std::string command;
    for (std::size_t i = 3; i < args.size(); ++i) command += args[i] + " ";
    EXPECT_EQ(result.exit_code, exit_code) << command << "\n" << result.output;
    EXPECT_EQ(result.output, "redkit: " + message + (exit_code == kUsage ? kUsageHint : "") + "\n") << command;
    EXPECT_EQ(test::changes_since(before_, test::snapshot_db(*client_)), "") << command;
  }

  std::string csv_file(const std::string& text) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string path =
        ::testing::TempDir() + "/bad-input-" + info->name() + "-" + std::to_string(::getpid()) + ".csv";
    std::ofstream(path) << text;
    return path;
  }

  std::optional<Client> client_;
  std::unique_ptr<LockService> locks_;
  std::unique_ptr<Lock> held_;
  test::DbSnapshot before_;
};

TEST_F(BadInputCliTest, MalformedRedisUrlIsAUsageErrorForEveryCommand) {
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"ping"}, {"demo"}, {"lock", "list"}, {"lock", "metrics"}, {"metrics"},
                                             {"ts", "info", "base"}}) {
    std::vector<std::string> args{REDKIT_CLI_PATH, "--redis", "redis://host:0"};
    args.insert(args.end(), command.begin(), command.end());
    const auto result = test::run_command(args, 60s);
    EXPECT_EQ(result.exit_code, kUsage) << command.front();
    EXPECT_EQ(result.output,
              "redkit: invalid Redis URL \"redis://host:0\": port 0 is out of range (1-65535)" + kUsageHint + "\n")
        << command.front();
  }
  EXPECT_EQ(test::changes_since(before_, test::snapshot_db(*client_)), "");
}

TEST_F(BadInputCliTest, UnknownCommandsAndOptions) {
  expect_refused({"frobnicate"}, kUsage, "unknown command 'frobnicate'");
  expect_refused({"ping", "--count", "0"}, kUsage, "--count: Value 0 not in range 1 to 1000000");
  expect_refused({"ts", "add", "base", "5"}, kUsage, "value is required");
}

TEST_F(BadInputCliTest, LockExecRefusesBadDurationsNamesAndCommands) {
  expect_refused({"lock", "exec", "job", "--ttl", "soon", "--", "true"}, kUsage,
                 "--ttl: invalid duration \"soon\": expected a number (use e.g. 500ms, 30s, 5m, 24h, 7d)");
  expect_refused({"lock", "exec", "job", "--ttl", "0s", "--", "true"}, kUsage, "--ttl: 0s must be positive");
  expect_refused({"lock", "exec", "job", "--wait", "-5s", "--", "true"}, kUsage,
                 "--wait: invalid duration \"-5s\": negative");
  expect_refused({"lock", "exec", "job", "--grace", "1parsec", "--", "true"}, kUsage,
                 "--grace: invalid duration \"1parsec\": unknown unit at \"parsec\" (units: ms, s, m, h, d)");
  expect_refused({"lock", "exec", "", "--", "true"}, kFailure, "lock name is empty");
  expect_refused({"lock", "exec", "a{b}", "--", "true"}, kFailure,
                 "lock name \"a{b}\" holds '{' or '}', which would break its key's hash tag");
  expect_refused({"lock", "exec", "job", "--", "/nonexistent/tool"}, 127,
                 "cannot run \"/nonexistent/tool\": No such file or directory");
  expect_refused({"lock", "exec", "job", "--", "no-such-tool-on-path"}, 127,
                 "cannot run \"no-such-tool-on-path\": not found on PATH");
  expect_refused({"lock", "exec", "job"}, kUsage, "command is required");
}

TEST_F(BadInputCliTest, LockInfoAndReleaseRefuseBadNames) {
  expect_refused({"lock", "info", ""}, kFailure, "lock name is empty");
  expect_refused({"lock", "info", "x}"}, kFailure,
                 "lock name \"x}\" holds '{' or '}', which would break its key's hash tag");
  expect_refused({"lock", "release", "held"}, kUsage,
                 "lock release takes the lock from whoever holds it; confirm with --force");
  expect_refused({"lock", "release", "", "--force"}, kFailure, "lock name is empty");
  expect_refused({"lock", "release", "he{ld", "--force"}, kFailure,
                 "lock name \"he{ld\" holds '{' or '}', which would break its key's hash tag");
}

TEST_F(BadInputCliTest, TsCreateRefusesBadOptionsNamesAndExistingSeries) {
  expect_refused({"ts", "create", "x", "--retention", "-1d"}, kUsage,
                 "--retention: invalid duration \"-1d\": negative");
  expect_refused({"ts", "create", "x", "--labels", "host"}, kUsage, "--labels: 'host' is not name=value");
  expect_refused({"ts", "create", "x", "--labels", "host=a b"}, kFailure,
                 "value 'a b' of label 'host' must be non-empty without ',', '=', '(', ')' or spaces");
  expect_refused({"ts", "create", "x", "--duplicate-policy", "newest"}, kUsage,
                 "--duplicate-policy: unknown duplicate policy 'newest' (expected one of: block, first, last, min, "
                 "max, sum)");
  expect_refused({"ts", "create", "a{b"}, kFailure, "series name 'a{b' holds '{', which is not allowed in a name");
  expect_refused({"ts", "create", ""}, kFailure, "series name is empty");
  expect_refused({"ts", "create", "base"}, kFailure, "time series 'base' already exists");
  expect_refused({"ts", "create", "wrong"}, kFailure,
                 "WRONGTYPE time series 'wrong': key 'redkit:ts:{wrong}' holds a value of another type, not a time "
                 "series");
}

TEST_F(BadInputCliTest, TsAlterRefusesMissingSeriesAndEmptyChanges) {
  expect_refused({"ts", "alter", "nope", "--retention", "1h"}, kFailure, "time series 'nope' does not exist");
  expect_refused({"ts", "alter", "base"}, kUsage,
                 "ts alter: nothing to change; give --retention, --labels or --duplicate-policy");
  expect_refused({"ts", "alter", "base", "--retention", "1x"}, kUsage,
                 "--retention: invalid duration \"1x\": unknown unit at \"x\" (units: ms, s, m, h, d)");
  expect_refused({"ts", "alter", "base", "--labels", "=a"}, kUsage, "--labels: '=a' is not name=value");
}

TEST_F(BadInputCliTest, TsAddRefusesBadTimestampsValuesAndPolicies) {
  expect_refused({"ts", "add", "base", "soon", "1"}, kUsage,
                 "timestamp 'soon' is not a Unix timestamp in milliseconds, '-' or '+'");
  expect_refused({"ts", "add", "base", "-", "1"}, kUsage, "timestamp '-': give Unix milliseconds or '*'");
  expect_refused({"ts", "add", "base", "5", "twelve"}, kUsage, "value 'twelve' is not a number");
  expect_refused({"ts", "add", "base", "5", "nan"}, kFailure, "value nan at timestamp 5 is not a finite number");
  expect_refused({"ts", "add", "new", "5", "--", "-inf"}, kFailure, "value -inf at timestamp 5 is not a finite number");
  expect_refused({"ts", "add", "base", "9007199254740992", "1"}, kFailure,
                 "timestamp 9007199254740992 is out of range [-9007199254740991, 9007199254740991]");
  expect_refused({"ts", "add", "base", "5", "1", "--on-duplicate", "keep"}, kUsage,
                 "--on-duplicate: unknown duplicate policy 'keep' (expected one of: block, first, last, min, max, "
                 "sum)");
  expect_refused({"ts", "add", "base", "2000", "9"}, kFailure,
                 "time series 'base' already has a sample at timestamp 2000 and its duplicate policy is block");
  expect_refused({"ts", "add", "wrong", "5", "1"}, kFailure,
                 "WRONGTYPE time series 'wrong': key 'redkit:ts:{wrong}' holds a value of another type, not a time "
                 "series");
}

TEST_F(BadInputCliTest, TsImportRefusesBadFilesAndChecksTheWholeFileFirst) {
  expect_refused({"ts", "import", "base", "/nonexistent/samples.csv"}, kFailure,
                 "cannot open '/nonexistent/samples.csv' for reading");
  expect_refused({"ts", "import", "base", csv_file("100000,1\n100001,2\n100002,x\n")}, kFailure,
                 "line 3: value 'x' is not a finite number");
  expect_refused({"ts", "import", "fresh", csv_file("100000,1\n1e3,2\n")}, kFailure,
                 "line 2: timestamp '1e3' is not an integer number of milliseconds in range");
  expect_refused({"ts", "import", "fresh", csv_file("100000,1\n100001;2\n")}, kFailure,
                 "line 2: '100001;2' is not 'timestamp_ms,value'");
  expect_refused({"ts", "import", "base", csv_file("1,1\n"), "--batch", "0"}, kUsage,
                 "--batch: Value 0 not in range 1 to 18446744073709551615");
}

TEST_F(BadInputCliTest, TsRangeRefusesBadBoundsAggregationsAndMissingSeries) {
  for (const std::string command : {"range", "revrange"}) {
    expect_refused({"ts", command, "nope", "-", "+"}, kFailure, "time series 'nope' does not exist");
    expect_refused({"ts", command, "base", "yesterday", "+"}, kUsage,
                   "FROM 'yesterday' is not a Unix timestamp in milliseconds, '-' or '+'");
    expect_refused({"ts", command, "base", "5", "1"}, kFailure, "range start 5 is after its end 1");
    expect_refused({"ts", command, "base", "-", "+", "--agg", "median", "--bucket", "1m"}, kUsage,
                   "--agg: unknown aggregation 'median' (expected one of: avg, sum, min, max, range, count, first, "
                   "last, std.p, std.s, var.p, var.s, twa, increase, rate, or a percentile such as p50, p99, p99.9)");
    expect_refused({"ts", command, "base", "-", "+", "--agg", "p101", "--bucket", "1m"}, kUsage,
                   "--agg: percentile 'p101' is not 'p' and a percent in [0, 100] (p50, p99, p99.9)");
    expect_refused({"ts", command, "base", "-", "+", "--agg", "avg", "--bucket", "0"}, kUsage,
                   "--bucket: '0' must be positive");
    expect_refused({"ts", command, "base", "-", "+", "--agg", "avg"}, kUsage, "--agg and --bucket go together");
    expect_refused({"ts", command, "base", "-", "+", "--min", "3", "--max", "1"}, kFailure,
                   "value filter minimum 3 is above its maximum 1");
    expect_refused({"ts", command, "base", "-", "+", "--min", "nan"}, kFailure,
                   "value filter minimum nan is not a number");
    expect_refused({"ts", command, "base", "-", "+", "--min", "low"}, kUsage, "--min 'low' is not a number");
    expect_refused({"ts", command, "wrong", "-", "+"}, kFailure,
                   "WRONGTYPE time series 'wrong': key 'redkit:ts:{wrong}' holds a value of another type, not a "
                   "time series");
  }
}

TEST_F(BadInputCliTest, TsMrangeRefusesBadFiltersAndReducers) {
  expect_refused({"ts", "mrange", "-", "+", "--filter", "nonsense"}, kFailure,
                 "label filter 'nonsense' is not label=value, label!=value, label=(a,b) or label=");
  expect_refused({"ts", "mrange", "-", "+", "--filter", "host=(a,,b)"}, kFailure,
                 "label filter 'host=(a,,b)' has an empty value in its list");
  expect_refused({"ts", "mrange", "-", "+", "--filter", "host=a", "--group-by", "host", "--reduce", "twa"}, kFailure,
                 "'twa' cannot reduce a group (use avg, sum, min, max, range, count, std.p, std.s, var.p or var.s)");
  expect_refused({"ts", "mrange", "-", "+", "--filter", "host=a", "--group-by", "host", "--reduce", "median"},
                 kUsage,
                 "--reduce: unknown aggregation 'median' (expected one of: avg, sum, min, max, range, count, first, "
                 "last, std.p, std.s, var.p, var.s, twa, increase, rate, percentile)");
  expect_refused({"ts", "mrange", "9", "1", "--filter", "host=a"}, kFailure, "range start 9 is after its end 1");
  expect_refused({"ts", "mrange", "-", "+"}, kUsage, "--filter is required");
}

TEST_F(BadInputCliTest, TsGetInfoAndDelRefuseMissingSeriesAndBadNames) {
  expect_refused({"ts", "get", "nope"}, kFailure, "time series 'nope' does not exist");
  expect_refused({"ts", "get", "a}b"}, kFailure, "series name 'a}b' holds '}', which is not allowed in a name");
  expect_refused({"ts", "info", "nope"}, kFailure, "time series 'nope' does not exist");
  expect_refused({"ts", "info", ""}, kFailure, "series name is empty");
  expect_refused({"ts", "info", "wrong"}, kFailure,
                 "WRONGTYPE time series 'wrong': key 'redkit:ts:{wrong}' holds a value of another type, not a time "
                 "series");
  expect_refused({"ts", "del", "nope"}, kFailure, "time series 'nope' does not exist");
  expect_refused({"ts", "del", "wrong"}, kFailure,
                 "WRONGTYPE time series 'wrong': key 'redkit:ts:{wrong}' holds a value of another type, not a time "
                 "series");
  expect_refused({"ts", "del", "base", "10"}, kUsage, "ts del: give both FROM and TO, or neither");
  expect_refused({"ts", "del", "base", "10", "1"}, kFailure, "range start 10 is after its end 1");
  expect_refused({"ts", "del", "base", "ten", "20"}, kUsage,
                 "FROM 'ten' is not a Unix timestamp in milliseconds, '-' or '+'");
  expect_refused({"ts", "del", "nope", "1", "10"}, kFailure, "time series 'nope' does not exist");
}

TEST_F(BadInputCliTest, TsRulesRefuseBadRulesAndMissingSeries) {
  expect_refused({"ts", "rule", "add", "base", "nope", "--agg", "avg", "--bucket", "1m"}, kFailure,
                 "time series 'nope' does not exist");
  expect_refused({"ts", "rule", "add", "base", "base", "--agg", "avg", "--bucket", "1m"}, kFailure,
                 "compaction rule from 'base' to itself");
  expect_refused({"ts", "rule", "add", "base", "base:1m", "--agg", "avg", "--bucket", "1m"}, kFailure,
                 "compaction rule base -> base:1m: the rule exists");
  expect_refused({"ts", "rule", "add", "base", "base:1m", "--agg", "mean", "--bucket", "1m"}, kUsage,
                 "--agg: unknown aggregation 'mean' (expected one of: avg, sum, min, max, range, count, first, last, "
                 "std.p, std.s, var.p, var.s, twa, increase, rate, or a percentile such as p50, p99, p99.9)");
  expect_refused({"ts", "rule", "add", "base", "base:1m", "--agg", "avg", "--bucket", "0ms"}, kUsage,
                 "--bucket: '0ms' must be positive");
  expect_refused({"ts", "rule", "add", "base", "base:1m", "--agg", "avg", "--bucket", "1m", "--align", "noon"},
                 kUsage, "--align 'noon' is not a Unix timestamp in milliseconds, '-' or '+'");
  expect_refused({"ts", "rule", "list", "nope"}, kFailure, "time series 'nope' does not exist");
  expect_refused({"ts", "rule", "del", "base", "nope"}, kFailure, "no compaction rule from 'base' to 'nope'");
  expect_refused({"ts", "rule", "del", "base", "a{b"}, kFailure,
                 "series name 'a{b' holds '{', which is not allowed in a name");
}

TEST_F(BadInputCliTest, TsPresetRetentionRefusesBadAggregatorsAndConflicts) {
  expect_refused({"ts", "preset", "retention", "base", "--agg", "median"}, kUsage,
                 "--agg: unknown aggregation 'median' (expected one of: avg, sum, min, max, range, count, first, "
                 "last, std.p, std.s, var.p, var.s, twa, increase, rate, or a percentile such as p50, p99, p99.9)");
  expect_refused({"ts", "preset", "retention", "base", "--agg", "avg", "--chain"}, kFailure,
                 "retention preset of base: avg cannot feed one level from the one below (its aggregate of "
                 "aggregates is not the aggregate of the samples); chain sum, min, max, first, last or a percentile, "
                 "or feed every level from the series");
  expect_refused({"ts", "preset", "retention", std::string(510, 'p')}, kFailure,
                 "series name '" + std::string(32, 'p') + "...' is 513 bytes, over the limit of 512");
}

}  // namespace
}  // namespace redkit
