// The checker itself, on hand-written logs: a checker that misses an
// overlap would make every fault test pass for the wrong reason.
#include <gtest/gtest.h>

#include "fault/section_checker.hpp"

namespace redkit::test::fault {
namespace {

Event event(EventKind kind, int worker, std::int64_t at_ms, std::int64_t value = 0, std::int64_t detail = 0) {
  return {kind, worker, 1, at_ms * 1'000'000, value, detail};
}

TEST(SectionCheckerTest, SectionsOneAfterAnotherAreClean) {
  const auto report = check_sections({event(EventKind::acquired, 1, 0, 1), event(EventKind::exiting, 1, 10),
                                      event(EventKind::released, 1, 11), event(EventKind::acquired, 2, 12, 2),
                                      event(EventKind::exiting, 2, 20)},
                                     {{1, "1:1"}, {2, "2:1"}});
  EXPECT_EQ(report.sections.size(), 2u);
  EXPECT_TRUE(report.overlaps.empty());
  EXPECT_EQ(report.fence_regressions, 0);
  EXPECT_EQ(report.writes_out_of_order, 0);
}

TEST(SectionCheckerTest, FindsOverlapsRegressionsAndWritesOutOfOrder) {
  const auto report = check_sections({event(EventKind::acquired, 1, 0, 5), event(EventKind::acquired, 2, 5, 3),
                                      event(EventKind::exiting, 2, 8), event(EventKind::wrote, 1, 9, 5, 0),
                                      event(EventKind::lost, 1, 9), event(EventKind::exiting, 1, 10)},
                                     {{5, "1:1"}, {3, "2:1"}});
  ASSERT_EQ(report.overlaps.size(), 1u);
  EXPECT_EQ(report.overlaps[0].first.worker, 1);
  EXPECT_EQ(report.overlaps[0].second.worker, 2);
  EXPECT_EQ(report.fence_regressions, 1);
  EXPECT_EQ(report.writes_out_of_order, 1);
  EXPECT_EQ(report.lost, 1);
  EXPECT_EQ(report.writes_refused, 1);
}

TEST(SectionCheckerTest, ASectionThatNeverLeftEndsAtItsLastEvent) {
  // Worker 1 was killed inside its section after a write at 4 ms.
  const auto report = check_sections({event(EventKind::acquired, 1, 0, 1), event(EventKind::wrote, 1, 4, 1, 1),
                                      event(EventKind::acquired, 2, 3, 2), event(EventKind::exiting, 2, 6)},
                                     {});
  ASSERT_EQ(report.overlaps.size(), 1u);
  EXPECT_FALSE(report.overlaps[0].first.exited);
}

}  // namespace
}  // namespace redkit::test::fault
