// parse_duration / format_duration: the units of the CLI contract.
#include <gtest/gtest.h>

#include "redkit/duration.hpp"
#include "redkit/error.hpp"

namespace redkit {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesEveryUnit) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("30s"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("24h"), milliseconds(86'400'000));
  EXPECT_EQ(parse_duration("7d"), milliseconds(604'800'000));
  EXPECT_EQ(parse_duration("1500"), milliseconds(1500));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(DurationTest, ParsesCompoundForms) {
  EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(parse_duration("1m500ms"), milliseconds(60'500));
}

TEST(DurationTest, RejectsBadTextNamingIt) {
  for (const char* bad : {"", "s", "-5s", "5x", "1.5s", "5 s", "1h30", "0m2", "0s0", "99999999999999999999d"}) {
    try {
      parse_duration(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + bad + "\""), std::string::npos) << e.what();
    }
  }
}

TEST(DurationTest, FormatsShortestExactForm) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0ms");
  EXPECT_EQ(format_duration(milliseconds(30'000)), "30s");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(86'400'001)), "1d1ms");
  EXPECT_EQ(format_duration(milliseconds(-90'000)), "-1m30s");
  EXPECT_EQ(format_duration(milliseconds::min()), "-106751991167d7h12m55s808ms");
}

TEST(DurationTest, FormatThenParseRoundTrips) {
  for (long long ms : {1LL, 999LL, 1000LL, 61'001LL, 3'600'000LL, 123'456'789LL}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms));
  }
}

}  // namespace
}  // namespace redkit
