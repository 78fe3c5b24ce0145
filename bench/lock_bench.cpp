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
#include <memory>
#include <string>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "devserver/redis_process.hpp"
#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"

namespace {

std::string& redis_url() {
  static std::string url;
  return url;
}

// One acquire + release is one item; items_per_second is pairs/s.
void count_pairs(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations());
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Floor_SetNx_CompareAndDelete(benchmark::State& state) {
  redkit::Client client(redis_url());
  const redkit::Script& compare_and_delete = redkit::detail::embedded_script("compare_and_delete");
  const std::string key = "bench:floor:lock";
  // A fresh token per pair, as a real lock needs; a counter keeps its cost
  // out of the floor (redkit's own tokens come from OpenSSL's RAND_bytes).
  std::uint64_t serial = 0;
  for (auto _ : state) {
    const std::string token = fmt::format("{:032x}", ++serial);
    redkit::Reply set = client.command({"SET", key, token, "NX", "PX", "30000"});
    if (!set.is_status()) state.SkipWithError("SET NX refused: the key is held");
    redkit::Reply deleted = client.command(compare_and_delete.call({key}, {token}));
    if (deleted.as_integer() != 1) state.SkipWithError("compare-and-delete found another token");
  }
  count_pairs(state);
}
BENCHMARK(BM_Floor_SetNx_CompareAndDelete)->UseRealTime();

void run_lock_pairs(benchmark::State& state, bool auto_renew) {
  redkit::Client client(redis_url());
  redkit::LockService service(client, {.prefix = "bench:", .owner_label = "lock_bench"});
  redkit::Lock lock = service.make("uncontended", {.auto_renew = auto_renew});
  for (auto _ : state) {
    if (!lock.try_lock()) state.SkipWithError("try_lock failed on a free lock");
    if (lock.release() != redkit::LockOutcome::done) state.SkipWithError("release did not find our token");
  }
  count_pairs(state);
}

void BM_Redkit_Lock_AutoRenew(benchmark::State& state) { run_lock_pairs(state, true); }
BENCHMARK(BM_Redkit_Lock_AutoRenew)->UseRealTime();

void BM_Redkit_Lock_NoRenew(benchmark::State& state) { run_lock_pairs(state, false); }
BENCHMARK(BM_Redkit_Lock_NoRenew)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::unique_ptr<redkit::devserver::RedisProcess> server;
  const char* url = std::getenv("REDIS_URL");
  if (url != nullptr && *url != '\0') {
    redis_url() = url;
  } else {
    // Loopback TCP on a server nothing else uses, as in docs/BENCHMARKS.md.
    server = std::make_unique<redkit::devserver::RedisProcess>(redkit::devserver::RedisProcessOptions{});
    redis_url() = server->url();
  }
  benchmark::AddCustomContext("redis", redis_url());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
