// A worker process of the randomized lock stress test (lock_stress_test.cpp).
// Its threads mix every lock kind over a few shared names, from a seeded
// random sequence: exclusive, fair, reader, writer with and without
// preference, semaphore permits, MultiLock over overlapping names in random
// orders; short TTLs with auto-renew on and off; handles reused, extended,
// unlocked twice, destroyed while held. Each event is one line written with
// one write(2) on an O_APPEND file, so the test reads every worker's log:
//
//   A worker thread section name mode fence at_ns      acquired (mode: x exclusive-like, r read, p permit)
//   X worker thread section held lost at_ns validity_ms
//                                                      leaving: Lock::held(), the stop token and
//                                                      Lock::validity() then (-1: a MultiLock)
//   R worker thread section outcome renewing at_ns     released (at_ns: when release returned):
//                                                      0 done, 1 not owner, 2 expired,
//                                                      3 by unlock() or the destructor (no outcome)
//   T worker thread section                            the wait ran out
//   E worker thread section message                    an operation threw
//
//   lock_stress_worker --url URL --prefix P --log PATH --worker W --threads T --seed S
//                      (--operations N | --seconds S)
//
// Exit status: 0 done, 2 bad arguments.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"

namespace {

using namespace std::chrono;
using Clock = steady_clock;

// The exclusive-family names (exclusive, fair, read-write, multi) and the
// semaphore's, which all workers share.
const std::vector<std::string> kNames{"x0", "x1", "x2"};
const std::string kSemaphore = "s0";
constexpr int kPermits = 2;

std::int64_t now_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

class Log {
 public:
  explicit Log(const std::string& path) : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {}
  ~Log() { ::close(fd_); }
  template <typename... Args>
  void line(fmt::format_string<Args...> format, Args&&... args) {
    const std::string text = fmt::format(format, std::forward<Args>(args)...) + "\n";
    [[maybe_unused]] auto n = ::write(fd_, text.data(), text.size());
  }

 private:
  int fd_;
};

struct Settings {
  std::string url;
  std::string prefix;
  std::string log;
  int worker = 0;
  int threads = 3;
  std::uint64_t seed = 1;
  int operations = 20;
  int seconds = 0;
};

// One thread's random walk over the lock API.
class Walker {
 public:
  Walker(const Settings& settings, int thread, redkit::LockService& locks, Log& log)
      : settings_(settings),
        thread_(thread),
        locks_(locks),
        log_(log),
        random_(settings.seed * 7919 + static_cast<std::uint64_t>(settings.worker) * 131 +
                static_cast<std::uint64_t>(thread)) {}

