// Uncontended lock benchmarks: redkit's Lock (fencing token, registry entry,
// wake-up channel, with and without auto-renewal) against the round-trip
// floor of any Redis lock — `SET key token NX PX 30000`, then the
// compare-and-delete script by EVALSHA — on the same server, in the same
// process, through the same client, so the difference is what redkit's lock
// adds on top of two round trips.
//
//   build/bench/lock_bench --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
//   REDIS_URL=redis://host:port build/bench/lock_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "bench_server.hpp"
#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"

namespace {

std::string& redis_url() {
  static std::string url;
  return url;
}

// The server's CPU time (user + system) from INFO cpu, so a case can say how
// much of a pair the server spends running its commands and scripts.
double server_cpu_seconds(const redkit::Client& client) {
  const std::string info = client.command({"INFO", "cpu"}).as_string();
  double total = 0;
  for (const char* field : {"used_cpu_sys:", "used_cpu_user:"}) {
    const auto at = info.find(field);
    if (at != std::string::npos) total += std::strtod(info.c_str() + at + std::strlen(field), nullptr);
  }
  return total;
}

// The server's time spent executing commands (scripts included, network
// and parsing excluded), summed over INFO commandstats, in microseconds.
double server_exec_us(const redkit::Client& client) {
  const std::string info = client.command({"INFO", "commandstats"}).as_string();
  double total = 0;
  for (std::size_t at = info.find(",usec="); at != std::string::npos; at = info.find(",usec=", at + 1)) {
    total += std::strtod(info.c_str() + at + std::strlen(",usec="), nullptr);
  }
  return total;
}

struct ServerUse {
  double cpu_s = 0;
  double exec_us = 0;
};
ServerUse server_use(const redkit::Client& client) { return {server_cpu_seconds(client), server_exec_us(client)}; }

// One acquire + release is one item; items_per_second is pairs/s.
// server_us/pair: the server's CPU (user + system, network included);
// exec_us/pair: of that, the time executing the pair's commands and scripts.
void count_pairs(benchmark::State& state, const redkit::Client& client, const ServerUse& before) {
  const ServerUse after = server_use(client);
  const auto pairs = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.counters["pairs/s"] = benchmark::Counter(pairs, benchmark::Counter::kIsRate);
  state.counters["server_us/pair"] = benchmark::Counter(pairs > 0 ? (after.cpu_s - before.cpu_s) * 1e6 / pairs : 0);
  state.counters["exec_us/pair"] = benchmark::Counter(pairs > 0 ? (after.exec_us - before.exec_us) / pairs : 0);
}

void BM_Floor_SetNx_CompareAndDelete(benchmark::State& state) {
  redkit::Client client(redis_url());
  const redkit::Script& compare_and_delete = redkit::detail::embedded_script(redkit::detail::ScriptName::compare_and_delete);
  const std::string key = "bench:floor:lock";
  // A fresh token per pair, as a real lock needs; a counter keeps its cost
  // out of the floor (redkit's own tokens come from a per-thread generator).
  std::uint64_t serial = 0;
  const ServerUse server_before = server_use(client);
  for (auto _ : state) {
    const std::string token = fmt::format("{:032x}", ++serial);
    redkit::Reply set = client.command({"SET", key, token, "NX", "PX", "30000"});
    if (!set.is_status()) state.SkipWithError("SET NX refused: the key is held");
    redkit::Reply deleted = client.command(compare_and_delete.call({key}, {token}));
    if (deleted.as_integer() != 1) state.SkipWithError("compare-and-delete found another token");
  }
  count_pairs(state, client, server_before);
}
BENCHMARK(BM_Floor_SetNx_CompareAndDelete)->UseRealTime();

void run_lock_pairs(benchmark::State& state, bool auto_renew) {
  redkit::Client client(redis_url());
  redkit::LockService service(client, {.prefix = "bench:", .owner_label = "lock_bench"});
  redkit::Lock lock = service.make("uncontended", {.auto_renew = auto_renew});
  const ServerUse server_before = server_use(client);
  for (auto _ : state) {
    if (!lock.try_lock()) state.SkipWithError("try_lock failed on a free lock");
    if (lock.release() != redkit::LockOutcome::done) state.SkipWithError("release did not find our token");
  }
  count_pairs(state, client, server_before);
}

void BM_Redkit_Lock_AutoRenew(benchmark::State& state) { run_lock_pairs(state, true); }
BENCHMARK(BM_Redkit_Lock_AutoRenew)->UseRealTime();

void BM_Redkit_Lock_NoRenew(benchmark::State& state) { run_lock_pairs(state, false); }
BENCHMARK(BM_Redkit_Lock_NoRenew)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const redkit::bench::BenchServer server;
  redis_url() = server.url();
  benchmark::AddCustomContext("redis", redis_url());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
