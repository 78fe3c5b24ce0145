// `redkit lock exec | list | info | release | metrics`: a distributed
// flock(1), the registry and the lock metrics from the shell.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "option_args.hpp"
#include "redkit/client.hpp"
#include "redkit/duration.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_metrics.hpp"
#include "redkit/lock_service.hpp"
#include "usage_error.hpp"

namespace redkit::cli {
namespace {

struct ExecArgs {
  std::string name;
  std::string ttl = "30s";
  std::string wait = "10s";
  std::string grace = "10s";
  std::string owner;
  std::vector<std::string> command;
};

struct NameArgs {
  std::string name;
  bool force = false;
};

// Looks the command up as execvp will, before the lock is taken: a mistyped
// command then costs no acquisition, no fencing token and no wait.
void check_runnable(const std::string& program) {
  auto runnable = [](const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  // As a shell does: 127 when there is no such command, 126 when there is
  // one that cannot be run.
  if (program.find('/') != std::string::npos) {
    if (runnable(program)) return;
    const bool exists = ::access(program.c_str(), F_OK) == 0;
    throw CommandExit{exists ? kExitNotExecutable : kExitNotFound,
                      fmt::format("cannot run \"{}\": {}", program, std::strerror(exists ? EACCES : ENOENT))};
  }
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    if (runnable((dir.empty() ? std::string(".") : dir) + "/" + program)) return;
    if (end == dirs.size()) break;
    start = end + 1;
  }
  throw CommandExit{kExitNotFound, fmt::format("cannot run \"{}\": not found on PATH", program)};
}

Client make_client(const GlobalOptions& global) {
  return Client(ClientOptions{.connection = global.connection(), .pool = {}});
}

std::string owner_text(const LockInfo& info) {
  std::string text = fmt::format("{}:{}", info.host, info.pid);
  if (!info.label.empty()) text += fmt::format(" ({})", info.label);
  return text;
}

nlohmann::json to_json(const LockInfo& info) {
  if (!info.damaged.empty()) return {{"name", info.name}, {"kind", info.kind}, {"damaged", info.damaged}};
  return {{"name", info.name},
          {"held", true},
          {"kind", info.kind},
          {"host", info.host},
          {"pid", info.pid},
          {"label", info.label},
          {"acquired_at_ms", info.acquired_at_ms},
          {"ttl_ms", info.ttl.count()},
          {"ttl_left_ms", info.ttl_left.count()},
          {"fence", info.fence.value}};
}

std::string iso_time(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", buffer, unix_ms % 1000);
}

[[noreturn]] void stop_after_loss(ChildProcess& child, const std::string& name, std::chrono::milliseconds grace) {
  child.send(SIGTERM);
  if (child.wait(grace) == ChildProcess::Event::timed_out) {
    child.send(SIGKILL);
    child.wait(std::chrono::milliseconds(-1));
  }
  throw CommandExit{kExitFailure,
                    fmt::format("lock \"{}\" was lost while the command ran; the command was stopped", name)};
}

void run_exec(const GlobalOptions& global, const ExecArgs& args) {
  const auto ttl = duration_option(args.ttl, "--ttl");
  const auto wait = duration_option(args.wait, "--wait");
  const auto grace = duration_option(args.grace, "--grace");
  if (ttl.count() <= 0) throw UsageError(fmt::format("--ttl: {} must be positive", args.ttl));
  for (const auto& [option, text, value] : {std::tuple{"--ttl", args.ttl, ttl}, std::tuple{"--wait", args.wait, wait},
                                            std::tuple{"--grace", args.grace, grace}}) {
    if (value > kMaxLockDuration) {
      throw UsageError(fmt::format("{}: {} is longer than the limit of ten years", option, text));
    }
  }
  check_runnable(args.command.front());
  Client client = make_client(global);
  LockService locks(client, {.prefix = "redkit:", .owner_label = args.owner});
  std::atomic<bool> lost{false};
  Lock lock = locks.make(args.name, {.ttl = ttl,
                                     .auto_renew = true,
                                     .owner_label = args.owner,
                                     .retry = {},
                                     .on_lost = [&lost] {
                                       lost = true;
                                       ChildProcess::interrupt();
                                     }});
  if (!lock.try_lock_for(wait)) {
    std::string holder;
    if (auto info = locks.info(args.name)) holder = fmt::format(", held by {}", owner_text(*info));
    throw CommandExit{kExitTempFail, fmt::format("lock \"{}\" not acquired within {}{}", args.name,
                                                 format_duration(wait), holder)};
  }
  ChildProcess child;
  try {
    child.start(args.command, {fmt::format("REDKIT_FENCE={}", lock.fence().value), "REDKIT_LOCK=" + args.name});
  } catch (const ExecFailed& failed) {
    // Checked before the lock was taken, but the file can change meanwhile.
    throw CommandExit{failed.error() == ENOENT ? kExitNotFound : kExitNotExecutable, failed.what()};
  }
  for (;;) {
    if (lost) stop_after_loss(child, args.name, grace);
    if (child.wait(std::chrono::milliseconds(-1)) == ChildProcess::Event::exited) break;
  }
  lock.unlock();
  if (child.exit_status() != 0) throw CommandExit{child.exit_status(), {}};
}

void run_list(const GlobalOptions& global) {
  Client client = make_client(global);
  LockService locks(client);
  const auto held = locks.list();
  if (global.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& info : held) out.push_back(to_json(info));
    fmt::print("{}\n", out.dump());
    return;
  }
  if (held.empty()) {
    fmt::print("no locks held\n");
    return;
  }
  fmt::print("{:<32} {:<10} {:>8} {:>10}  {:<24}  {}\n", "NAME", "KIND", "FENCE", "TTL LEFT", "ACQUIRED (UTC)",
             "OWNER");
  for (const auto& info : held) {
    if (!info.damaged.empty()) {
      fmt::print("{:<32} {:<10} {}\n", info.name, info.kind, info.damaged);
      continue;
    }
    fmt::print("{:<32} {:<10} {:>8} {:>10}  {:<24}  {}\n", info.name, info.kind, info.fence.value,
               format_duration(info.ttl_left), iso_time(info.acquired_at_ms), owner_text(info));
  }
}

void run_info(const GlobalOptions& global, const NameArgs& args) {
  Client client = make_client(global);
  LockService locks(client);
  auto info = locks.info(args.name);
  if (global.json()) {
    fmt::print("{}\n", info ? to_json(*info).dump() : nlohmann::json{{"name", args.name}, {"held", false}}.dump());
    return;
  }
  if (!info) {
    fmt::print("{}: not held\n", args.name);
    return;
  }
  fmt::print("name         {}\nkind         {}\nowner        {}\nfence        {}\nacquired at  {}\nttl          {}\n"
             "ttl left     {}\n",
             info->name, info->kind, owner_text(*info), info->fence.value, iso_time(info->acquired_at_ms),
             format_duration(info->ttl), format_duration(info->ttl_left));
}

void run_release(const GlobalOptions& global, const NameArgs& args) {
  if (!args.force) {
    throw UsageError("lock release takes the lock from whoever holds it; confirm with --force");
  }
  Client client = make_client(global);
  LockService locks(client);
  const bool released = locks.force_release(args.name);
  if (global.json()) {
    fmt::print("{}\n", nlohmann::json{{"name", args.name}, {"released", released}}.dump());
  } else {
    fmt::print("{}: {}\n", args.name, released ? "released" : "was not held");
  }
}

nlohmann::json to_json(const LatencyHistogram& h) {
  return {{"bounds_ms", h.bounds_ms}, {"counts", h.counts}, {"count", h.count}, {"sum_ms", h.sum_ms}};
}

void run_metrics(const GlobalOptions& global, bool prometheus) {
  Client client = make_client(global);
  LockService locks(client, {.prefix = "redkit:", .owner_label = {}, .metrics_flush_interval = {}});
  const LockMetrics m = locks.metrics();
  if (prometheus) {
    fmt::print("{}", to_prometheus(m));
    return;
  }
  if (global.json()) {
    nlohmann::json contended = nlohmann::json::array();
    for (const auto& [name, n] : m.most_contended) contended.push_back({{"name", name}, {"failed_attempts", n}});
    nlohmann::json out = {{"attempts", m.attempts},   {"acquisitions", m.acquisitions}, {"timeouts", m.timeouts},
                          {"releases", m.releases},   {"lost", m.lost},                 {"renewals", m.renewals},
                          {"wait", to_json(m.wait)},  {"handoff", to_json(m.handoff)},  {"hold", to_json(m.hold)},
                          {"most_contended", contended}};
    fmt::print("{}\n", out.dump());
    return;
  }
  auto mean = [](const LatencyHistogram& h) { return h.count == 0 ? 0.0 : h.sum_ms / static_cast<double>(h.count); };
  fmt::print("attempts {}  acquisitions {}  timeouts {}  releases {}  lost {}  renewals {}\n", m.attempts,
             m.acquisitions, m.timeouts, m.releases, m.lost, m.renewals);
  fmt::print("mean wait {:.3f} ms  mean handoff {:.3f} ms ({} handoffs)  mean hold {:.3f} ms\n", mean(m.wait),
             mean(m.handoff), m.handoff.count, mean(m.hold));
  for (const auto& [name, n] : m.most_contended) fmt::print("contended  {:<32} {} failed attempts\n", name, n);
}

}  // namespace

