// Read-write exclusion under the seed's rwlock_check workload: R reader and
// W writer processes (default 4 + 2) hammer one redkit read-write lock for
// S seconds (see rwlock_check_worker.hpp for the loop), once with writer
// preference and once without. Violations are counted twice, as the seed
// counts them: in Redis (a writer that marked itself inside found a reader or
// another writer inside, or a reader found a writer) and from the workers'
// CLOCK_MONOTONIC intervals (pairs of hold intervals involving a writer that
// overlap). With --seed DIR, the seed's own case runs next against the same
// server, and its figures are printed beside redkit's.
//
//   build/bench/rwlock_check                      # private redis-server, 4 + 2 processes, 5 s, both modes
//   build/bench/rwlock_check --readers 4 --writers 2 --seconds 5 --mode both|preference|no-preference
//   build/bench/rwlock_check --seed ../shared/peers/seed-js
//   REDIS_URL=redis://host:port build/bench/rwlock_check
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_server.hpp"
#include "redkit/client.hpp"
#include "rwlock_check_worker.hpp"

namespace {

using redkit::bench::RwCheckConfig;
using redkit::bench::RwCheckResult;

struct Arguments {
  int readers = 4;
  int writers = 2;
  int seconds = 5;
  std::vector<bool> modes{true, false};  // writer preference on, then off
  std::string seed_dir;
};

Arguments parse(int argc, char** argv) {
  Arguments a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto text = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--readers") {
      a.readers = std::stoi(text());
    } else if (flag == "--writers") {
      a.writers = std::stoi(text());
    } else if (flag == "--seconds") {
      a.seconds = std::stoi(text());
    } else if (flag == "--mode") {
      const std::string mode = text();
      if (mode == "both") {
        a.modes = {true, false};
      } else if (mode == "preference") {
        a.modes = {true};
      } else if (mode == "no-preference") {
        a.modes = {false};
      } else {
        throw std::invalid_argument("--mode " + mode + ": expected both, preference or no-preference");
      }
    } else if (flag == "--seed") {
      a.seed_dir = text();
    } else {
      throw std::invalid_argument("unknown argument " + flag);
    }
  }
  if (a.readers < 0 || a.writers < 1 || a.seconds < 1) {
    throw std::invalid_argument("need readers >= 0, writers >= 1, seconds >= 1");
  }
  return a;
}

std::filesystem::path make_log_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "rwlock_check.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// Forks one process per reader and writer (this process has no thread yet,
// so the children start clean), starts them together, waits for all, and
// reads their logs.
std::vector<RwCheckResult> run_workers(const RwCheckConfig& config, int readers, int writers,
                                       const std::filesystem::path& dir) {
  int ready[2];
  int go[2];
  if (pipe(ready) != 0 || pipe(go) != 0) throw std::runtime_error("pipe failed");
  std::cout.flush();
  std::vector<pid_t> children;
  std::vector<std::filesystem::path> logs;
  for (int n = 0; n < readers + writers; ++n) {
    const bool writer = n >= readers;
    const int id = writer ? n - readers : n;
    logs.push_back(dir / fmt::format("{}-{}.log", writer ? "writer" : "reader", id));
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      close(ready[0]);
      close(go[1]);
      int status = 0;
      try {
        redkit::bench::run_rw_check_worker(config, writer, id, ready[1], go[0], logs.back());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s %d: %s\n", writer ? "writer" : "reader", id, e.what());
        const char failed = 'f';
        if (write(ready[1], &failed, 1) < 0) std::perror("worker");
        status = 1;
      }
      _exit(status);  // the parent's objects (its redis-server) are not ours to destroy
    }
    children.push_back(pid);
  }
  close(ready[1]);
  close(go[0]);
  bool all_ready = true;
  for (int connected = 0; connected < readers + writers; ++connected) {
    char byte = 0;
    if (read(ready[0], &byte, 1) != 1 || byte != 'r') {
      all_ready = false;
      break;
    }
  }
  close(go[1]);
  close(ready[0]);
  bool all_done = true;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    all_done = all_done && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!all_ready || !all_done) throw std::runtime_error("a worker failed");
  std::vector<RwCheckResult> results;
  for (const auto& log : logs) results.push_back(redkit::bench::read_rw_result(log));
  return results;
}

struct Summary {
  long reader_entries = 0;
  long writer_entries = 0;
  long reader_refusals = 0;
  long writer_refusals = 0;
  long reader_violations = 0;  // a reader found a writer inside
  long writer_violations = 0;  // a writer found a reader or another writer inside
  long overlap_rw = 0;         // overlapping interval pairs, reader and writer
  long overlap_ww = 0;         // overlapping interval pairs, two writers
};

