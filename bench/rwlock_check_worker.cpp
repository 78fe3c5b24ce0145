// Worker of bench/rwlock_check.cpp: one reader or writer, its own client and
// LockService, the seed's rwlock_check loop (see rwlock_check_worker.hpp).
#include "rwlock_check_worker.hpp"

#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "handoff_record.hpp"
#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/script.hpp"

namespace redkit::bench {
namespace {

// The seed's markers (bench.mjs ENTER_READER / ENTER_WRITER): count oneself
// in and read the other side's count in the same atomic step.
const Script kEnterReader{"rwcheck_enter_reader",
                          "local r = redis.call('INCR', KEYS[1]) "
                          "local w = tonumber(redis.call('GET', KEYS[2]) or '0') return {r, w}"};
const Script kEnterWriter{"rwcheck_enter_writer",
                          "local w = redis.call('INCR', KEYS[2]) "
                          "local r = tonumber(redis.call('GET', KEYS[1]) or '0') return {r, w}"};

// Uniform in [0, max_ms] milliseconds, like the seed's Math.random() * max.
std::chrono::microseconds uniform_ms(std::mt19937_64& random, int max_ms) {
  std::uniform_int_distribution<long> pick(0, max_ms * 1000L);
  return std::chrono::microseconds(pick(random));
}

}  // namespace

void run_rw_check_worker(const RwCheckConfig& config, bool writer, int id, int ready_fd, int go_fd,
                         const std::filesystem::path& log) {
  Client client(config.url);
  LockService locks(client, {.prefix = "bench:", .owner_label = (writer ? "rwcheck writer " : "rwcheck reader ") +
                                                                  std::to_string(id)});
  // The seed's TTL of 30 s: nothing here relies on expiry.
  const LockOptions options{.ttl = std::chrono::seconds(30)};
  Lock lock = writer ? locks.make_writer(config.resource, options, {.writer_preference = config.writer_preference})
                     : locks.make_reader(config.resource, options);
  const Script& enter = writer ? kEnterWriter : kEnterReader;
  const std::string& mine = writer ? config.writers_inside : config.readers_inside;
  client.command({"PING"});  // connected before the start, like the seed's workers
  std::mt19937_64 random(std::random_device{}());

  const char ready = 'r';
  if (write(ready_fd, &ready, 1) != 1) throw std::runtime_error("cannot report ready");
  char go = 0;
  while (read(go_fd, &go, 1) > 0) {
  }  // the parent closes its end to start every worker at once

  RwCheckResult result;
  result.writer = writer;
  result.id = id;
  const auto end = std::chrono::steady_clock::now() + config.duration;
  while (std::chrono::steady_clock::now() < end) {
    if (!lock.try_lock()) {
      ++result.refusals;
      std::this_thread::sleep_for(uniform_ms(random, 2));
      continue;
    }
    const Reply counts = client.command(enter.call({config.readers_inside, config.writers_inside}, {}));
    const std::int64_t a = monotonic_ns();
    const long long readers = counts.as_array().at(0).as_integer();
    const long long writers = counts.as_array().at(1).as_integer();
    if (writer ? (readers > 0 || writers > 1) : writers > 0) ++result.violations;
    ++result.entries;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const std::int64_t b = monotonic_ns();
    client.command({"DECR", mine});
    lock.unlock();
    result.intervals.emplace_back(a, b);
    std::this_thread::sleep_for(uniform_ms(random, writer ? 4 : 8));
  }
  write_rw_result(log, result);
}

void write_rw_result(const std::filesystem::path& path, const RwCheckResult& result) {
  std::ofstream out(path);
  out << (result.writer ? "writer" : "reader") << ' ' << result.id << ' ' << result.entries << ' ' << result.refusals
      << ' ' << result.violations << '\n';
  for (const auto& [a, b] : result.intervals) out << a << ' ' << b << '\n';
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

RwCheckResult read_rw_result(const std::filesystem::path& path) {
  std::ifstream in(path);
  RwCheckResult result;
  std::string role;
  if (!(in >> role >> result.id >> result.entries >> result.refusals >> result.violations)) {
    throw std::runtime_error("unreadable worker log " + path.string());
  }
  result.writer = role == "writer";
  std::int64_t a = 0;
  std::int64_t b = 0;
  while (in >> a >> b) result.intervals.emplace_back(a, b);
  return result;
}

}  // namespace redkit::bench