void add_lock_commands(CLI::App& app, GlobalOptions& global) {
  CLI::App* lock = app.add_subcommand("lock", "Distributed locks: run a command under one, inspect, release");
  lock->require_subcommand(1);

  auto exec_args = std::make_shared<ExecArgs>();
  CLI::App* exec = lock->add_subcommand(
      "exec", "Run a command while holding a lock (a distributed flock): exports REDKIT_FENCE, exits with the "
              "command's status, 75 if the lock is not acquired within --wait");
  exec->add_option("name", exec_args->name, "Lock name")->required();
  exec->add_option("--ttl", exec_args->ttl, "Lock time-to-live, renewed while the command runs")
      ->capture_default_str();
  exec->add_option("--wait", exec_args->wait, "How long to wait for the lock")->capture_default_str();
  exec->add_option("--owner", exec_args->owner, "Label shown in `redkit lock list`");
  exec->add_option("--grace", exec_args->grace, "After a lost lock: time between SIGTERM and SIGKILL")
      ->capture_default_str();
  exec->add_option("command", exec_args->command, "The command and its arguments (after --)")->required();
  exec->callback([&global, exec_args] { run_exec(global, *exec_args); });

  CLI::App* list = lock->add_subcommand("list", "List held locks with owner, fence and time left");
  list->callback([&global] { run_list(global); });

  auto info_args = std::make_shared<NameArgs>();
  CLI::App* info = lock->add_subcommand("info", "Show who holds a lock");
  info->add_option("name", info_args->name, "Lock name")->required();
  info->callback([&global, info_args] { run_info(global, *info_args); });

  auto release_args = std::make_shared<NameArgs>();
  CLI::App* release = lock->add_subcommand("release", "Release a lock whoever holds it (needs --force)");
  release->add_option("name", release_args->name, "Lock name")->required();
  release->add_flag("--force", release_args->force, "Confirm taking the lock from its holder");
  release->callback([&global, release_args] { run_release(global, *release_args); });

  auto prometheus = std::make_shared<bool>(false);
  CLI::App* metrics = lock->add_subcommand("metrics", "Lock metrics summed over every process using this Redis");
  metrics->add_flag("--prometheus", *prometheus, "Print the Prometheus text exposition format");
  metrics->callback([&global, prometheus] { run_metrics(global, *prometheus); });
}

}  // namespace redkit::cli
