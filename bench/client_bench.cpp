// Client layer benchmarks: redkit's command path against hiredis's own
// synchronous API (redisCommand / redisAppendCommand), the usual C client and
// the floor a C++ wrapper should stay close to, on the same server in the
// same process; and redkit's reply reader against hiredis's default one.
//
//   build/bench/client_bench                      # private redis-server over TCP
//   REDIS_URL=redis://host:port build/bench/client_bench
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "client/reply_reader.hpp"
#include "bench_server.hpp"
#include "redkit/client.hpp"

namespace {

struct Target {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string url;
};

Target& target() {
  static Target t;
  return t;
}

struct HiredisDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using HiredisContext = std::unique_ptr<redisContext, HiredisDeleter>;

HiredisContext hiredis_connect() {
  HiredisContext c(redisConnect(target().host.c_str(), target().port));
  if (!c || c->err) std::abort();
  return c;
}

void free_reply(void* reply) { freeReplyObject(reply); }

void BM_Hiredis_SetGet(benchmark::State& state) {
  auto c = hiredis_connect();
  for (auto _ : state) {
    free_reply(redisCommand(c.get(), "SET %s %s", "bench:k", "value"));
    void* reply = redisCommand(c.get(), "GET %s", "bench:k");
    benchmark::DoNotOptimize(reply);
    free_reply(reply);
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_Hiredis_SetGet)->UseRealTime();

void BM_Redkit_SetGet(benchmark::State& state) {
  redkit::Client client(target().url);
  for (auto _ : state) {
    client.command({"SET", "bench:k", "value"});
    auto reply = client.command({"GET", "bench:k"});
    benchmark::DoNotOptimize(reply);
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_Redkit_SetGet)->UseRealTime();

void BM_Hiredis_Pipeline(benchmark::State& state) {
  auto c = hiredis_connect();
  const auto n = state.range(0);
  for (auto _ : state) {
    for (long i = 0; i < n; ++i) redisAppendCommand(c.get(), "INCR %s", "bench:counter");
    for (long i = 0; i < n; ++i) {
      void* reply = nullptr;
      redisGetReply(c.get(), &reply);
      free_reply(reply);
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Hiredis_Pipeline)->Arg(100)->Arg(10000)->UseRealTime();

void BM_Redkit_Pipeline(benchmark::State& state) {
  redkit::Client client(target().url);
  const auto n = state.range(0);
  for (auto _ : state) {
    redkit::Pipeline pipeline = client.pipeline();
    for (long i = 0; i < n; ++i) pipeline.add(std::move(redkit::Command("INCR").key("bench:counter")));
    auto replies = pipeline.exec();
    benchmark::DoNotOptimize(replies);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Redkit_Pipeline)->Arg(100)->Arg(10000)->UseRealTime();

// A reply of 1000 bulk strings of 64 bytes, as LRANGE or a chunk read returns.
std::string array_reply_bytes() {
  std::string wire = "*1000\r\n";
  for (int i = 0; i < 1000; ++i) wire += "$64\r\n" + std::string(64, static_cast<char>('a' + i % 26)) + "\r\n";
  return wire;
}

void BM_Hiredis_ParseArray(benchmark::State& state) {
  const std::string wire = array_reply_bytes();
  redisReader* reader = redisReaderCreate();
  for (auto _ : state) {
    redisReaderFeed(reader, wire.data(), wire.size());
    void* reply = nullptr;
    redisReaderGetReply(reader, &reply);
    benchmark::DoNotOptimize(reply);
    freeReplyObject(reply);
  }
  redisReaderFree(reader);
  state.SetBytesProcessed(state.iterations() * static_cast<long>(wire.size()));
}
BENCHMARK(BM_Hiredis_ParseArray);

void BM_Redkit_ParseArray(benchmark::State& state) {
  const std::string wire = array_reply_bytes();
  redkit::detail::ReplyReader reader;
  for (auto _ : state) {
    reader.feed(wire);
    auto reply = reader.next();
    benchmark::DoNotOptimize(reply);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<long>(wire.size()));
}
BENCHMARK(BM_Redkit_ParseArray);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const redkit::bench::BenchServer server;
  const auto options = redkit::ConnectionOptions::from_url(server.url());
  target() = Target{options.host, options.port, server.url()};
  benchmark::AddCustomContext("redis", target().url);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
