// Reads the workers' event logs and the fenced resource's accepted writes and
// reports what a lock must never allow: two critical sections of different
// workers overlapping in time, fencing tokens that do not increase from one
// holder to the next, and writes the resource accepted out of token order.
// It also counts what a fault may legitimately cause, so a test can assert
// that the fault really happened: lost locks, refused writes, errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fault/fault_log.hpp"
#include "fault/fenced_resource.hpp"

namespace redkit::test::fault {

struct CriticalSection {
  int worker = 0;
  int section = 0;
  std::int64_t fence = 0;
  std::int64_t entered_ns = 0;
  // The exit event, or the section's last event when the worker died or
  // was still stopped inside it.
  std::int64_t left_ns = 0;
  bool exited = false;
  bool lost = false;  // the worker was told its lock was lost
  int writes_accepted = 0;
  int writes_refused = 0;
  int release_outcome = -1;  // as logged: 0 done, 1 not owner, 2 expired; -1 none
};

struct Overlap {
  CriticalSection first;   // entered first
  CriticalSection second;  // entered while `first` was still inside
};

struct CheckReport {
  std::vector<CriticalSection> sections;  // in order of entry
  std::vector<Overlap> overlaps;
  // Sections whose token is not above the previous holder's.
  int fence_regressions = 0;
  // Accepted writes whose token is below one accepted before them.
  int writes_out_of_order = 0;
  int lost = 0;
  int writes_refused = 0;
  int errors = 0;
  int timeouts = 0;
  // One line per finding, for failure messages.
  std::string describe() const;
};

CheckReport check_sections(const std::vector<Event>& events, const std::vector<AcceptedWrite>& accepted);

}  // namespace redkit::test::fault
