// `redkit ts ...` as a user runs it: create, add, import a CSV file, query
// with and without aggregation, info with --json, errors naming the value.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "redkit/client.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_alerts.hpp"
#include "support/redis_test.hpp"
#include "support/subprocess.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;
using test::run_command;

class TsCliTest : public RedisTest {
 protected:
  // The series a rule named `rule` watches gets one sample (2 at t=1000),
  // and the rule is evaluated once, in this process, at t=1000.
  void store_series_and_evaluate(const std::string& rule) {
    Client client(redis().url());
    ts::Store(client).add("cpu." + rule, 1000, 2);
    ts::AlertEngine(client).evaluate_rule(rule, 1000);
  }
  test::CommandResult redkit_cli(std::vector<std::string> args) {
    args.insert(args.begin(), {REDKIT_CLI_PATH, "--redis", redis().url()});
    return run_command(args, 60s);
  }
  // A unique series name per test; the CLI always uses the "redkit:" prefix.
  std::string name() const {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string("cli.") + info->name();
  }
  std::string csv_file(const std::string& text) {
    const std::string path = ::testing::TempDir() + "/" + name() + "-" + std::to_string(::getpid()) + ".csv";
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(TsCliTest, CreateAddRangeAndInfo) {
  auto created = redkit_cli({"ts", "create", name(), "--retention", "24h", "--labels", "host=a,region=eu",
                             "--duplicate-policy", "last"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  for (const auto& [t, v] : std::vector<std::pair<std::string, std::string>>{{"1000", "1.5"}, {"2000", "2.25"}, {"3000", "-4"}}) {
    auto added = redkit_cli({"ts", "add", name(), t, v});
    ASSERT_EQ(added.exit_code, 0) << added.output;
  }
  auto range = redkit_cli({"--json", "ts", "range", name(), "-", "+"});
  ASSERT_EQ(range.exit_code, 0) << range.output;
  EXPECT_EQ(nlohmann::json::parse(range.output), nlohmann::json::parse("[[1000,1.5],[2000,2.25],[3000,-4.0]]"));
  auto reversed = redkit_cli({"ts", "revrange", name(), "1500", "+", "--count", "1"});
  EXPECT_EQ(reversed.output, "3000 -4\n");
  auto buckets = redkit_cli({"--json", "ts", "range", name(), "-", "+", "--agg", "sum", "--bucket", "2s"});
  EXPECT_EQ(nlohmann::json::parse(buckets.output), nlohmann::json::parse("[[0,1.5],[2000,-1.75]]"));
  auto latest = redkit_cli({"ts", "get", name()});
  EXPECT_EQ(latest.output, "3000 -4\n");

  auto info = redkit_cli({"--json", "ts", "info", name()});
  ASSERT_EQ(info.exit_code, 0) << info.output;
  const auto json = nlohmann::json::parse(info.output);
  EXPECT_EQ(json["samples"], 3);
  EXPECT_TRUE(json["samples"].is_number_integer());
  EXPECT_TRUE(json["chunks"].is_number_integer());
  EXPECT_TRUE(json["memory_bytes"].is_number_integer());
  EXPECT_GT(json["memory_bytes"].get<long long>(), 0);
  EXPECT_EQ(json["retention_ms"], 86'400'000);
  EXPECT_EQ(json["duplicate_policy"], "last");
  EXPECT_EQ(json["labels"], nlohmann::json::parse(R"({"host":"a","region":"eu"})"));
}

TEST_F(TsCliTest, ImportCreatesTheSeriesAndStoresEveryLine) {
  std::string text = "timestamp,value\n";
  for (int i = 0; i < 25'000; ++i) text += std::to_string(1'700'000'000'000 + i * 1000LL) + "," + std::to_string(i % 100) + ".25\n";
  auto imported = redkit_cli({"--json", "ts", "import", name(), csv_file(text), "--batch", "7000"});
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_EQ(nlohmann::json::parse(imported.output)["imported"], 25'000);
  auto info = nlohmann::json::parse(redkit_cli({"--json", "ts", "info", name()}).output);
  EXPECT_EQ(info["samples"], 25'000);
  EXPECT_GE(info["chunks"].get<int>(), 1);
  auto tail = nlohmann::json::parse(redkit_cli({"--json", "ts", "revrange", name(), "-", "+", "--count", "2"}).output);
  EXPECT_EQ(tail, nlohmann::json::parse("[[1700024999000,99.25],[1700024998000,98.25]]"));
}

TEST_F(TsCliTest, RulesAndTheRetentionPreset) {
  ASSERT_EQ(redkit_cli({"ts", "create", name()}).exit_code, 0);
  ASSERT_EQ(redkit_cli({"ts", "create", name() + ":10s"}).exit_code, 0);
  auto added = redkit_cli({"ts", "rule", "add", name(), name() + ":10s", "--agg", "max", "--bucket", "10s"});
  ASSERT_EQ(added.exit_code, 0) << added.output;
  std::string text;
  for (int i = 0; i < 60; ++i) text += std::to_string(i * 1000) + "," + std::to_string(i) + "\n";
  ASSERT_EQ(redkit_cli({"ts", "import", name(), csv_file(text)}).exit_code, 0);
  auto maxima = redkit_cli({"--json", "ts", "range", name() + ":10s", "-", "+"});
  EXPECT_EQ(nlohmann::json::parse(maxima.output),
            nlohmann::json::parse("[[0,9.0],[10000,19.0],[20000,29.0],[30000,39.0],[40000,49.0]]"));
  auto rules = nlohmann::json::parse(redkit_cli({"--json", "ts", "rule", "list", name()}).output);
  EXPECT_EQ(rules, nlohmann::json::parse(R"([{"aggregation":"max","align":0,"bucket_ms":10000,"destination":")" +
                                         name() + R"(:10s"}])"));
  EXPECT_EQ(redkit_cli({"ts", "rule", "del", name(), name() + ":10s"}).exit_code, 0);
  EXPECT_EQ(redkit_cli({"ts", "rule", "del", name(), name() + ":10s"}).exit_code, 1);

  auto preset = redkit_cli({"--json", "ts", "preset", "retention", name()});
  ASSERT_EQ(preset.exit_code, 0) << preset.output;
  EXPECT_EQ(nlohmann::json::parse(preset.output)["destinations"].size(), 4u);
  auto info = nlohmann::json::parse(redkit_cli({"--json", "ts", "info", name() + ":1h"}).output);
  EXPECT_EQ(info["retention_ms"], 90LL * 24 * 3'600'000);
  EXPECT_EQ(info["source"], name());
}

TEST_F(TsCliTest, PercentilesInRangesRulesAndAChainedPreset) {
  ASSERT_EQ(redkit_cli({"ts", "create", name()}).exit_code, 0);
  ASSERT_EQ(redkit_cli({"ts", "create", name() + ":p90"}).exit_code, 0);
  auto added = redkit_cli({"ts", "rule", "add", name(), name() + ":p90", "--agg", "p90", "--bucket", "10s"});
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_NE(added.output.find("p90 over 10s"), std::string::npos) << added.output;
  // Each 10 s: the values 0..9 in a shuffled order; p90 interpolates 8.1.
  std::string text;
  for (int i = 0; i < 30; ++i) text += std::to_string(i * 1000) + "," + std::to_string((i * 7) % 10) + "\n";
  ASSERT_EQ(redkit_cli({"ts", "import", name(), csv_file(text)}).exit_code, 0);
  auto ranged = redkit_cli({"--json", "ts", "range", name(), "-", "+", "--agg", "p90", "--bucket", "10s"});
  ASSERT_EQ(ranged.exit_code, 0) << ranged.output;
  EXPECT_EQ(nlohmann::json::parse(ranged.output), nlohmann::json::parse("[[0,8.1],[10000,8.1],[20000,8.1]]"));
  EXPECT_EQ(nlohmann::json::parse(redkit_cli({"--json", "ts", "range", name() + ":p90", "-", "+"}).output),
            nlohmann::json::parse("[[0,8.1],[10000,8.1]]"));
  auto rules = nlohmann::json::parse(redkit_cli({"--json", "ts", "rule", "list", name()}).output);
  EXPECT_EQ(rules.at(0)["aggregation"], "p90");

  auto preset = redkit_cli({"--json", "ts", "preset", "retention", name() + ".api", "--agg", "p99.9", "--chain"});
  ASSERT_EQ(preset.exit_code, 0) << preset.output;
  EXPECT_EQ(nlohmann::json::parse(preset.output)["chained"], true);
  auto info = nlohmann::json::parse(redkit_cli({"--json", "ts", "info", name() + ".api:1h"}).output);
  EXPECT_EQ(info["source"], name() + ".api:5m");
  auto chained = nlohmann::json::parse(redkit_cli({"--json", "ts", "rule", "list", name() + ".api:5m"}).output);
  EXPECT_EQ(chained.at(0)["aggregation"], "p99.9");
}

TEST_F(TsCliTest, MrangeAndMgetByLabels) {
  for (const std::string host : {"a", "b", "c"}) {
    ASSERT_EQ(redkit_cli({"ts", "create", name() + host, "--labels", "test=" + name() + ",host=" + host +
                                                                     (host == "c" ? ",dc=us" : ",dc=eu")})
                  .exit_code,
              0);
    ASSERT_EQ(redkit_cli({"ts", "add", name() + host, "1000", host == "a" ? "1" : "2"}).exit_code, 0);
  }
  auto eu = redkit_cli({"--json", "ts", "mrange", "-", "+", "--filter", "test=" + name(), "--filter", "dc=eu"});
  ASSERT_EQ(eu.exit_code, 0) << eu.output;
  const auto series = nlohmann::json::parse(eu.output);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0]["name"], name() + "a");
  EXPECT_EQ(series[0]["samples"], nlohmann::json::parse("[[1000,1.0]]"));
  auto grouped = redkit_cli({"--json", "ts", "mrange", "-", "+", "--filter", "test=" + name(), "--group-by", "dc",
                             "--reduce", "sum"});
  ASSERT_EQ(grouped.exit_code, 0) << grouped.output;
  const auto groups = nlohmann::json::parse(grouped.output);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0]["name"], "dc=eu");
  EXPECT_EQ(groups[0]["samples"], nlohmann::json::parse("[[1000,3.0]]"));
  auto latest = redkit_cli({"--json", "ts", "mget", "--filter", "test=" + name(), "--labels", "dc"});
  ASSERT_EQ(latest.exit_code, 0) << latest.output;
  const auto latest_series = nlohmann::json::parse(latest.output);
  ASSERT_EQ(latest_series.size(), 3u);
  EXPECT_EQ(latest_series[0]["name"], name() + "a");
  EXPECT_EQ(latest_series[0]["labels"], nlohmann::json::parse(R"({"dc":"eu"})"));
  EXPECT_EQ(latest_series[0]["sample"], nlohmann::json::parse("[1000,1.0]"));
  EXPECT_EQ(latest_series[2]["labels"], nlohmann::json::parse(R"({"dc":"us"})"));
  EXPECT_EQ(latest_series[2]["sample"], nlohmann::json::parse("[1000,2.0]"));
  auto text = redkit_cli({"ts", "mget", "--filter", "test=" + name(), "--filter", "host=a", "--labels", "none"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_EQ(text.output, name() + "a 1000 1\n");
  auto bare = redkit_cli({"--json", "ts", "mrange", "-", "+", "--filter", "test=" + name(), "--labels", "none"});
  ASSERT_EQ(bare.exit_code, 0) << bare.output;
  EXPECT_EQ(nlohmann::json::parse(bare.output)[0]["labels"], nlohmann::json::object());
  auto empty_name = redkit_cli({"ts", "mget", "--filter", "test=" + name(), "--labels", "dc,"});
  EXPECT_EQ(empty_name.exit_code, 2) << empty_name.output;
  EXPECT_NE(empty_name.output.find("--labels 'dc,'"), std::string::npos) << empty_name.output;
  auto bad = redkit_cli({"ts", "mrange", "-", "+", "--filter", "nonsense"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("'nonsense'"), std::string::npos) << bad.output;
}

TEST_F(TsCliTest, AlertRulesAreAddedListedShownAndRemoved) {
  const std::string rule = name();  // "cli.AlertRules...": letters, dots
  auto added = redkit_cli({"--json", "ts", "alert", "add", rule, "--filter", "metric=cpu", "--window", "5m", "--agg",
                           "max", "--above", "90", "--resolve", "85", "--for", "2m", "--label", "severity=page",
                           "--annotation", "summary={{series}} at {{value}}=high"});
  ASSERT_EQ(added.exit_code, 0) << added.output;
  const auto shown = nlohmann::json::parse(redkit_cli({"--json", "ts", "alert", "show", rule}).output);
  EXPECT_EQ(shown, nlohmann::json::parse(added.output));
  EXPECT_EQ(shown["filters"], nlohmann::json::parse(R"(["metric=cpu"])"));
  EXPECT_EQ(shown["window_ms"], 300'000);
  EXPECT_EQ(shown["aggregation"], "max");
  EXPECT_EQ(shown["condition"], "above");
  EXPECT_EQ(shown["threshold"], 90.0);
  EXPECT_EQ(shown["resolve_threshold"], 85.0);
  EXPECT_EQ(shown["for_ms"], 120'000);
  EXPECT_EQ(shown["labels"], nlohmann::json::parse(R"({"severity":"page"})"));
  EXPECT_EQ(shown["annotations"], nlohmann::json::parse(R"({"summary":"{{series}} at {{value}}=high"})"));
  // Listed among the server's rules.
  bool listed = false;
  for (const auto& one : nlohmann::json::parse(redkit_cli({"--json", "ts", "alert", "list"}).output)) {
    listed = listed || one["name"] == rule;
  }
  EXPECT_TRUE(listed);
  auto text = redkit_cli({"ts", "alert", "list"});
  EXPECT_NE(text.output.find(rule + "  metric=cpu  max(5m) > 90 (resolves <= 85)"), std::string::npos) << text.output;
  // Taken only with --replace.
  auto again = redkit_cli({"ts", "alert", "add", rule, "--series", "cpu", "--below", "5"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("alert rule '" + rule + "' exists"), std::string::npos) << again.output;
  ASSERT_EQ(redkit_cli({"ts", "alert", "add", rule, "--series", "cpu." + rule, "--below", "5", "--replace"}).exit_code,
            0);
  EXPECT_EQ(nlohmann::json::parse(redkit_cli({"--json", "ts", "alert", "show", rule}).output)["condition"], "below");
  // Bad input names what is wrong; a usage error is status 2.
  auto two = redkit_cli({"ts", "alert", "add", rule + "x", "--series", "cpu", "--above", "1", "--below", "0"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_NE(two.output.find("give exactly one condition"), std::string::npos) << two.output;
  auto bad_window = redkit_cli({"ts", "alert", "add", rule + "x", "--series", "cpu", "--above", "1", "--window", "soon"});
  EXPECT_EQ(bad_window.exit_code, 2);
  EXPECT_NE(bad_window.output.find("--window"), std::string::npos) << bad_window.output;
  auto refused = redkit_cli({"ts", "alert", "add", rule + "x", "--series", "cpu", "--above", "1", "--resolve", "3"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("resolve_threshold 3 is above threshold 1"), std::string::npos) << refused.output;
  EXPECT_EQ(redkit_cli({"ts", "alert", "show", rule + "x"}).exit_code, 1);
  // What an evaluation recorded, newest first.
  store_series_and_evaluate(rule);
  const auto history = nlohmann::json::parse(redkit_cli({"--json", "ts", "alert", "history", "--rule", rule}).output);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["event"], "fired");
  EXPECT_EQ(history[0]["series"], "cpu." + rule);
  EXPECT_EQ(history[0]["value"], 2.0);
  EXPECT_EQ(redkit_cli({"ts", "alert", "history", "--rule", rule}).output,
            "1000 " + rule + " cpu." + rule + " fired 2\n");
  // Removed once.
  EXPECT_EQ(redkit_cli({"ts", "alert", "del", rule}).exit_code, 0);
  auto gone = redkit_cli({"ts", "alert", "del", rule});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.output.find("does not exist"), std::string::npos) << gone.output;
}

TEST_F(TsCliTest, AnyFiniteDoubleRoundTrips) {
  int timestamp = 0;
  for (const std::string value : {"5e-324", "-5e-324", "2.2250738585072014e-308", "1.7976931348623157e+308", "+3"}) {
    ++timestamp;
    auto added = redkit_cli({"ts", "add", name(), std::to_string(timestamp), value});
    ASSERT_EQ(added.exit_code, 0) << value << ": " << added.output;
    auto got = redkit_cli({"ts", "get", name()});
    EXPECT_EQ(got.output, std::to_string(timestamp) + " " + (value == "+3" ? std::string("3") : value) + "\n");
  }
  auto too_big = redkit_cli({"ts", "add", name(), "1", "1e400"});
  EXPECT_EQ(too_big.exit_code, 2);
  EXPECT_NE(too_big.output.find("'1e400' is out of the range of a double"), std::string::npos) << too_big.output;
}

TEST_F(TsCliTest, FilterByTimestampsBucketTimestampsAndLatest) {
  std::string text;
  for (int i = 0; i < 25; ++i) text += std::to_string(i * 1000) + "," + std::to_string(i) + "\n";
  ASSERT_EQ(redkit_cli({"ts", "import", name(), csv_file(text)}).exit_code, 0);

  auto picked = redkit_cli({"--json", "ts", "range", name(), "-", "+", "--filter-by-ts", "2000,5000",
                            "--filter-by-ts", "7000,7001"});
  ASSERT_EQ(picked.exit_code, 0) << picked.output;
  EXPECT_EQ(nlohmann::json::parse(picked.output), nlohmann::json::parse("[[2000,2.0],[5000,5.0],[7000,7.0]]"));
  auto bad = redkit_cli({"ts", "range", name(), "-", "+", "--filter-by-ts", "2000,x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("'x'"), std::string::npos) << bad.output;

  const std::vector<std::pair<std::string, std::string>> expected{
      {"start", "[[0,4.5],[10000,14.5],[20000,22.0]]"},
      {"mid", "[[5000,4.5],[15000,14.5],[25000,22.0]]"},
      {"end", "[[10000,4.5],[20000,14.5],[30000,22.0]]"}};
  for (const auto& [when, buckets] : expected) {
    auto got = redkit_cli({"--json", "ts", "range", name(), "-", "+", "--agg", "avg", "--bucket", "10s",
                           "--bucket-timestamp", when});
    ASSERT_EQ(got.exit_code, 0) << got.output;
    EXPECT_EQ(nlohmann::json::parse(got.output), nlohmann::json::parse(buckets)) << when;
  }
  EXPECT_EQ(redkit_cli({"ts", "range", name(), "-", "+", "--agg", "avg", "--bucket", "10s", "--bucket-timestamp",
                        "later"}).exit_code,
            2);
  EXPECT_EQ(redkit_cli({"ts", "range", name(), "-", "+", "--bucket-timestamp", "mid"}).exit_code, 2);

  // A compaction destination with --latest also shows the bucket its source
  // still holds open.
  ASSERT_EQ(redkit_cli({"ts", "create", name() + ":10s"}).exit_code, 0);
  ASSERT_EQ(redkit_cli({"ts", "create", name() + "-src"}).exit_code, 0);
  ASSERT_EQ(redkit_cli({"ts", "rule", "add", name() + "-src", name() + ":10s", "--agg", "sum", "--bucket", "10s"})
                .exit_code,
            0);
  ASSERT_EQ(redkit_cli({"ts", "import", name() + "-src", csv_file(text)}).exit_code, 0);
  auto closed = redkit_cli({"--json", "ts", "range", name() + ":10s", "-", "+"});
  EXPECT_EQ(nlohmann::json::parse(closed.output), nlohmann::json::parse("[[0,45.0],[10000,145.0]]"));
  auto with_open = redkit_cli({"--json", "ts", "range", name() + ":10s", "-", "+", "--latest"});
  EXPECT_EQ(nlohmann::json::parse(with_open.output), nlohmann::json::parse("[[0,45.0],[10000,145.0],[20000,110.0]]"));
  auto newest = redkit_cli({"--json", "ts", "get", name() + ":10s", "--latest"});
  EXPECT_EQ(nlohmann::json::parse(newest.output), nlohmann::json::parse("[20000,110.0]"));
  auto reversed = redkit_cli({"--json", "ts", "revrange", name() + ":10s", "-", "+", "--latest", "--count", "2"});
  EXPECT_EQ(nlohmann::json::parse(reversed.output), nlohmann::json::parse("[[20000,110.0],[10000,145.0]]"));
  auto none = redkit_cli({"--json", "ts", "range", name(), "-", "+", "--count", "0"});
  EXPECT_EQ(nlohmann::json::parse(none.output), nlohmann::json::parse("[]"));
}

TEST_F(TsCliTest, ErrorsNameTheBadValue) {
  std::string lines;
  for (int i = 0; i < 30'000; ++i) lines += std::to_string(i) + ",1\n";
  auto bad_csv = redkit_cli({"ts", "import", name(), csv_file(lines + "30000,abc\n"), "--batch", "1000"});
  EXPECT_EQ(bad_csv.exit_code, 1);
  EXPECT_NE(bad_csv.output.find("line 30001"), std::string::npos) << bad_csv.output;
  EXPECT_NE(bad_csv.output.find("abc"), std::string::npos) << bad_csv.output;
  EXPECT_EQ(Client(redis().url()).command({"EXISTS", "redkit:ts:{" + name() + "}"}).as_integer(), 0)
      << "a refused import left the series behind";
  auto missing = redkit_cli({"ts", "range", "no-such-series", "-", "+"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("no-such-series"), std::string::npos) << missing.output;
  auto aggregation = redkit_cli({"ts", "range", name(), "-", "+", "--agg", "median", "--bucket", "1m"});
  EXPECT_NE(aggregation.output.find("median"), std::string::npos) << aggregation.output;
  EXPECT_NE(aggregation.exit_code, 0);
  auto value = redkit_cli({"ts", "add", name(), "5", "twelve"});
  EXPECT_EQ(value.exit_code, 2);
  EXPECT_NE(value.output.find("twelve"), std::string::npos) << value.output;
  auto infinite = redkit_cli({"ts", "add", name(), "5", "inf"});
  EXPECT_EQ(infinite.exit_code, 1);
  EXPECT_NE(infinite.output.find("inf"), std::string::npos) << infinite.output;
  auto bucket = redkit_cli({"ts", "range", name(), "-", "+", "--agg", "avg", "--bucket", "0"});
  EXPECT_EQ(bucket.exit_code, 2);
  EXPECT_NE(bucket.output.find("'0'"), std::string::npos) << bucket.output;
}

TEST_F(TsCliTest, AnomaliesScoresTheNewestValueOfEachSeries) {
  Client client(redis().url());
  ts::Store store(client);
  const std::string spiky = name() + ".spiky";
  const std::string calm = name() + ".calm";
  for (const std::string& series : {spiky, calm}) {
    store.create(series, {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::last,
                          .labels = {{"suite", name()}}});
    for (int i = 0; i < 20; ++i) store.add(series, 1'000 + i * 1'000, 10 + (i % 3));
  }
  store.add(spiky, 21'000, 50);
  store.add(calm, 21'000, 11);
  auto one = redkit_cli({"--json", "ts", "anomalies", spiky, "--window", "1m", "--step", "0s", "--at", "21000"});
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto finding = nlohmann::json::parse(one.output).at(0);
  EXPECT_EQ(finding["series"], spiky);
  EXPECT_EQ(finding["verdict"], "anomalous");
  EXPECT_EQ(finding["value"], 50.0);
  EXPECT_EQ(finding["baseline_count"], 20);
  auto filtered = redkit_cli({"ts", "anomalies", "--filter", "suite=" + name(), "--window", "1m", "--step", "0s",
                              "--at", "21000", "--anomalous-only"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.output;
  EXPECT_NE(filtered.output.find(spiky + "  anomalous  value 50"), std::string::npos) << filtered.output;
  EXPECT_EQ(filtered.output.find(calm), std::string::npos) << filtered.output;
  // Usage errors name what is wrong.
  auto neither = redkit_cli({"ts", "anomalies"});
  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_NE(neither.output.find("give a series NAME or --filter"), std::string::npos) << neither.output;
  auto method = redkit_cli({"ts", "anomalies", spiky, "--method", "magic"});
  EXPECT_EQ(method.exit_code, 2);
  EXPECT_NE(method.output.find("'magic'"), std::string::npos) << method.output;
  auto missing = redkit_cli({"ts", "anomalies", name() + ".missing"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("does not exist"), std::string::npos) << missing.output;
}

TEST_F(TsCliTest, RuleBackfillFillsWhatTheRuleDidNotSee) {
  ASSERT_EQ(redkit_cli({"ts", "create", name()}).exit_code, 0);
  ASSERT_EQ(redkit_cli({"ts", "create", name() + ":10s"}).exit_code, 0);
  std::string text;
  for (int i = 0; i < 60; ++i) text += std::to_string(i * 1000) + "," + std::to_string(i) + "\n";
  ASSERT_EQ(redkit_cli({"ts", "import", name(), csv_file(text)}).exit_code, 0);
  // Added after the samples: it covers only the bucket of the newest one.
  ASSERT_EQ(redkit_cli({"ts", "rule", "add", name(), name() + ":10s", "--agg", "max", "--bucket", "10s"}).exit_code, 0);
  auto filled = redkit_cli({"--json", "ts", "rule", "backfill", name(), name() + ":10s"});
  ASSERT_EQ(filled.exit_code, 0) << filled.output;
  const auto json = nlohmann::json::parse(filled.output.substr(filled.output.find('{')));
  EXPECT_EQ(json["buckets"], 5);
  EXPECT_EQ(json["from"], 0);
  EXPECT_EQ(json["to"], 50'000);
  EXPECT_NE(filled.output.find("5 buckets, 100% of [0, 50000)"), std::string::npos) << filled.output;  // stderr
  auto maxima = redkit_cli({"--json", "ts", "range", name() + ":10s", "-", "+"});
  EXPECT_EQ(nlohmann::json::parse(maxima.output),
            nlohmann::json::parse("[[0,9.0],[10000,19.0],[20000,29.0],[30000,39.0],[40000,49.0]]"));
  auto again = redkit_cli({"ts", "rule", "backfill", name(), name() + ":10s"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.output.find("nothing to fill"), std::string::npos) << again.output;
  auto missing = redkit_cli({"ts", "rule", "backfill", name(), name() + ":none"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("has no compaction rule"), std::string::npos) << missing.output;
}

TEST_F(TsCliTest, StatsCountTheStoreAndGroupByALabel) {
  for (int i = 0; i < 3; ++i) {
    const std::string series = name() + "." + std::to_string(i);
    ASSERT_EQ(redkit_cli({"ts", "create", series, "--labels", "suite=" + name()}).exit_code, 0);
    for (int k = 0; k <= i; ++k) ASSERT_EQ(redkit_cli({"ts", "add", series, std::to_string(1000 + k), "1"}).exit_code, 0);
  }
  auto stats = redkit_cli({"--json", "ts", "stats", "--by", "suite", "--top", "2"});
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  const auto json = nlohmann::json::parse(stats.output);
  EXPECT_GE(json["series"].get<int>(), 3);
  EXPECT_EQ(json["largest"].size(), 2u);
  const auto group = json["by"]["groups"][name()];
  EXPECT_EQ(group["series"], 3);
  EXPECT_EQ(group["samples"], 6);
  EXPECT_GT(group["memory_bytes"].get<long long>(), 0);
  auto text = redkit_cli({"ts", "stats", "--by", "suite"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("  " + name() + "  3 series, 6 samples, "), std::string::npos) << text.output;
}

TEST_F(TsCliTest, CorrelateAndOutliersAsTablesAndJson) {
  Client client(redis().url());
  ts::Store store(client);
  const std::string up = name() + ".up";
  const std::string down = name() + ".down";
  for (const std::string& series : {up, down}) store.create(series, {.labels = {{"suite", name()}}});
  for (int i = 0; i < 120; ++i) {
    const double value = 10 + (i * 7) % 13;
    store.add(up, 60'000 + i * 10'000, i == 60 ? 500 : value);
    store.add(down, 60'000 + i * 10'000, -value);
  }
  auto matrix = redkit_cli({"--json", "ts", "correlate", "--filter", "suite=" + name(), "--window", "1m"});
  ASSERT_EQ(matrix.exit_code, 0) << matrix.output;
  const auto json = nlohmann::json::parse(matrix.output);
  EXPECT_EQ(json["method"], "pearson");
  EXPECT_EQ(json["rows"], (nlohmann::json{down, up}));
  EXPECT_EQ(json["matrix"][0][0]["windows"], 20);
  EXPECT_GT(json["matrix"][0][1]["coefficient"].get<double>(), -1.0);  // the spike breaks the mirror
  EXPECT_LT(json["matrix"][0][1]["coefficient"].get<double>(), 0.0);
  auto table = redkit_cli({"ts", "correlate", up, down, "--window", "1m", "--method", "spearman"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  // One row per series: each coefficient with its windows.
  EXPECT_NE(table.output.find(down + "  +1.000 (20)  -0.9"), std::string::npos) << table.output;
  auto outliers = redkit_cli({"--json", "ts", "outliers", up});
  ASSERT_EQ(outliers.exit_code, 0) << outliers.output;
  const auto found = nlohmann::json::parse(outliers.output).at(0);
  EXPECT_EQ(found["values"], 120);
  EXPECT_EQ(found["outliers"], (nlohmann::json{{660'000, 500.0}}));
  auto text = redkit_cli({"ts", "outliers", up, "--method", "zscore", "--threshold", "4"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("1 outliers\n  660000 500"), std::string::npos) << text.output;
  // Usage errors (2) and refusals (1) name what is wrong.
  auto neither = redkit_cli({"ts", "correlate"});
  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_NE(neither.output.find("give series NAMEs or --filter"), std::string::npos) << neither.output;
  auto method = redkit_cli({"ts", "outliers", up, "--method", "grubbs"});
  EXPECT_EQ(method.exit_code, 2);
  EXPECT_NE(method.output.find("'grubbs'"), std::string::npos) << method.output;
  auto one = redkit_cli({"ts", "correlate", up});
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_NE(one.output.find("at least two series"), std::string::npos) << one.output;
  auto missing = redkit_cli({"ts", "correlate", up, name() + ".missing"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("does not exist"), std::string::npos) << missing.output;
}

TEST_F(TsCliTest, AlertSinksShowsTheCountersOfEachSink) {
  Client client(redis().url());
  client.command({"HSET", "redkit:{alert}:sinks", "delivered:webhook:http://x/y", "4", "failed:webhook:http://x/y",
                  "2", "last_error:webhook:http://x/y", "1-0: status 503", "last_error_at:webhook:http://x/y", "7"});
  auto sinks = redkit_cli({"--json", "ts", "alert", "sinks"});
  ASSERT_EQ(sinks.exit_code, 0) << sinks.output;
  const auto json = nlohmann::json::parse(sinks.output);
  bool found = false;
  for (const auto& sink : json["sinks"]) {
    if (sink["sink"] != "webhook:http://x/y") continue;
    found = true;
    EXPECT_EQ(sink["delivered"], 4);
    EXPECT_EQ(sink["failed_attempts"], 2);
    EXPECT_EQ(sink["last_error"], "1-0: status 503");
  }
  EXPECT_TRUE(found) << sinks.output;
  auto text = redkit_cli({"ts", "alert", "sinks"});
  EXPECT_NE(text.output.find("delivered 4, failed attempts 2, dropped 0, pending 0"), std::string::npos) << text.output;
}

}  // namespace
}  // namespace redkit
