// Worker of bench/lock_handoff.cpp. The critical section is a read-modify-write
// of a shared counter across a 1 ms sleep, so a second holder inside it would
// lose an update: the parent checks the counter as well as the timestamps.
#include "lock_handoff_worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "handoff_record.hpp"
#include "redkit/client.hpp"
#include "redkit/lock_service.hpp"

namespace redkit::bench {

int run_handoff_worker(const HandoffConfig& config, int id, int ready_fd, int go_fd,
                       const std::filesystem::path& log) {
  Client client(config.url);
  LockService locks(client, {.prefix = "bench:", .owner_label = "handoff worker " + std::to_string(id)});
  Lock lock = config.fair ? locks.make_fair(config.lock_name, {}) : locks.make(config.lock_name, {});
  client.command({"PING"});  // connected before the start, like the seed's workers

  const char ready = 'r';
  if (write(ready_fd, &ready, 1) != 1) return -1;
  char go = 0;
  while (read(go_fd, &go, 1) > 0) {
  }  // the parent closes its end to start every worker at once

  std::vector<Section> sections;
  sections.reserve(static_cast<std::size_t>(config.sections));
  int timeouts = 0;
  const bool timed = config.duration.count() > 0;
  const auto give_up = std::chrono::steady_clock::now() + (timed ? config.duration : std::chrono::seconds(50));
  auto more = [&] {
    return (timed || static_cast<int>(sections.size()) < config.sections) && std::chrono::steady_clock::now() < give_up;
  };
  while (more()) {
    Section s;
    s.worker = id;
    s.requested = monotonic_ns();
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
    if (!lock.try_lock_for(timed ? std::min(config.wait, left) : config.wait)) {
      if (timed && std::chrono::steady_clock::now() >= give_up) break;  // the run is over, not a timeout
      ++timeouts;
      continue;
    }
    s.acquired = monotonic_ns();
    s.fence = lock.fence().value;
    Reply current = client.command({"HGET", config.counter_key, "v"});
    const long long value = current.is_nil() ? 0 : std::stoll(current.as_string());
    std::this_thread::sleep_for(config.critical_section);
    client.command({"HSET", config.counter_key, "v", std::to_string(value + 1)});
    s.releasing = monotonic_ns();
    lock.unlock();
    s.released = monotonic_ns();
    sections.push_back(s);
    if (config.think.count() > 0) std::this_thread::sleep_for(config.think);
  }
  write_sections(log, sections);
  return timeouts;
}

}  // namespace redkit::bench