// The seed's interval check: in order of start, each interval against those
// still open at its start.
Summary summarise(const std::vector<RwCheckResult>& results) {
  Summary s;
  struct Interval {
    std::int64_t a;
    std::int64_t b;
    bool writer;
  };
  std::vector<Interval> all;
  for (const auto& r : results) {
    (r.writer ? s.writer_entries : s.reader_entries) += r.entries;
    (r.writer ? s.writer_refusals : s.reader_refusals) += r.refusals;
    (r.writer ? s.writer_violations : s.reader_violations) += r.violations;
    for (const auto& [a, b] : r.intervals) all.push_back({a, b, r.writer});
  }
  std::sort(all.begin(), all.end(), [](const Interval& x, const Interval& y) { return x.a < y.a; });
  std::vector<Interval> open;
  for (const Interval& x : all) {
    std::erase_if(open, [&](const Interval& y) { return y.b <= x.a; });
    for (const Interval& y : open) {
      if (x.writer && y.writer) {
        ++s.overlap_ww;
      } else if (x.writer || y.writer) {
        ++s.overlap_rw;
      }
    }
    open.push_back(x);
  }
  return s;
}

void print(const std::string& label, const Summary& s) {
  std::cout << fmt::format(
      "{}: entries R {} / W {}; violations seen in Redis R {} / W {} / total {}; overlapping interval pairs "
      "R-W {} / W-W {}; refusals R {} / W {}\n",
      label, s.reader_entries, s.writer_entries, s.reader_violations, s.writer_violations,
      s.reader_violations + s.writer_violations, s.overlap_rw, s.overlap_ww, s.reader_refusals, s.writer_refusals);
  std::cout << fmt::format(
      "{{\"case\":\"rwlock_check\",\"lock\":\"{}\",\"reader_entries\":{},\"writer_entries\":{},"
      "\"violations_reader\":{},\"violations_writer\":{},\"violations_total\":{},\"overlap_rw\":{},"
      "\"overlap_ww\":{},\"refusals_reader\":{},\"refusals_writer\":{}}}\n",
      label, s.reader_entries, s.writer_entries, s.reader_violations, s.writer_violations,
      s.reader_violations + s.writer_violations, s.overlap_rw, s.overlap_ww, s.reader_refusals, s.writer_refusals);
}

// The number after "key": in the seed's JSON line, or -1.
long json_number(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::strtol(json.c_str() + at + key.size() + 3, nullptr, 10);
}

// Runs the seed's rwlock_check case against the same server; its
// diagnostics go to our stderr, its one JSON line is returned.
std::string run_seed(const std::string& dir, const std::string& url, int readers, int writers, int seconds) {
  const std::string command =
      fmt::format("cd '{}' && node bench.mjs --redis '{}' --case rwlock_check --readers {} --writers {} --seconds {}",
                  dir, url, readers, writers, seconds);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  if (pclose(pipe) != 0) throw std::runtime_error("the seed's case failed: " + command);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Arguments args = parse(argc, argv);
    const redkit::bench::BenchServer server;
    const std::string& url = server.url();
    std::cout << fmt::format("rwlock_check: {} reader + {} writer processes, {} s each mode, redis {}\n",
                             args.readers, args.writers, args.seconds, url);
    const std::filesystem::path dir = make_log_dir();
    std::vector<std::pair<std::string, Summary>> summaries;
    std::vector<std::string> keys;
    for (const bool preference : args.modes) {
      const std::string label = preference ? "redkit writer-preference" : "redkit no-preference";
      RwCheckConfig config;
      config.url = url;
      config.resource = fmt::format("rwcheck-{}-{}", getpid(), preference ? "pref" : "nopref");
      config.readers_inside = fmt::format("bench:{}:readers_inside", config.resource);
      config.writers_inside = fmt::format("bench:{}:writers_inside", config.resource);
      config.writer_preference = preference;
      config.duration = std::chrono::seconds(args.seconds);
      keys.push_back(config.readers_inside);
      keys.push_back(config.writers_inside);
      summaries.emplace_back(label, summarise(run_workers(config, args.readers, args.writers, dir)));
      print(label, summaries.back().second);
    }
    std::filesystem::remove_all(dir);
    // The parent connects only now: a client's threads must not exist at fork.
    {
      redkit::Client client(url);
      for (const auto& key : keys) {
        redkit::Reply left = client.command({"GET", key});
        if (!left.is_nil() && left.as_string() != "0") std::cout << key << " ends at " << left.as_string() << "\n";
        client.command({"DEL", key});
      }
    }
    if (!args.seed_dir.empty()) {
      const std::string json = run_seed(args.seed_dir, url, args.readers, args.writers, args.seconds);
      Summary seed;
      seed.reader_entries = json_number(json, "reader_entries");
      seed.writer_entries = json_number(json, "writer_entries");
      seed.reader_violations = json_number(json, "violations_seen_in_redis_reader_entered_with_writer_inside");
      seed.writer_violations =
          json_number(json, "violations_seen_in_redis_writer_entered_with_reader_or_writer_inside");
      seed.overlap_rw = json_number(json, "overlapping_interval_pairs_reader_writer");
      seed.overlap_ww = json_number(json, "overlapping_interval_pairs_writer_writer");
      seed.reader_refusals = json_number(json, "reader_acquire_refusals");
      seed.writer_refusals = json_number(json, "writer_acquire_refusals");
      print("seed ReadWriteLock", seed);
    }
    long violations = 0;
    for (const auto& [label, s] : summaries) {
      violations += s.reader_violations + s.writer_violations + s.overlap_rw + s.overlap_ww;
    }
    return violations == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "rwlock_check: " << e.what() << "\n";
    return 2;
  }
}
