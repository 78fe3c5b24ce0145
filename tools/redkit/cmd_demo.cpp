// `redkit demo`: a short end-to-end run against a real Redis server that shows
// the client layer at work (commands from many threads, pipelining, pub/sub)
// and the seed's lock and time-series scenarios done safely (demo_locks.cpp,
// demo_series.cpp), and leaves nothing behind. Every key it writes starts
// with redkit:demo:.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <future>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "demo_report.hpp"
#include "demo_scenarios.hpp"
#include "embedded_default.hpp"
#include "redkit/client.hpp"
#include "redkit/command.hpp"
#include "server_info.hpp"

namespace redkit::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kCounterThreads = 8;
constexpr int kIncrementsPerThread = 500;
constexpr int kPipelineSets = 10'000;
constexpr auto kPubSubTimeout = std::chrono::seconds(5);

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::int64_t elapsed_us(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration_cast<std::chrono::microseconds>(end - start).count();
}

// Removes every key under a prefix with SCAN + UNLINK (never KEYS, which
// blocks the server). Runs again from the destructor, so a step that throws
// still leaves the database as it was found.
class KeyCleanup {
 public:
  KeyCleanup(const redkit::Client& client, std::string prefix)
      : client_(client), prefix_(std::move(prefix)) {}
  KeyCleanup(const KeyCleanup&) = delete;
  KeyCleanup& operator=(const KeyCleanup&) = delete;

  ~KeyCleanup() {
    if (done_) return;
    try {
      run();
    } catch (...) {
      // The original error matters more than a failed cleanup.
    }
  }

  // Returns the number of keys removed.
  long long run() {
    long long removed = 0;
    std::string cursor = "0";
    const std::string pattern = prefix_ + "*";
    do {
      redkit::Reply reply = client_.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      const auto& parts = reply.as_array();
      cursor = parts.at(0).as_string();
      std::vector<std::string> unlink{"UNLINK"};
      for (const auto& key : parts.at(1).as_array()) unlink.push_back(key.as_string());
      if (unlink.size() > 1) {
        removed += client_.command(redkit::Command::raw(std::move(unlink))).as_integer();
      }
    } while (cursor != "0");
    done_ = true;
    return removed;
  }

 private:
  const redkit::Client& client_;
  std::string prefix_;
  bool done_ = false;
};

// A per-run namespace below redkit:demo:, so runs against a shared server do
// not see or delete each other's keys.
std::string make_prefix() {
  std::random_device random;
  return fmt::format("redkit:demo:{:08x}:", random());
}

void show_server(Report& report, const ResolvedServer& server, const redkit::Client& client) {
  const std::string version = redis_version(client);
  report.step("server", "server", fmt::format("{}, Redis {}", server.description(), version),
              {{"endpoint", server.connection().endpoint()},
               {"origin", to_string(server.origin())},
               {"redis_version", version}});
}

void show_ping(Report& report, const redkit::Client& client) {
  const auto rtt = client.ping();
  report.step("ping", "ping", fmt::format("{} µs round trip", rtt.count()), {{"rtt_us", rtt.count()}});
}

// Many threads increment one counter through the shared client; INCR is atomic
// on the server, so no increment may be lost.
void show_counter(Report& report, const redkit::Client& client, const std::string& prefix) {
  const std::string key = prefix + "counter";
  std::vector<std::exception_ptr> errors(kCounterThreads);
  const auto start = Clock::now();
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kCounterThreads; ++t) {
      threads.emplace_back([&client, &key, &errors, t] {
        try {
          for (int i = 0; i < kIncrementsPerThread; ++i) client.command({"INCR", key});
        } catch (...) {
          errors[static_cast<std::size_t>(t)] = std::current_exception();
        }
      });
    }
  }
  const double ms = elapsed_ms(start);
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  const long long expected = static_cast<long long>(kCounterThreads) * kIncrementsPerThread;
  const long long total = std::stoll(client.command({"GET", key}).as_string());
  if (total != expected) {
    throw std::runtime_error(
        fmt::format("counter {} ended at {}, expected {}: increments were lost", key, total, expected));
  }
  report.step("counter", "counter",
              fmt::format("{} threads × {} INCR on one key = {} (expected {}) in {:.1f} ms",
                          kCounterThreads, kIncrementsPerThread, total, expected, ms),
              {{"threads", kCounterThreads},
               {"increments_per_thread", kIncrementsPerThread},
               {"total", total},
               {"elapsed_ms", ms}});
}

