// The mutual-exclusion checker of the fault suite; see section_checker.hpp.
#include "fault/section_checker.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace redkit::test::fault {
namespace {

std::string name_of(const CriticalSection& s) {
  return fmt::format("worker {} section {} (fence {}, {:.3f} to {:.3f} ms{})", s.worker, s.section, s.fence,
                     static_cast<double>(s.entered_ns) / 1e6, static_cast<double>(s.left_ns) / 1e6,
                     s.exited ? "" : ", never left");
}

}  // namespace

CheckReport check_sections(const std::vector<Event>& events, const std::vector<AcceptedWrite>& accepted) {
  CheckReport report;
  std::map<std::pair<int, int>, CriticalSection> open;
  for (const Event& e : events) {
    if (e.kind == EventKind::error) ++report.errors;
    if (e.kind == EventKind::timed_out) ++report.timeouts;
    const auto key = std::make_pair(e.worker, e.section);
    if (e.kind == EventKind::acquired) {
      CriticalSection s;
      s.worker = e.worker;
      s.section = e.section;
      s.fence = e.value;
      s.entered_ns = s.left_ns = e.at_ns;
      open[key] = s;
      continue;
    }
    auto it = open.find(key);
    if (it == open.end()) continue;
    CriticalSection& s = it->second;
    switch (e.kind) {
      case EventKind::wrote:
        (e.detail == 1 ? s.writes_accepted : s.writes_refused) += 1;
        if (!s.exited) s.left_ns = e.at_ns;
        break;
      case EventKind::lost:
        s.lost = true;
        if (!s.exited) s.left_ns = e.at_ns;
        break;
      case EventKind::exiting:
        s.exited = true;
        s.left_ns = e.at_ns;
        break;
      case EventKind::released:
        s.release_outcome = static_cast<int>(e.detail);
        break;
      default:
        break;
    }
  }
  for (auto& [key, s] : open) report.sections.push_back(s);
  std::sort(report.sections.begin(), report.sections.end(),
            [](const CriticalSection& a, const CriticalSection& b) { return a.entered_ns < b.entered_ns; });

  for (std::size_t i = 0; i < report.sections.size(); ++i) {
    const CriticalSection& a = report.sections[i];
    if (a.lost || (a.release_outcome > 0)) ++report.lost;
    report.writes_refused += a.writes_refused;
    if (i > 0 && a.fence <= report.sections[i - 1].fence) ++report.fence_regressions;
    for (std::size_t j = i + 1; j < report.sections.size(); ++j) {
      const CriticalSection& b = report.sections[j];
      if (b.entered_ns >= a.left_ns) break;  // sorted by entry: no later one overlaps a either
      if (b.worker != a.worker) report.overlaps.push_back({a, b});
    }
  }
  std::int64_t highest = 0;
  for (const AcceptedWrite& w : accepted) {
    if (w.token < highest) ++report.writes_out_of_order;
    highest = std::max(highest, w.token);
  }
  return report;
}

std::string CheckReport::describe() const {
  std::string text = fmt::format(
      "{} sections, {} overlaps, {} fence regressions, {} writes out of order, {} lost, {} writes refused, "
      "{} errors, {} timeouts\n",
      sections.size(), overlaps.size(), fence_regressions, writes_out_of_order, lost, writes_refused, errors,
      timeouts);
  for (const Overlap& o : overlaps) {
    text += fmt::format("  overlap: {} and {}\n", name_of(o.first), name_of(o.second));
  }
  return text;
}

}  // namespace redkit::test::fault
