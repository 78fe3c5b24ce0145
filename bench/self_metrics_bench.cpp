// What self-monitoring costs on the hot path: recording one operation (two
// clock reads and a few relaxed atomic increments), alone and with two
// threads recording the same operation at once, next to the cheapest thing
// it ever measures, a PING round trip on loopback, run in the same process
// against the same server.
//
//   build/bench/self_metrics_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "bench_server.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/client.hpp"

namespace {

std::string& server_url() {
  static std::string url;
  return url;
}

void BM_SelfTimer_Scope(benchmark::State& state) {
  for (auto _ : state) {
    redkit::detail::SelfTimer timer(redkit::SelfOp::ts_add);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_SelfTimer_Scope)->Threads(1)->Threads(2)->UseRealTime();

void BM_Ping_RoundTrip(benchmark::State& state) {
  redkit::Client client(server_url());
  for (auto _ : state) {
    auto reply = client.command({"PING"});
    benchmark::DoNotOptimize(reply);
  }
}
BENCHMARK(BM_Ping_RoundTrip)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const redkit::bench::BenchServer server;
  server_url() = server.url();
  benchmark::AddCustomContext("redis", server.url());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
