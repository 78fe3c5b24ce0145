// `redkit ts watch` as a user runs it: several watcher processes on the same
// rule over a label filter, delivering into a real Alertmanager and an exec
// hook; each transition delivered exactly once, with two watchers and with
// three of which the one holding the rule is killed (SIGKILL); SIGTERM ends
// a watcher cleanly.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "redkit/client.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_alert_watcher.hpp"
#include "support/alertmanager_process.hpp"
#include "support/child_process.hpp"
#include "support/redis_test.hpp"
#include "support/subprocess.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::wait_for;

constexpr auto kWait = 30s;
const std::vector<std::string> kHosts{"a", "b", "c"};

ts::Timestamp now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class TsWatchCliTest : public test::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    client_ = std::make_unique<Client>(redis().url());
    client_->command({"FLUSHALL"});
    char pattern[] = "/tmp/redkit-watch-XXXXXX";
    dir_ = ::mkdtemp(pattern);
  }
  void TearDown() override {
    watchers_.clear();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  test::CommandResult redkit_cli(std::vector<std::string> args) {
    args.insert(args.begin(), {REDKIT_CLI_PATH, "--redis", redis().url()});
    return test::run_command(args, 60s);
  }

  // Three series labelled metric=cpu and a rule firing when the last
  // sample of any of them is above 90, added through the CLI.
  void add_series_and_rule() {
    ts::Store store(*client_);
    for (const std::string& host : kHosts) {
      store.create("cpu:" + host, {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::last,
                                   .labels = {{"metric", "cpu"}, {"host", host}}});
    }
    const auto added = redkit_cli({"ts", "alert", "add", "cpu-high", "--filter", "metric=cpu", "--window", "60s",
                                   "--agg", "last", "--above", "90", "--repeat", "0s", "--label", "severity=page",
                                   "--annotation", "summary={{series}} at {{value}}"});
    ASSERT_EQ(added.exit_code, 0) << added.output;
  }

  void set_all(double value) {
    ts::Store store(*client_);
    for (const std::string& host : kHosts) store.add("cpu:" + host, now_ms(), value);
  }

  void start_watcher(const std::string& id, const test::AlertmanagerProcess& alertmanager, bool json = false) {
    std::vector<std::string> argv{REDKIT_CLI_PATH, "--redis", redis().url(), "ts", "watch", "--interval", "100ms",
                                  "--lease", "3s", "--sink-timeout", "1s", "--id", id, "--alertmanager", alertmanager.url(), "--exec",
                                  "cat >> " + deliveries().string()};
    if (json) argv.push_back("--json");
    watchers_[id] = std::make_unique<ChildProcess>(argv, dir_ / (id + ".out"));
  }

  // SIGTERM (or SIGINT), and the exit status it ends with.
  std::optional<int> terminate(const std::string& id, int signal = SIGTERM) {
    ::kill(watchers_.at(id)->pid(), signal);
    return watchers_.at(id)->wait_exit(20s);
  }

  std::filesystem::path deliveries() const { return dir_ / "deliveries.jsonl"; }

  // (series, event) -> how many times the exec hook received it.
  std::map<std::pair<std::string, std::string>, int> delivered() const {
    std::map<std::pair<std::string, std::string>, int> out;
    std::ifstream in(deliveries());
    std::string line;
    while (std::getline(in, line)) {
      const auto json = nlohmann::json::parse(line);
      ++out[{json["series"].get<std::string>(), json["event"].get<std::string>()}];
    }
    return out;
  }
  int delivered_count(const std::string& event) const {
    int n = 0;
    for (const auto& [key, count] : delivered()) n += key.second == event ? count : 0;
    return n;
  }

  // True once both sinks have acknowledged `n` deliveries in all and hold
  // none pending: nothing is left for a takeover to deliver again.
  bool settled(unsigned long long n) {
    const auto stats = ts::AlertWatcher::sink_stats(*client_);
    if (stats.size() != 2) return false;
    for (const auto& sink : stats) {
      if (sink.delivered != n || sink.pending != 0) return false;
    }
    return true;
  }

  static std::set<std::string> hosts_in(const nlohmann::json& alerts) {
    std::set<std::string> out;
    for (const auto& alert : alerts) out.insert(alert["labels"]["host"].get<std::string>());
    return out;
  }

  std::string rule_holder() {
    return client_->command({"GET", "redkit:{alert}:lease:cpu-high"}).as_optional_string().value_or("");
  }

  void expect_each_transition_once() {
    const auto counts = delivered();
    EXPECT_EQ(counts.size(), 6u);
    for (const auto& [key, count] : counts) EXPECT_EQ(count, 1) << key.first << " " << key.second;
    const auto history = redkit_cli({"--json", "ts", "alert", "history", "--rule", "cpu-high"});
    ASSERT_EQ(history.exit_code, 0) << history.output;
    EXPECT_EQ(nlohmann::json::parse(history.output).size(), 6u) << history.output;
  }

  std::unique_ptr<Client> client_;
  std::filesystem::path dir_;
  std::map<std::string, std::unique_ptr<ChildProcess>> watchers_;
};