  void run() {
    const auto until = Clock::now() + seconds(settings_.seconds);
    for (int section = 1;; ++section) {
      if (settings_.seconds > 0 ? Clock::now() >= until : section > settings_.operations) break;
      try {
        step(section);
      } catch (const std::exception& error) {
        log_.line("E {} {} {} {}", settings_.worker, thread_, section, error.what());
      }
    }
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  bool chance(int percent) { return pick(1, 100) <= percent; }

  redkit::LockOptions options() {
    const milliseconds ttls[] = {80ms, 150ms, 300ms};
    return {.ttl = ttls[pick(0, 2)], .auto_renew = chance(70), .owner_label = "stress", .retry = {}, .on_lost = {}};
  }

  // Work inside the section: in 10 ms steps, stopping early once the lock
  // is lost; sometimes extending the lease.
  template <typename Held>
  void hold(Held& held, const redkit::LockOptions& options, std::stop_token token) {
    const auto length = options.auto_renew ? milliseconds(pick(0, static_cast<int>(options.ttl.count()) * 5 / 2))
                                           : milliseconds(pick(0, static_cast<int>(options.ttl.count()) / 4));
    const auto until = Clock::now() + length;
    while (Clock::now() < until && !token.stop_requested()) {
      std::this_thread::sleep_for(10ms);
      if constexpr (std::is_same_v<Held, redkit::Lock>) {
        if (options.auto_renew && chance(3)) {
          const milliseconds leases[] = {80ms, 150ms, 300ms, 600ms};
          held.extend(leases[pick(0, 3)]);
        }
      }
    }
  }

  void step(int section) {
    const int w = settings_.worker;
    const int roll = pick(1, 100);
    if (roll <= 15) {
      multi(section);
      return;
    }
    const redkit::LockOptions opts = options();
    std::string name = kNames[static_cast<std::size_t>(pick(0, 2))];
    char mode = 'x';
    std::string kind;
    if (roll <= 40) {
      kind = "exclusive";
    } else if (roll <= 50) {
      kind = "fair";
    } else if (roll <= 65) {
      kind = "read";
      mode = 'r';
    } else if (roll <= 75) {
      kind = chance(50) ? "write" : "write-nopref";
    } else {
      kind = "permit";
      mode = 'p';
      name = kSemaphore;
    }
    // A handle per (kind, name, options) is kept and reused at random.
    const std::string slot = fmt::format("{}/{}/{}/{}", kind, name, opts.ttl.count(), opts.auto_renew);
    auto found = handles_.find(slot);
    if (found == handles_.end() || chance(30)) {
      redkit::Lock fresh = kind == "exclusive" ? locks_.make(name, opts)
                           : kind == "fair"     ? locks_.make_fair(name, opts)
                           : kind == "read"     ? locks_.make_reader(name, opts)
                           : kind == "write"    ? locks_.make_writer(name, opts, {.writer_preference = true})
                           : kind == "write-nopref" ? locks_.make_writer(name, opts, {.writer_preference = false})
                                                    : locks_.make_semaphore(name, kPermits, opts);
      found = handles_.insert_or_assign(slot, std::move(fresh)).first;
    }
    redkit::Lock& lock = found->second;
    if (!lock.try_lock_for(2s)) {
      log_.line("T {} {} {}", w, thread_, section);
      return;
    }
    const auto token = lock.stop_token();
    log_.line("A {} {} {} {} {} {} {}", w, thread_, section, name, mode, lock.fence().value, now_ns());
    hold(lock, opts, token);
    log_.line("X {} {} {} {} {} {} {}", w, thread_, section, lock.held() ? 1 : 0, token.stop_requested() ? 1 : 0,
              now_ns(), lock.validity().count());
    const int how = pick(1, 10);
    if (how <= 6) {
      const redkit::LockOutcome outcome = lock.release();
      log_.line("R {} {} {} {} {} {}", w, thread_, section, static_cast<int>(outcome), opts.auto_renew ? 1 : 0,
                now_ns());
    } else if (how <= 8) {
      lock.unlock();
      lock.unlock();  // twice: the second does nothing
      log_.line("R {} {} {} 3 {} {}", w, thread_, section, opts.auto_renew ? 1 : 0, now_ns());
    } else {
      handles_.erase(found);  // destroyed while held: the destructor releases
      log_.line("R {} {} {} 3 {} {}", w, thread_, section, opts.auto_renew ? 1 : 0, now_ns());
    }
  }

  void multi(int section) {
    const int w = settings_.worker;
    std::vector<std::string> names = kNames;
    std::shuffle(names.begin(), names.end(), random_);
    names.resize(static_cast<std::size_t>(pick(2, 3)));
    const redkit::LockOptions opts = options();
    redkit::MultiLock both = locks_.make_multi(names, opts);
    if (!both.try_lock_for(2s)) {
      log_.line("T {} {} {}", w, thread_, section);
      return;
    }
    const auto token = both.stop_token();
    const auto fences = both.fences();
    const auto at = now_ns();
    for (std::size_t i = 0; i < both.names().size(); ++i) {
      log_.line("A {} {} {} {} x {} {}", w, thread_, section, both.names()[i], fences[i].value, at);
    }
    hold(both, opts, token);
    log_.line("X {} {} {} {} {} {} -1", w, thread_, section, both.held() ? 1 : 0, token.stop_requested() ? 1 : 0,
              now_ns());
    if (chance(50)) {
      int worst = 0;
      for (const redkit::LockOutcome outcome : both.release()) worst = std::max(worst, static_cast<int>(outcome));
      log_.line("R {} {} {} {} {} {}", w, thread_, section, worst, opts.auto_renew ? 1 : 0, now_ns());
    } else {
      log_.line("R {} {} {} 3 {} {}", w, thread_, section, opts.auto_renew ? 1 : 0, now_ns());
    }  // else: released by the destructor
  }

  const Settings& settings_;
  int thread_;
  redkit::LockService& locks_;
  Log& log_;
  std::mt19937_64 random_;
  std::map<std::string, redkit::Lock> handles_;
};

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--url") settings.url = value;
    else if (flag == "--prefix") settings.prefix = value;
    else if (flag == "--log") settings.log = value;
    else if (flag == "--worker") settings.worker = std::atoi(value.c_str());
    else if (flag == "--threads") settings.threads = std::atoi(value.c_str());
    else if (flag == "--seed") settings.seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--operations") settings.operations = std::atoi(value.c_str());
    else if (flag == "--seconds") settings.seconds = std::atoi(value.c_str());
    else {
      fmt::print(stderr, "lock_stress_worker: unknown option {}\n", flag);
      return 2;
    }
  }
  if (settings.url.empty() || settings.log.empty() || settings.prefix.empty()) {
    fmt::print(stderr, "lock_stress_worker: --url, --prefix and --log are required\n");
    return 2;
  }
  Log log(settings.log);
  redkit::Client client(settings.url);
  redkit::LockService locks(client, {.prefix = settings.prefix, .owner_label = "stress"});
  std::vector<std::thread> threads;
  for (int t = 0; t < settings.threads; ++t) {
    threads.emplace_back([&, t] { Walker(settings, t, locks, log).run(); });
  }
  for (auto& thread : threads) thread.join();
  return 0;
}
