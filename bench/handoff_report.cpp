// Statistics of the handoff benchmark. Percentiles are nearest-rank, as the
// seed's report computes them.
#include "handoff_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

namespace redkit::bench {
namespace {

constexpr double kNsPerMs = 1e6;

double nearest_rank(const std::vector<double>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto k = static_cast<std::ptrdiff_t>(std::ceil(p / 100.0 * n)) - 1;
  k = std::clamp<std::ptrdiff_t>(k, 0, static_cast<std::ptrdiff_t>(sorted.size()) - 1);
  return sorted[static_cast<std::size_t>(k)];
}

Summary summarise(std::vector<std::int64_t> ns) {
  Summary s;
  s.n = ns.size();
  if (ns.empty()) return s;
  std::vector<double> ms;
  ms.reserve(ns.size());
  for (std::int64_t v : ns) ms.push_back(static_cast<double>(v) / kNsPerMs);
  std::sort(ms.begin(), ms.end());
  s.p50 = nearest_rank(ms, 50);
  s.p90 = nearest_rank(ms, 90);
  s.p99 = nearest_rank(ms, 99);
  s.max = ms.back();
  s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  return s;
}

std::string json(const Summary& s) {
  return fmt::format(R"({{"n":{},"p50":{:.3f},"p90":{:.3f},"p99":{:.3f},"max":{:.3f},"mean":{:.3f}}})", s.n, s.p50,
                     s.p90, s.p99, s.max, s.mean);
}

std::string readable(const Summary& s) {
  return fmt::format("n={:<4} p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}  (ms)", s.n, s.p50, s.p90, s.p99, s.max);
}

}  // namespace

HandoffReport analyse(std::vector<Section> sections, int workers, int expected_sections, int timeouts,
                      long long counter_final) {
  HandoffReport r;
  r.workers = workers;
  r.expected_sections = expected_sections;
  r.timeouts = timeouts;
  r.sections = sections.size();
  r.counter_final = counter_final;
  r.lost_updates = expected_sections - counter_final;
  r.per_worker.assign(static_cast<std::size_t>(workers), 0);
  if (sections.empty()) return r;

  std::sort(sections.begin(), sections.end(),
            [](const Section& a, const Section& b) { return a.acquired < b.acquired; });
  std::vector<std::int64_t> all, cross, same, waiting, wait, held;
  std::int64_t latest_release = std::numeric_limits<std::int64_t>::min();
  std::int64_t first = sections.front().requested, last = sections.front().released;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const Section& s = sections[i];
    ++r.per_worker.at(static_cast<std::size_t>(s.worker));
    if (s.acquired < latest_release) ++r.overlaps;
    latest_release = std::max(latest_release, s.releasing);
    first = std::min(first, s.requested);
    last = std::max(last, s.released);
    wait.push_back(s.acquired - s.requested);
    held.push_back(s.releasing - s.acquired);
    if (i == 0) continue;
    const Section& previous = sections[i - 1];
    if (s.fence <= previous.fence) ++r.fences_out_of_order;
    const std::int64_t handoff = s.acquired - previous.releasing;
    all.push_back(handoff);
    (s.worker == previous.worker ? same : cross).push_back(handoff);
    if (s.requested < previous.releasing) waiting.push_back(handoff);
  }
  r.total_s = static_cast<double>(last - first) / 1e9;
  r.sections_per_s = static_cast<double>(sections.size()) / r.total_s;
  r.handoff_all = summarise(all);
  r.handoff_cross = summarise(cross);
  r.handoff_same = summarise(same);
  r.handoff_waiting = summarise(waiting);
  const auto [fewest, most] = std::minmax_element(r.per_worker.begin(), r.per_worker.end());
  r.fewest_over_most = *most > 0 ? static_cast<double>(*fewest) / *most : 0;
  r.acquire_wait = summarise(wait);
  r.critical_section = summarise(held);
  return r;
}

void print_readable(std::ostream& out, const HandoffReport& r) {
  fmt::print(out, "sections            {} of {} in {:.3f} s = {:.1f} sections/s, {} timeouts\n", r.sections,
             r.expected_sections, r.total_s, r.sections_per_s, r.timeouts);
  fmt::print(out, "mutual exclusion    {} overlaps, {} lost updates (counter {}), {} fences out of order\n",
             r.overlaps, r.lost_updates, r.counter_final, r.fences_out_of_order);
  fmt::print(out, "handoff, waiter     {}\n", readable(r.handoff_waiting));
  fmt::print(out, "handoff, all        {}\n", readable(r.handoff_all));
  fmt::print(out, "handoff, cross      {}\n", readable(r.handoff_cross));
  fmt::print(out, "handoff, same       {}\n", readable(r.handoff_same));
  fmt::print(out, "acquire wait        {}\n", readable(r.acquire_wait));
  fmt::print(out, "critical section    {}\n", readable(r.critical_section));
  fmt::print(out, "per worker          {} (fewest / most = {:.3f})\n", fmt::join(r.per_worker, " "),
             r.fewest_over_most);
}

void print_json(std::ostream& out, const HandoffReport& r) {
  fmt::print(out,
             R"({{"case":"lock_handoff","workers":{},"expected_sections":{},"sections":{},"timeouts":{},)"
             R"("total_s":{:.3f},"sections_per_s":{:.1f},"overlaps":{},"lost_updates":{},"fences_out_of_order":{},)"
             R"("handoff_ms_waiting":{},"handoff_ms_all":{},"handoff_ms_cross_worker":{},)"
             R"("handoff_ms_same_worker":{},"acquire_wait_ms":{},"critical_section_ms":{},"per_worker":[{}],)"
             R"("fewest_over_most":{:.3f}}})"
             "\n",
             r.workers, r.expected_sections, r.sections, r.timeouts, r.total_s, r.sections_per_s, r.overlaps,
             r.lost_updates, r.fences_out_of_order, json(r.handoff_waiting), json(r.handoff_all),
             json(r.handoff_cross), json(r.handoff_same), json(r.acquire_wait), json(r.critical_section),
             fmt::join(r.per_worker, ","), r.fewest_over_most);
}

}  // namespace redkit::bench
