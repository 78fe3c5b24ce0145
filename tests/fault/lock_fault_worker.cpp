// A worker process of the fault suite. It runs critical sections under one
// redkit lock and logs each one (fault_log.hpp): entry with its fencing
// token, every write to the fenced resource and whether it was accepted, a
// loss reported through the stop token, exit, and the release's outcome.
//
//   lock_fault_worker --url redis://... --resource-url redis://... --name job --worker 1
//                     --log worker-1.log [--kind plain|fair|semaphore] [--permits 1]
//                     [--queue-timeout-ms 3000] [--ttl-ms 1000] [--hold-ms 5]
//                     [--write-every-ms 0] [--sections 1] [--wait-ms 10000] [--tolerate-errors]
//   lock_fault_worker --validity --url ... --name job --log ... --ttl-ms 3000
//
// Inside a section the worker writes first and then looks at the stop token:
// a worker stopped (SIGSTOP) while it held the lock makes one write with its
// old token when it resumes, as real work interrupted mid-way would, and the
// resource must refuse it. With --tolerate-errors an acquisition or release
// that throws (its connection was killed) is logged and tried again, since a
// release is safe to repeat.
//
// --validity acquires without renewal and logs Lock::validity() and the wall
// clock every 50 ms until the lock expires locally: run under a faked wall
// clock it shows whether a clock jump changes the lock's validity.
//
// Exit status: 0 done, 2 bad arguments, 3 an error that was not tolerated.
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "fault/fault_log.hpp"
#include "fault/fenced_resource.hpp"
#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"

namespace {

using namespace std::chrono;
using redkit::test::fault::EventKind;
using redkit::test::fault::EventLog;

struct Arguments {
  std::string url;
  std::string resource_url;
  std::string name;
  std::string log;
  std::string kind = "plain";
  int worker = 0;
  int permits = 1;
  milliseconds queue_timeout{3000};
  milliseconds ttl{1000};
  milliseconds hold{5};
  milliseconds write_every{0};
  int sections = 1;
  milliseconds wait{10'000};
  bool tolerate_errors = false;
  bool validity = false;
};

Arguments parse(int argc, char** argv) {
  std::map<std::string, std::string> values;
  Arguments a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--tolerate-errors") {
      a.tolerate_errors = true;
    } else if (flag == "--validity") {
      a.validity = true;
    } else if (flag.rfind("--", 0) == 0 && i + 1 < argc) {
      values[flag] = argv[++i];
    } else {
      throw std::invalid_argument("unexpected argument " + flag);
    }
  }
  auto take = [&](const std::string& flag, auto& into) {
    auto it = values.find(flag);
    if (it == values.end()) return;
    using T = std::decay_t<decltype(into)>;
    if constexpr (std::is_same_v<T, std::string>) {
      into = it->second;
    } else if constexpr (std::is_same_v<T, int>) {
      into = std::stoi(it->second);
    } else {
      into = milliseconds(std::stoll(it->second));
    }
    values.erase(it);
  };
  take("--url", a.url);
  take("--resource-url", a.resource_url);
  take("--name", a.name);
  take("--log", a.log);
  take("--kind", a.kind);
  take("--worker", a.worker);
  take("--permits", a.permits);
  take("--queue-timeout-ms", a.queue_timeout);
  take("--ttl-ms", a.ttl);
  take("--hold-ms", a.hold);
  take("--write-every-ms", a.write_every);
  take("--sections", a.sections);
  take("--wait-ms", a.wait);
  if (!values.empty()) throw std::invalid_argument("unknown argument " + values.begin()->first);
  if (a.url.empty() || a.name.empty() || a.log.empty()) throw std::invalid_argument("--url, --name and --log are required");
  if (!a.validity && a.resource_url.empty()) throw std::invalid_argument("--resource-url is required");
  if (a.kind != "plain" && a.kind != "fair" && a.kind != "semaphore") {
    throw std::invalid_argument("--kind must be plain, fair or semaphore");
  }
  return a;
}

