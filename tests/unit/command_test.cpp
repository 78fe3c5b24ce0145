// Command: RESP encoding, routing keys and number formatting.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "redkit/command.hpp"
#include "redkit/error.hpp"

namespace redkit {
namespace {

TEST(CommandTest, EncodesRespBinarySafe) {
  Command c("SET");
  c.key("k").arg(std::string_view("a\0b", 3));
  std::string wire;
  c.append_resp(wire);
  EXPECT_EQ(wire, std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n", 29));
}

TEST(CommandTest, FirstKeyDecidesRouting) {
  Command c("MSET");
  c.key("{user}:a").arg("1").key("{user}:b").arg("2");
  EXPECT_EQ(c.routing(), Command::Routing::key);
  EXPECT_EQ(c.routing_key(), "{user}:a");
  EXPECT_EQ(c.routing_index(), 1u);
}

TEST(CommandTest, RawAndKeylessRouting) {
  EXPECT_EQ(Command::raw({"GET", "k"}).routing(), Command::Routing::unknown);
  EXPECT_EQ(Command::keyless({"PING"}).routing(), Command::Routing::keyless);
  EXPECT_THROW(Command::keyless({"PING"}).routing_key(), ProtocolError);
  EXPECT_THROW(Command::raw(std::vector<std::string>{}), InvalidArgument);
  EXPECT_THROW(Command(""), InvalidArgument);
}

TEST(CommandTest, NumbersRoundTripExactly) {
  Command c("X");
  c.arg(-9223372036854775807LL - 1).arg(18446744073709551615ULL).arg(0.1).arg(-0.0).arg(1e300);
  c.arg(std::numeric_limits<double>::infinity());
  const auto& a = c.args();
  EXPECT_EQ(a[1], "-9223372036854775808");
  EXPECT_EQ(a[2], "18446744073709551615");
  EXPECT_EQ(std::stod(a[3]), 0.1);
  EXPECT_EQ(a[4], "-0");
  EXPECT_EQ(std::stod(a[5]), 1e300);
  EXPECT_EQ(a[6], "inf");
  EXPECT_THROW(Command("X").arg(std::nan("")), InvalidArgument);
}

TEST(CommandTest, DisplayQuotesAndCuts) {
  Command c("SET");
  c.key("my key").arg(std::string(100, 'v'));
  std::string shown = c.to_display();
  EXPECT_EQ(shown.substr(0, 13), "SET \"my key\" ");
  EXPECT_NE(shown.find("...(100 bytes)"), std::string::npos);
}

}  // namespace
}  // namespace redkit
