// The redkit program: exit codes, one-line errors, JSON output, and the
// commands of the skeleton against a real server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "devserver/net_probe.hpp"
#include "support/redis_test.hpp"
#include "support/subprocess.hpp"

namespace redkit {
namespace {

using test::RedisTest;
using test::run_command;

test::CommandResult redkit_cli(std::vector<std::string> args) {
  args.insert(args.begin(), REDKIT_CLI_PATH);
  return run_command(args);
}

std::size_t line_count(const std::string& text) {
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

class CliTest : public RedisTest {};

TEST_F(CliTest, VersionAsTextAndJson) {
  auto text = redkit_cli({"version"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.output.find("redkit "), std::string::npos) << text.output;
  auto json = redkit_cli({"version", "--json"});
  ASSERT_EQ(json.exit_code, 0);
  auto parsed = nlohmann::json::parse(json.output);
  EXPECT_TRUE(parsed.is_object()) << json.output;
}

TEST_F(CliTest, PingReportsRoundTripAndServerVersion) {
  auto result = redkit_cli({"--redis", redis().url(), "ping", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto parsed = nlohmann::json::parse(result.output);
  EXPECT_TRUE(parsed["rtt_us"].is_number_integer()) << result.output;
  EXPECT_EQ(parsed["redis_version"].get<std::string>().substr(0, 2), "7.") << result.output;
  EXPECT_EQ(parsed["endpoint"], "127.0.0.1:" + std::to_string(redis().port()));
}

TEST_F(CliTest, PingOverUnixSocketWithCount) {
  auto result = redkit_cli({"--redis", redis().unix_url(), "ping", "--count", "5"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST_F(CliTest, RedisUrlFromEnvironmentIsUsed) {
  std::string command = "REDIS_URL=" + redis().url() + " " + REDKIT_CLI_PATH + " ping";
  auto result = run_command({"sh", "-c", command});
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST_F(CliTest, UnreachableServerIsOneLineNamingTheEndpointExit1) {
  const int port = devserver::pick_free_port();
  auto result = redkit_cli({"--redis", "redis://127.0.0.1:" + std::to_string(port), "ping"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(line_count(result.output), 1u) << result.output;
  EXPECT_NE(result.output.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << result.output;
}

TEST_F(CliTest, BadUrlIsAUsageErrorNamingItWithoutThePassword) {
  auto result = redkit_cli({"--redis", "redis://user:hunter2@host:99999", "ping"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(line_count(result.output), 1u) << result.output;
  EXPECT_NE(result.output.find("99999"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("hunter2"), std::string::npos) << result.output;
}

TEST_F(CliTest, UnknownCommandAndMissingCommandExit2) {
  EXPECT_EQ(redkit_cli({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(redkit_cli({}).exit_code, 2);
  EXPECT_EQ(redkit_cli({"ping", "--count", "0"}).exit_code, 2);
}

TEST_F(CliTest, HelpOnEveryCommand) {
  for (const char* command : {"version", "ping", "demo"}) {
    auto result = redkit_cli({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_NE(result.output.find("Usage"), std::string::npos) << command << ": " << result.output;
  }
}

TEST_F(CliTest, DemoRunsAgainstAGivenServerAndCleansUp) {
  auto result = redkit_cli({"--redis", redis().url(), "demo"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("4000"), std::string::npos) << result.output;
  for (const char* step : {"ts ingest", "ts query", "ts rules", "ts labels", "ts corr", "ts outl", "ts rate",
                           "ts pctl", "ts fill", "ts stats", "ts self", "alerts", "anomaly", "registry", "deadlock", "metrics"}) {
    EXPECT_NE(result.output.find(step), std::string::npos) << step << ": " << result.output;
  }
  auto keys = run_command({"redis-cli", "-s", redis().socket_path().string(), "--scan", "--pattern", "redkit:demo:*"});
  EXPECT_EQ(keys.exit_code, 0);
  EXPECT_EQ(keys.output, "") << "demo left keys behind";
}

}  // namespace
}  // namespace redkit
