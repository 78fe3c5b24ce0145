// `redkit ping [--count N]`: checks that Redis answers and how fast.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "redkit/client.hpp"
#include "server_info.hpp"

namespace redkit::cli {
namespace {

struct PingArgs {
  int count = 1;
};

struct RttSummary {
  std::int64_t min_us = 0;
  std::int64_t avg_us = 0;
  std::int64_t max_us = 0;
};

RttSummary summarize(const std::vector<std::chrono::microseconds>& rtts) {
  const auto [min, max] = std::minmax_element(rtts.begin(), rtts.end());
  std::chrono::microseconds total{0};
  for (const auto rtt : rtts) total += rtt;
  const auto count = static_cast<std::int64_t>(rtts.size());
  return {min->count(), total.count() / count, max->count()};
}

void run_ping(const GlobalOptions& global, const PingArgs& args) {
  const redkit::ConnectionOptions connection = global.connection();
  // Designated, so ClientOptions' default of parsing $REDIS_URL is never evaluated.
  const redkit::Client client(redkit::ClientOptions{.connection = connection, .pool = {}});
  // INFO goes first so the connect does not count as the first round trip.
  const std::string version = redis_version(client);
  std::vector<std::chrono::microseconds> rtts;
  rtts.reserve(static_cast<std::size_t>(args.count));
  for (int i = 0; i < args.count; ++i) rtts.push_back(client.ping());
  const RttSummary rtt = summarize(rtts);

  if (global.json()) {
    nlohmann::json out = {{"endpoint", connection.endpoint()},
                          {"redis_version", version},
                          {"rtt_us", rtt.avg_us}};
    if (args.count > 1) {
      out["count"] = args.count;
      out["min_us"] = rtt.min_us;
      out["avg_us"] = rtt.avg_us;
      out["max_us"] = rtt.max_us;
    }
    fmt::print("{}\n", out.dump());
  } else if (args.count == 1) {
    fmt::print("PONG from {} (Redis {}) in {} µs\n", connection.endpoint(), version, rtt.avg_us);
  } else {
    fmt::print("{} PINGs to {} (Redis {}): min {} µs, avg {} µs, max {} µs\n", args.count,
               connection.endpoint(), version, rtt.min_us, rtt.avg_us, rtt.max_us);
  }
}

}  // namespace

void add_ping_command(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<PingArgs>();
  CLI::App* command = app.add_subcommand("ping", "Check that Redis answers; print the round-trip time");
  command->add_option("-n,--count", args->count, "Number of PINGs; min/avg/max are reported")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  command->callback([&global, args] { run_ping(global, *args); });
}

}  // namespace redkit::cli
