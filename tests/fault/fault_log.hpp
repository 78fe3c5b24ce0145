// The log a fault-suite worker keeps of its critical sections, one event per
// line, each written with a single write(2) on an O_APPEND descriptor: a
// worker killed with SIGKILL or stopped with SIGSTOP still leaves every event
// it logged, and the test can read the file while the worker runs.
//
// Times are CLOCK_MONOTONIC nanoseconds: one clock for every process on the
// machine, so events of different workers can be put in order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace redkit::test::fault {

enum class EventKind : char {
  acquired = 'A',       // value: the fencing token
  wrote = 'W',          // value: the token written; detail 1 accepted, 0 rejected
  lost = 'L',           // the lock's stop token fired
  exiting = 'X',        // leaving the critical section, before the release
  released = 'R',       // detail: 0 done, 1 not owner, 2 expired
  timed_out = 'T',      // try_lock_for gave up
  error = 'E',          // an operation threw (connection dropped, ...)
  validity = 'V',       // value: Lock::validity() in ms; detail: wall-clock seconds
};

struct Event {
  EventKind kind = EventKind::error;
  int worker = 0;
  int section = 0;  // counts the worker's attempts from 1
  std::int64_t at_ns = 0;
  std::int64_t value = 0;
  std::int64_t detail = 0;
};

std::int64_t monotonic_now_ns();

// Appends events to a file; thread-safe because each event is one write(2).
class EventLog {
 public:
  EventLog(const std::filesystem::path& path, int worker);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  void add(EventKind kind, int section, std::int64_t value = 0, std::int64_t detail = 0);

 private:
  int fd_ = -1;
  int worker_ = 0;
};

// Every complete line of the file (a line cut short by a kill is skipped).
std::vector<Event> read_events(const std::filesystem::path& path);

}  // namespace redkit::test::fault
