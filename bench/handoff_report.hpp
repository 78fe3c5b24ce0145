// Turns the merged sections of the handoff benchmark into figures: handoff
// latency, throughput, fairness and the mutual-exclusion checks. Definitions
// follow the seed's lock_contended case, so the two tables compare directly.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "handoff_record.hpp"

namespace redkit::bench {

struct Summary {
  std::size_t n = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;  // milliseconds
};

struct HandoffReport {
  int workers = 0;
  int expected_sections = 0;
  int timeouts = 0;
  std::size_t sections = 0;
  double total_s = 0;
  double sections_per_s = 0;
  // Sections acquired before an earlier holder had started to release.
  int overlaps = 0;
  // Fencing tokens that do not increase in acquisition order.
  int fences_out_of_order = 0;
  long long counter_final = 0;
  long long lost_updates = 0;
  // From holder i starting its release to holder i+1's acquire returning,
  // in acquisition order: all pairs, pairs of two workers, pairs of one.
  Summary handoff_all, handoff_cross, handoff_same;
  // The pairs where holder i+1 was already waiting when holder i began to
  // release: the latency of the handoff itself, without the idle time of a
  // free lock nobody asked for.
  Summary handoff_waiting;
  Summary acquire_wait;      // try_lock_for called -> returned
  Summary critical_section;  // acquired -> release started
  std::vector<int> per_worker;
  // The fewest sections any worker ran over the most: 1 is perfectly even.
  double fewest_over_most = 0;
};

// `sections` in any order; counter_final is the shared counter's last value.
HandoffReport analyse(std::vector<Section> sections, int workers, int expected_sections, int timeouts,
                      long long counter_final);

void print_readable(std::ostream& out, const HandoffReport& report);
// One line of JSON.
void print_json(std::ostream& out, const HandoffReport& report);

}  // namespace redkit::bench
