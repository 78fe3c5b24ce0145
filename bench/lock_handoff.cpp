// Handoff between processes: W worker processes share one redkit Lock, each
// running S critical sections of ~1 ms with a pause between them, so the
// lock really moves from process to process. Every worker logs CLOCK_MONOTONIC
// timestamps of its sections to a file; once all have exited they are merged
// and the handoff latency, throughput, fairness and mutual exclusion are
// reported (a readable summary, then one JSON line). The seed's
// lock_contended_think20 case measures its lock the same way.
//
//   build/bench/lock_handoff                       # private redis-server, 8 x 50, 1 ms, 20 ms pause
//   build/bench/lock_handoff --workers 8 --sections 50 --cs-ms 1 --think-ms 20 [--keep-logs]
//   build/bench/lock_handoff --seconds 10 --think-ms 0 [--fair]   # fairness: sections per process in 10 s
//   REDIS_URL=redis://host:port build/bench/lock_handoff
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_server.hpp"
#include "handoff_record.hpp"
#include "handoff_report.hpp"
#include "lock_handoff_worker.hpp"
#include "redkit/client.hpp"

namespace {

using redkit::bench::HandoffConfig;

struct Arguments {
  HandoffConfig config;
  bool keep_logs = false;
};

Arguments parse(int argc, char** argv) {
  Arguments a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> int {
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return std::stoi(argv[++i]);
    };
    if (flag == "--workers") {
      a.config.workers = value();
    } else if (flag == "--sections") {
      a.config.sections = value();
    } else if (flag == "--cs-ms") {
      a.config.critical_section = std::chrono::milliseconds(value());
    } else if (flag == "--think-ms") {
      a.config.think = std::chrono::milliseconds(value());
    } else if (flag == "--seconds") {
      a.config.duration = std::chrono::seconds(value());
    } else if (flag == "--fair") {
      a.config.fair = true;
    } else if (flag == "--keep-logs") {
      a.keep_logs = true;
    } else {
      throw std::invalid_argument("unknown argument " + flag);
    }
  }
  if (a.config.workers < 1 || a.config.sections < 1) throw std::invalid_argument("workers and sections must be >= 1");
  if (a.config.duration.count() < 0) throw std::invalid_argument("--seconds must be >= 0");
  return a;
}

std::filesystem::path make_log_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "lock_handoff.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::filesystem::path log_of(const std::filesystem::path& dir, int id) {
  return dir / fmt::format("worker-{}.log", id);
}

// Forks the workers (before this process has any thread, so the children
// start clean), releases them together, and waits. Returns the timeouts the
// workers reported through their exit status.
int run_workers(const HandoffConfig& config, const std::filesystem::path& dir) {
  int ready[2];
  int go[2];
  if (pipe(ready) != 0 || pipe(go) != 0) throw std::runtime_error("pipe failed");
  std::cout.flush();
  std::vector<pid_t> children;
  for (int id = 0; id < config.workers; ++id) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      close(ready[0]);
      close(go[1]);
      int status = 255;
      try {
        const int timeouts = redkit::bench::run_handoff_worker(config, id, ready[1], go[0], log_of(dir, id));
        status = timeouts >= 0 && timeouts < 255 ? timeouts : 254;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "worker %d: %s\n", id, e.what());
        // Tells a parent still counting ready workers not to wait for us.
        const char failed = 'f';
        if (write(ready[1], &failed, 1) < 0) std::perror("worker");
      }
      // _exit: the copies of the parent's objects (its redis-server among
      // them) must not be destroyed by a child.
      _exit(status);
    }
    children.push_back(pid);
  }
  close(ready[1]);
  close(go[0]);
  for (int connected = 0; connected < config.workers;) {
    char byte = 0;
    const auto n = read(ready[0], &byte, 1);
    if (n <= 0 || byte != 'r') {
      close(go[1]);  // the others start, finish and exit
      for (pid_t pid : children) waitpid(pid, nullptr, 0);
      throw std::runtime_error("a worker failed before it was ready");
    }
    ++connected;
  }
  close(go[1]);  // every worker's read returns now
  close(ready[0]);

  int timeouts = 0;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) >= 254) throw std::runtime_error("a worker failed");
    timeouts += WEXITSTATUS(status);
  }
  return timeouts;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Arguments args = parse(argc, argv);
    const redkit::bench::BenchServer server;
    args.config.url = server.url();
    args.config.lock_name = fmt::format("handoff-{}", getpid());
    args.config.counter_key = fmt::format("bench:handoff-{}:counter", getpid());

    const std::filesystem::path dir = make_log_dir();
    const int timeouts = run_workers(args.config, dir);

    std::vector<redkit::bench::Section> sections;
    for (int id = 0; id < args.config.workers; ++id) {
      auto mine = redkit::bench::read_sections(log_of(dir, id));
      sections.insert(sections.end(), mine.begin(), mine.end());
    }
    // The parent connects only now: a client's threads must not exist at fork.
    redkit::Client client(args.config.url);
    redkit::Reply counter = client.command({"HGET", args.config.counter_key, "v"});
    const long long counter_final = counter.is_nil() ? 0 : std::stoll(counter.as_string());
    client.command({"DEL", args.config.counter_key});

    const bool timed = args.config.duration.count() > 0;
    // A timed run has no expected count: every logged section must be in the counter.
    const int expected = timed ? static_cast<int>(sections.size()) : args.config.workers * args.config.sections;
    auto report = redkit::bench::analyse(std::move(sections), args.config.workers, expected, timeouts, counter_final);
    const std::string length = timed ? fmt::format("{} s", args.config.duration.count())
                                     : fmt::format("{} sections", args.config.sections);
    std::cout << fmt::format("lock_handoff: {} lock, {} processes x {}, {} ms section, {} ms pause, redis {}\n",
                             args.config.fair ? "fair" : "plain", args.config.workers, length,
                             args.config.critical_section.count(), args.config.think.count(), args.config.url);
    redkit::bench::print_readable(std::cout, report);
    redkit::bench::print_json(std::cout, report);
    if (args.keep_logs) {
      std::cout << "logs in " << dir.string() << "\n";
    } else {
      std::filesystem::remove_all(dir);
    }
    return report.overlaps == 0 && report.lost_updates == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "lock_handoff: " << e.what() << "\n";
    return 2;
  }
}