TEST_F(TsWatchCliTest, TwoWatchersFireAndResolveIntoAlertmanagerOncePerTransition) {
  test::AlertmanagerProcess alertmanager;
  add_series_and_rule();
  start_watcher("w1", alertmanager);
  start_watcher("w2", alertmanager, /*json=*/true);
  set_all(95);
  ASSERT_TRUE(wait_for([&] { return hosts_in(alertmanager.alerts()).size() == 3 && settled(3); }, kWait))
      << alertmanager.alerts().dump() << watchers_["w1"]->output() << watchers_["w2"]->output();
  const auto alerts = alertmanager.alerts();
  EXPECT_EQ(hosts_in(alerts), (std::set<std::string>{"a", "b", "c"}));
  for (const auto& alert : alerts) {
    EXPECT_EQ(alert["labels"]["alertname"], "cpu-high");
    EXPECT_EQ(alert["labels"]["severity"], "page");
    EXPECT_EQ(alert["annotations"]["summary"], "cpu:" + alert["labels"]["host"].get<std::string>() + " at 95");
    EXPECT_EQ(alert["status"]["state"], "active");
  }
  set_all(10);
  ASSERT_TRUE(wait_for([&] { return alertmanager.alerts().empty() && settled(6); }, kWait))
      << alertmanager.alerts().dump();
  EXPECT_EQ(terminate("w1"), 0);
  EXPECT_EQ(terminate("w2", SIGINT), 0);
  expect_each_transition_once();
  // Both watchers sent their own operation counts: `redkit metrics` sums them.
  const auto metrics = redkit_cli({"--json", "metrics"});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.output;
  const auto operations = nlohmann::json::parse(metrics.output)["operations"];
  EXPECT_GT(operations["ts_mrange"]["calls"].get<std::uint64_t>(), 0u) << metrics.output;
  EXPECT_GT(operations["client_round_trip"]["calls"].get<std::uint64_t>(), 0u) << metrics.output;
  EXPECT_NE(watchers_["w1"]->output().find("SIGTERM received, stopping"), std::string::npos)
      << watchers_["w1"]->output();
  // With --json every line is a JSON object: notes, and the deliveries made.
  std::istringstream lines(watchers_["w2"]->output());
  std::string line;
  bool interrupted = false;
  while (std::getline(lines, line)) {
    const auto json = nlohmann::json::parse(line);
    interrupted = interrupted || json.value("watch", "") == "SIGINT received, stopping";
    if (json.contains("sink")) {
      EXPECT_EQ(json["notification"]["rule"], "cpu-high") << line;
    }
  }
  EXPECT_TRUE(interrupted) << watchers_["w2"]->output();
}

TEST_F(TsWatchCliTest, AKilledWatcherHoldingTheRuleIsReplacedWithoutLosingOrDoublingATransition) {
  test::AlertmanagerProcess alertmanager;
  add_series_and_rule();
  for (const std::string id : {"w1", "w2", "w3"}) start_watcher(id, alertmanager);
  ASSERT_TRUE(wait_for([&] { return !rule_holder().empty(); }, kWait));
  set_all(95);
  ASSERT_TRUE(wait_for([&] { return hosts_in(alertmanager.alerts()).size() == 3 && settled(3); }, kWait))
      << alertmanager.alerts().dump();
  const std::string holder = rule_holder();
  ASSERT_TRUE(watchers_.contains(holder)) << holder;
  watchers_.at(holder)->kill_hard();
  // The rule moves to a live watcher once the lease ends; the resolution
  // is then decided and delivered by it.
  set_all(10);
  ASSERT_TRUE(wait_for([&] { return alertmanager.alerts().empty() && settled(6); }, kWait))
      << alertmanager.alerts().dump();
  const std::string successor = rule_holder();
  EXPECT_NE(successor, holder);
  EXPECT_TRUE(watchers_.contains(successor)) << successor;
  for (const std::string id : {"w1", "w2", "w3"}) {
    if (id != holder) {
      EXPECT_EQ(terminate(id), 0) << watchers_[id]->output();
    }
  }
  expect_each_transition_once();
}

TEST_F(TsWatchCliTest, RefusesABadIntervalAndABadSinkUrlAsUsageErrors) {
  const auto interval = redkit_cli({"ts", "watch", "--interval", "soon"});
  EXPECT_EQ(interval.exit_code, 2) << interval.output;
  EXPECT_NE(interval.output.find("--interval"), std::string::npos) << interval.output;
  const auto lease = redkit_cli({"ts", "watch", "--interval", "10s", "--lease", "5s"});
  EXPECT_EQ(lease.exit_code, 2) << lease.output;
  EXPECT_NE(lease.output.find("must be longer than the interval"), std::string::npos) << lease.output;
  const auto url = redkit_cli({"ts", "watch", "--webhook", "ftp://example/x"});
  EXPECT_EQ(url.exit_code, 2) << url.output;
  EXPECT_NE(url.output.find("'ftp://example/x'"), std::string::npos) << url.output;
}

}  // namespace
}  // namespace redkit
