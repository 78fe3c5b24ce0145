// Worker event logs of the fault suite; see fault_log.hpp.
#include "fault/fault_log.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace redkit::test::fault {

std::int64_t monotonic_now_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

EventLog::EventLog(const std::filesystem::path& path, int worker) : worker_(worker) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
}

EventLog::~EventLog() {
  if (fd_ >= 0) ::close(fd_);
}

void EventLog::add(EventKind kind, int section, std::int64_t value, std::int64_t detail) {
  const std::string line = fmt::format("{} {} {} {} {} {}\n", static_cast<char>(kind), worker_, section,
                                       monotonic_now_ns(), value, detail);
  // O_APPEND makes each write land whole at the end, even from two threads.
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    throw std::system_error(errno, std::generic_category(), "write to the event log");
  }
}

std::vector<Event> read_events(const std::filesystem::path& path) {
  std::vector<Event> events;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline yet: still being written, or cut short
    std::istringstream fields(line);
    char kind = 0;
    Event e;
    if (fields >> kind >> e.worker >> e.section >> e.at_ns >> e.value >> e.detail) {
      e.kind = static_cast<EventKind>(kind);
      events.push_back(e);
    }
  }
  return events;
}

}  // namespace redkit::test::fault
