// Older samples written into sealed chunks while another client appends to
// the same series. Each such sample costs a chunk rewrite (read, decode,
// insert, encode, store if the chunk is unchanged); this measures how many
// land per second with a bulk writer running beside them, against the same
// thread writing alone, in the same process on the same server.
//
//   build/bench/ts_late_writes [--seconds 5]
//   REDIS_URL=redis://host:port build/bench/ts_late_writes
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_server.hpp"
#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/time_series.hpp"

namespace {

using namespace std::chrono;
using redkit::ts::Sample;

struct Result {
  double late_per_s = 0;
  double bulk_per_s = 0;
  // Late writes that gave up: the store throws once a rewrite has lost too
  // many races in a row.
  long long gave_up = 0;
};

// A fresh series of 200,000 samples at even timestamps (sealed chunks with a
// gap at every odd one), then `seconds` of late writes into the gaps, with
// or without a bulk writer appending 100 newer samples per call.
Result run(redkit::ts::Store& store, const std::string& series, int seconds, bool with_bulk_writer) {
  store.create(series, {});
  std::vector<Sample> base;
  for (long long t = 0; t < 400'000; t += 2) base.push_back({t, 1.0});
  store.add_many(series, base);

  std::atomic<bool> stop{false};
  std::atomic<long long> bulk{0};
  std::thread writer;
  if (with_bulk_writer) {
    writer = std::thread([&] {
      long long t = 1'000'000;
      while (!stop.load()) {
        std::vector<Sample> batch;
        for (int i = 0; i < 100; ++i) batch.push_back({t++, 2.0});
        store.add_many(series, batch);
        bulk += 100;
      }
    });
  }
  long long late = 0;
  long long gave_up = 0;
  const auto end = steady_clock::now() + std::chrono::seconds(seconds);
  for (long long t = 1; steady_clock::now() < end; t += 2) {
    try {
      store.add(series, t, 4.0);
      ++late;
    } catch (const redkit::Error&) {
      ++gave_up;
    }
  }
  stop = true;
  if (writer.joinable()) writer.join();
  store.remove(series);
  return {static_cast<double>(late) / seconds, static_cast<double>(bulk.load()) / seconds, gave_up};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    int seconds = 5;
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (flag == "--seconds" && i + 1 < argc) {
        seconds = std::stoi(argv[++i]);
      } else {
        throw std::invalid_argument("unknown argument " + flag);
      }
    }
    if (seconds < 1) throw std::invalid_argument("--seconds must be at least 1");
    const redkit::bench::BenchServer server;
    const std::string& url = server.url();
    redkit::Client client(url);
    redkit::ts::Store store(client, {.prefix = "bench:", .default_series = {}});
    // Unmeasured: the first run of a process is markedly slower (about half
    // the rate) whichever case it is.
    run(store, "late-warm-up", 2, false);
    const Result alone = run(store, "late-alone", seconds, false);
    const Result beside = run(store, "late-beside", seconds, true);
    std::cout << fmt::format("ts_late_writes: {} s each, redis {}\n", seconds, url);
    std::cout << fmt::format("late writes alone               {:10.1f} /s\n", alone.late_per_s);
    std::cout << fmt::format("late writes beside a bulk writer {:9.1f} /s  ({:.2f} x alone), {} gave up\n",
                             beside.late_per_s, beside.late_per_s / alone.late_per_s, beside.gave_up);
    std::cout << fmt::format("the bulk writer meanwhile       {:10.0f} samples/s\n", beside.bulk_per_s);
    std::cout << fmt::format(
        R"({{"case":"ts_late_writes","seconds":{},"late_alone_per_s":{:.1f},"late_beside_bulk_per_s":{:.1f},)"
        R"("ratio":{:.3f},"gave_up":{},"bulk_samples_per_s":{:.0f}}})"
        "\n",
        seconds, alone.late_per_s, beside.late_per_s, beside.late_per_s / alone.late_per_s, beside.gave_up,
        beside.bulk_per_s);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ts_late_writes: " << e.what() << "\n";
    return 2;
  }
}
