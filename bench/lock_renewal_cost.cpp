// Renewal cost: N locks held by one lock engine (what a LockService is made
// of), auto-renewed at a third of their TTL, and this process otherwise idle.
// Reports the CPU the process spends keeping them alive (getrusage over the
// window, as a share of one core), the renewal rounds and renewals the
// scheduler ran in that window, and the redis-server's CPU for the same work
// when the server is our own.
//
//   build/bench/lock_renewal_cost                  # 10000 locks, TTL 3 s, 10 s window
//   build/bench/lock_renewal_cost --locks 10000 --ttl-ms 3000 --seconds 10
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_server.hpp"
#include "lock/lock_engine.hpp"
#include "lock/lock_kind.hpp"
#include "redkit/client.hpp"

namespace {

double cpu_seconds_of_self() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// utime + stime of another process from /proc/<pid>/stat; -1 if unreadable.
double cpu_seconds_of(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(in, line)) return -1;
  // Fields after the parenthesised command name, which may contain spaces.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Arguments {
  int locks = 10'000;
  std::chrono::milliseconds ttl{3000};
  std::chrono::seconds window{10};
};

Arguments parse(int argc, char** argv) {
  Arguments a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::stoi(argv[i + 1]);
    if (flag == "--locks") {
      a.locks = value;
    } else if (flag == "--ttl-ms") {
      a.ttl = std::chrono::milliseconds(value);
    } else if (flag == "--seconds") {
      a.window = std::chrono::seconds(value);
    } else {
      throw std::invalid_argument("unknown argument " + flag);
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const Arguments args = parse(argc, argv);
  const redkit::bench::BenchServer server;
  const std::string& url = server.url();

  redkit::Client client(url);
  // The engine itself rather than a LockService, to read its scheduler's counters.
  auto engine = std::make_shared<redkit::detail::LockEngine>(client, redkit::LockServiceOptions{.prefix = "bench:"});
  std::vector<redkit::Lock> locks;
  locks.reserve(static_cast<std::size_t>(args.locks));
  const auto acquire_start = Clock::now();
  for (int i = 0; i < args.locks; ++i) {
    locks.push_back(engine->make(redkit::detail::exclusive_lock_kind(), fmt::format("renewal-{}", i),
                                 {.ttl = args.ttl, .auto_renew = true}));
    if (!locks.back().try_lock()) throw std::runtime_error("a free lock was not acquired");
  }
  const double acquire_s = std::chrono::duration<double>(Clock::now() - acquire_start).count();

  // Let every lock go through a few renewals before the window opens.
  std::this_thread::sleep_for(args.ttl);

  auto& scheduler = engine->scheduler();
  const auto rounds_before = scheduler.rounds();
  const auto renewals_before = scheduler.renewals();
  const double cpu_before = cpu_seconds_of_self();
  const double server_before = server.process() ? cpu_seconds_of(server.process()->pid()) : -1;
  const auto window_start = Clock::now();
  std::this_thread::sleep_for(args.window);
  const double wall = std::chrono::duration<double>(Clock::now() - window_start).count();
  const double cpu = cpu_seconds_of_self() - cpu_before;
  const double server_cpu = server.process() ? cpu_seconds_of(server.process()->pid()) - server_before : -1;
  const auto rounds = scheduler.rounds() - rounds_before;
  const auto renewals = scheduler.renewals() - renewals_before;

  int still_held = 0;
  for (const redkit::Lock& lock : locks) still_held += lock.held() ? 1 : 0;

  const double core_percent = 100.0 * cpu / wall;
  fmt::print("lock_renewal_cost: {} locks, ttl {} ms (renewed every {} ms), window {:.2f} s, redis {}\n", args.locks,
             args.ttl.count(), (args.ttl / 3).count(), wall, url);
  fmt::print("acquired all in     {:.2f} s\n", acquire_s);
  fmt::print("client cpu          {:.3f} s = {:.2f} % of one core\n", cpu, core_percent);
  if (server.process()) {
    fmt::print("redis-server cpu    {:.3f} s = {:.2f} % of one core\n", server_cpu, 100.0 * server_cpu / wall);
  }
  fmt::print("renewal rounds      {} ({:.1f}/s), renewals {} ({:.0f}/s), {:.0f} locks per round\n", rounds,
             static_cast<double>(rounds) / wall, renewals, static_cast<double>(renewals) / wall,
             rounds ? static_cast<double>(renewals) / static_cast<double>(rounds) : 0.0);
  fmt::print("still held          {} of {}\n", still_held, args.locks);
  fmt::print(
      R"({{"case":"lock_renewal_cost","locks":{},"ttl_ms":{},"window_s":{:.3f},"client_cpu_s":{:.4f},)"
      R"("client_core_percent":{:.3f},"server_cpu_s":{:.3f},"rounds":{},"renewals":{},"still_held":{}}})"
      "\n",
      args.locks, args.ttl.count(), wall, cpu, core_percent, server_cpu, rounds, renewals, still_held);

  locks.clear();  // releases them while the engine still runs
  engine->shutdown();
  return still_held == args.locks ? 0 : 1;
}