int outcome_code(redkit::LockOutcome outcome) {
  switch (outcome) {
    case redkit::LockOutcome::done:
      return 0;
    case redkit::LockOutcome::not_owner:
      return 1;
    case redkit::LockOutcome::expired:
      return 2;
  }
  return 3;
}

// Logs the validity the lock reports and the wall clock until it runs out.
int report_validity(const Arguments& a, EventLog& log) {
  redkit::Client client(a.url);
  redkit::LockService locks(client, {.prefix = "redkit:", .owner_label = "validity", .metrics_flush_interval = {},
                                     .deadlock_check_interval = {}});
  redkit::Lock lock = locks.make(a.name, {.ttl = a.ttl, .auto_renew = false, .owner_label = "", .retry = {},
                                          .on_lost = {}});
  if (!lock.try_lock_for(a.wait)) {
    log.add(EventKind::timed_out, 1);
    return 0;
  }
  log.add(EventKind::acquired, 1, static_cast<std::int64_t>(lock.fence().value));
  for (;;) {
    const auto left = lock.validity();
    const auto wall = duration_cast<seconds>(system_clock::now().time_since_epoch());
    log.add(EventKind::validity, 1, left.count(), wall.count());
    if (left <= milliseconds::zero()) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return 0;
}

int run_sections(const Arguments& a, EventLog& log) {
  redkit::Client client(a.url);
  redkit::LockService locks(client, {.prefix = "redkit:",
                                     .owner_label = "fault worker " + std::to_string(a.worker),
                                     .metrics_flush_interval = {},
                                     .deadlock_check_interval = {}});
  redkit::test::fault::FencedResource resource(redkit::Client(a.resource_url), a.name);
  redkit::LockOptions options{.ttl = a.ttl, .auto_renew = true, .owner_label = "", .retry = {}, .on_lost = {}};
  redkit::Lock lock = a.kind == "fair"        ? locks.make_fair(a.name, options, {.queue_timeout = a.queue_timeout})
                      : a.kind == "semaphore" ? locks.make_semaphore(a.name, a.permits, options)
                                              : locks.make(a.name, options);

  // `section` numbers attempts; an attempt that threw does not count towards
  // --sections, a timeout does.
  int finished = 0;
  for (int section = 1; finished < a.sections; ++section) {
    if (section > a.sections * 100) throw std::runtime_error("too many failed attempts");
    bool acquired = false;
    try {
      acquired = lock.try_lock_for(a.wait);
    } catch (const redkit::Error& e) {
      log.add(EventKind::error, section);
      if (!a.tolerate_errors) throw;
      continue;
    }
    ++finished;
    if (!acquired) {
      log.add(EventKind::timed_out, section);
      continue;
    }
    const auto fence = static_cast<std::int64_t>(lock.fence().value);
    log.add(EventKind::acquired, section, fence);
    const auto end = steady_clock::now() + a.hold;
    const std::string what = std::to_string(a.worker) + ":" + std::to_string(section);
    for (;;) {
      const bool accepted = resource.write(fence, what);
      log.add(EventKind::wrote, section, fence, accepted ? 1 : 0);
      if (lock.stop_token().stop_requested()) {
        log.add(EventKind::lost, section);
        break;
      }
      const auto now = steady_clock::now();
      if (now >= end) break;
      const auto step = a.write_every.count() > 0 ? std::min<nanoseconds>(a.write_every, end - now) : end - now;
      std::this_thread::sleep_for(step);
    }
    log.add(EventKind::exiting, section);
    for (int attempt = 1;; ++attempt) {
      try {
        log.add(EventKind::released, section, 0, outcome_code(lock.release()));
        break;
      } catch (const redkit::Error& e) {
        log.add(EventKind::error, section);
        if (!a.tolerate_errors || attempt == 50) throw;
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments a;
  try {
    a = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "lock_fault_worker: " << e.what() << "\n";
    return 2;
  }
  try {
    EventLog log(a.log, a.worker);
    return a.validity ? report_validity(a, log) : run_sections(a, log);
  } catch (const std::exception& e) {
    std::cerr << "lock_fault_worker " << a.worker << ": " << e.what() << "\n";
    return 3;
  }
}