void show_pipeline(Report& report, const redkit::Client& client, const std::string& prefix) {
  redkit::Pipeline pipeline = client.pipeline();
  for (int i = 0; i < kPipelineSets; ++i) {
    const std::string value = std::to_string(i);
    pipeline.add({"SET", prefix + "item:" + value, value});
  }
  const auto start = Clock::now();
  const std::vector<redkit::Reply> replies = pipeline.exec();
  const double ms = elapsed_ms(start);
  for (const auto& reply : replies) {
    reply.throw_if_error();
    if (reply.as_string() != "OK") {
      throw std::runtime_error(fmt::format("pipelined SET answered {}", reply.to_display()));
    }
  }
  const auto per_second = static_cast<std::int64_t>(kPipelineSets / (ms / 1000.0));
  report.step("pipeline", "pipeline",
              fmt::format("{} SET in one round trip: {:.1f} ms, {} SET/s", kPipelineSets, ms, per_second),
              {{"commands", kPipelineSets}, {"elapsed_ms", ms}, {"ops_per_sec", per_second}});
}

// Subscribes, publishes from another thread and measures until the handler
// runs on the subscriber thread.
void show_pubsub(Report& report, const redkit::Client& client, const std::string& prefix) {
  struct Delivery {
    std::promise<std::pair<std::string, Clock::time_point>> received;
    std::atomic<bool> fired{false};
  };
  const std::string channel = prefix + "events";
  const std::string payload = "hello from another thread";
  auto delivery = std::make_shared<Delivery>();
  auto received = delivery->received.get_future();

  redkit::Subscription subscription = client.subscriber().subscribe(
      channel, [delivery](std::string_view, std::string_view message) {
        if (!delivery->fired.exchange(true)) {
          delivery->received.set_value({std::string(message), Clock::now()});
        }
      });

  Clock::time_point published_at;
  long long receivers = 0;
  std::exception_ptr publish_error;
  std::jthread([&] {
    try {
      published_at = Clock::now();
      receivers = client.command({"PUBLISH", channel, payload}).as_integer();
    } catch (...) {
      publish_error = std::current_exception();
    }
  }).join();
  if (publish_error) std::rethrow_exception(publish_error);

  if (received.wait_for(kPubSubTimeout) != std::future_status::ready) {
    throw std::runtime_error(fmt::format("no message on channel {} within {} s after PUBLISH ({} receivers)",
                                         channel, kPubSubTimeout.count(), receivers));
  }
  const auto [message, received_at] = received.get();
  if (message != payload) {
    throw std::runtime_error(fmt::format("channel {} delivered '{}', expected '{}'", channel, message, payload));
  }
  const std::int64_t rtt = elapsed_us(published_at, received_at);
  report.step("pubsub", "pub/sub",
              fmt::format("message published by another thread received after {} µs", rtt),
              {{"channel", channel}, {"round_trip_us", rtt}});
}

void run_demo(const GlobalOptions& global) {
  const ResolvedServer server = resolve_server(global);
  // Designated, so ClientOptions' default of parsing $REDIS_URL is never evaluated.
  const redkit::Client client(redkit::ClientOptions{.connection = server.connection(), .pool = {}});
  const std::string prefix = make_prefix();
  Report report(global.json());
  KeyCleanup cleanup(client, prefix);

  show_server(report, server, client);
  show_ping(report, client);
  show_counter(report, client, prefix);
  show_pipeline(report, client, prefix);
  show_pubsub(report, client, prefix);
  show_locked_counter(report, client, prefix);
  show_bank_transfers(report, client, prefix);
  show_renewal(report, client, prefix);
  show_read_write(report, client, prefix);
  show_registry_and_deadlock(report, client, prefix);
  show_series_store(report, client, prefix);
  show_retention_and_labels(report, client, prefix);
  show_analysis(report, client, prefix);
  show_alerting(report, client, prefix);

  const long long removed = cleanup.run();
  report.step("cleanup", "cleanup", fmt::format("unlinked {} keys under {} (SCAN + UNLINK)", removed, prefix),
              {{"prefix", prefix}, {"keys_removed", removed}});
  report.finish();
}

}  // namespace

void add_demo_command(CLI::App& app, GlobalOptions& global) {
  CLI::App* command = app.add_subcommand(
      "demo",
      "Run an end-to-end example against Redis. Uses --redis / REDIS_URL when given, else "
      "127.0.0.1:6379 if it answers, else a private redis-server on a unix socket");
  command->callback([&global] { run_demo(global); });
}

}  // namespace redkit::cli
