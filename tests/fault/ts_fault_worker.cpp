// A writer process of the time-series soak test. For a fixed time it writes
// one series that another writer process writes at once, mixing single adds
// (the head, sealed every 512 samples by whichever writer fills it), bulk
// add_many runs (compressed here and appended chunk by chunk, or sent
// through the head when the other writer got ahead) and samples older than
// the head, placed inside sealed chunks by rewriting them. Each writer owns
// the timestamps t with t mod 4 = its number (newer samples) and t mod 4 =
// its number + 2 (the gaps it fills later), so no two adds share a
// timestamp, and every value is value_at(t).
//
//   ts_fault_worker --url redis://... --prefix soak: --series shared --writer 0|1
//                   --seconds 20 --log writer-0.log [--origin-us T]
//
// T is a reading of the monotonic clock in microseconds that both writers
// share (by default this writer's start).
//
// Each line of the log is one acknowledged sample's timestamp (written after
// the add returned); the last line is "done N". Exit status: 0 done, 2 bad
// arguments, 3 an error.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/time_series.hpp"

namespace {

using redkit::ts::Sample;
using redkit::ts::Timestamp;

constexpr Timestamp kStart = 1'600'000'000'000;
constexpr Timestamp kUnitsPerMicrosecond = 100;

double value_at(Timestamp t) { return static_cast<double>(t % 100'003) / 100; }

struct Arguments {
  std::string url;
  std::string prefix;
  std::string series;
  std::string log;
  int writer = -1;
  double seconds = 0;
  std::int64_t origin_us = 0;
};

std::int64_t monotonic_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Arguments parse(int argc, char** argv) {
  std::map<std::string, std::string> values;
  for (int i = 1; i + 1 < argc; i += 2) {
    values[argv[i]] = argv[i + 1];
  }
  Arguments a;
  a.url = values["--url"];
  a.prefix = values["--prefix"];
  a.series = values["--series"];
  a.log = values["--log"];
  a.writer = values.count("--writer") ? std::stoi(values["--writer"]) : -1;
  a.seconds = values.count("--seconds") ? std::stod(values["--seconds"]) : 0;
  a.origin_us = values.count("--origin-us") ? std::stoll(values["--origin-us"]) : monotonic_us();
  if (argc % 2 == 0 || a.url.empty() || a.prefix.empty() || a.series.empty() || a.log.empty() ||
      (a.writer != 0 && a.writer != 1) || a.seconds <= 0) {
    throw std::invalid_argument("usage: ts_fault_worker --url U --prefix P --series S --writer 0|1 --seconds N --log F");
  }
  return a;
}

int run(const Arguments& a) {
  redkit::Client client(a.url);
  redkit::ts::Store store(client, {.prefix = a.prefix, .default_series = {}});
  std::ofstream log(a.log, std::ios::trunc);
  std::mt19937_64 random(static_cast<std::uint64_t>(a.writer) * 7919 + 17);
  std::uniform_int_distribution<int> pick(0, 9);
  std::uniform_int_distribution<int> bulk_size(512, 1'500);

  std::size_t acknowledged = 0;
  auto acknowledge = [&](const std::vector<Sample>& samples) {
    for (const Sample& sample : samples) {
      log << sample.timestamp << '\n';
    }
    log.flush();
    acknowledged += samples.size();
  };
  // Newer timestamps follow the system-wide monotonic clock from the shared
  // origin, which both writers read alike, so they stay close: samples land just behind the
  // other's newest one (inside the head, or inside a run a bulk add just
  // stored) while they race. The clock runs fast enough that a bulk run
  // spans well under a round trip of it: were one writer's runs to cover
  // the other's clock for long, the other's adds would all become chunk
  // rewrites, which lose most races against a busy writer (they retry when
  // anything in the series changed).
  Timestamp next = kStart + a.writer;  // the writer's next newer timestamp
  std::deque<Timestamp> gaps;          // left behind, filled once sealed
  auto newer = [&](std::size_t n) {
    const Timestamp elapsed = monotonic_us() - a.origin_us;
    next = std::max(next, kStart + 4 * (kUnitsPerMicrosecond * elapsed / 4) + a.writer);
    std::vector<Sample> samples;
    for (std::size_t i = 0; i < n; ++i) {
      samples.push_back({next, value_at(next)});
      gaps.push_back(next + 2);
      next += 4;
    }
    return samples;
  };
  // Gaps at least this far behind the writer lie in sealed chunks (the head
  // seals at 512 samples and both writers feed it).
  constexpr std::size_t kGapLag = 4'000;
  auto older = [&](std::size_t n) {
    std::vector<Sample> samples;
    while (samples.size() < n && gaps.size() > kGapLag) {
      samples.push_back({gaps.front(), value_at(gaps.front())});
      gaps.pop_front();
    }
    return samples;
  };

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(a.seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    const int what = pick(random);
    if (what < 5) {
      for (const Sample& sample : newer(16)) {
        store.add(a.series, sample.timestamp, sample.value);
        acknowledge({sample});
      }
    } else if (what < 8) {
      const auto samples = newer(static_cast<std::size_t>(bulk_size(random)));
      store.add_many(a.series, samples);
      acknowledge(samples);
    } else if (what < 9) {
      for (const Sample& sample : older(4)) {
        store.add(a.series, sample.timestamp, sample.value);
        acknowledge({sample});
      }
    } else {
      // Older samples in bulk, mixed with newer ones: add_many sorts them
      // and places each older one in its chunk.
      auto samples = older(8);
      const auto fresh = newer(64);
      samples.insert(samples.end(), fresh.begin(), fresh.end());
      store.add_many(a.series, samples);
      acknowledge(samples);
    }
  }
  log << "done " << acknowledged << '\n';
  log.flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  try {
    arguments = parse(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << error.what() << '\n';
    return 2;
  }
  try {
    return run(arguments);
  } catch (const std::exception& error) {
    std::cerr << "writer " << arguments.writer << ": " << error.what() << '\n';
    return 3;
  }
}
