// Reply: typed access, wrong-type errors and error propagation.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "redkit/error.hpp"
#include "redkit/reply.hpp"

namespace redkit {
namespace {

TEST(ReplyTest, TypedAccessors) {
  EXPECT_EQ(Reply::make_integer(7).as_integer(), 7);
  EXPECT_EQ(Reply::make_string("v").as_string(), "v");
  EXPECT_EQ(Reply::make_status("OK").as_string(), "OK");
  EXPECT_EQ(Reply().as_optional_string(), std::nullopt);
  EXPECT_EQ(Reply::make_string("x").as_optional_string(), "x");
  EXPECT_DOUBLE_EQ(Reply::make_string("42.17").as_double(), 42.17);
  EXPECT_EQ(Reply::make_string("-inf").as_double(), -HUGE_VAL);
}

TEST(ReplyTest, WrongTypeNamesBothTypes) {
  try {
    Reply::make_string("x").as_integer();
    FAIL() << "no exception";
  } catch (const ProtocolError& e) {
    EXPECT_STREQ(e.what(), "expected integer reply, got bulk string");
  }
  EXPECT_THROW(Reply().as_string(), ProtocolError);
  EXPECT_THROW(Reply::make_string("4x").as_double(), ProtocolError);
}

TEST(ReplyTest, NumberFieldsAreCheckedAndNameTheField) {
  EXPECT_EQ(Reply::make_string("-42").integer_field("pid"), -42);
  EXPECT_EQ(Reply::make_integer(7).integer_field("pid"), 7);
  EXPECT_DOUBLE_EQ(Reply::make_string("2.5").double_field("score"), 2.5);
  EXPECT_DOUBLE_EQ(Reply::make_integer(3).double_field("score"), 3.0);
  const auto message = [](auto read) {
    try {
      read();
    } catch (const ProtocolError& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  // Never read as 0: a damaged field is an error naming it.
  EXPECT_EQ(message([] { Reply::make_string("seven").integer_field("field fence"); }),
            "field fence: expected a whole number, got \"seven\"");
  EXPECT_EQ(message([] { Reply::make_string("12abc").integer_field("ttl"); }),
            "ttl: expected a whole number, got \"12abc\"");
  EXPECT_EQ(message([] { Reply::make_string("").integer_field("ttl"); }), "ttl: expected a whole number, got \"\"");
  EXPECT_EQ(message([] { Reply::make_string("1.5").integer_field("ttl"); }),
            "ttl: expected a whole number, got \"1.5\"");
  EXPECT_EQ(message([] { Reply().integer_field("ttl"); }), "ttl: expected a whole number, got (nil)");
  // The edges of long long: the largest is read, one past it is refused.
  EXPECT_EQ(Reply::make_string("9223372036854775807").integer_field("fence"), 9223372036854775807LL);
  EXPECT_EQ(message([] { Reply::make_string("9223372036854775808").integer_field("fence"); }),
            "fence: expected a whole number, got \"9223372036854775808\"");
  EXPECT_EQ(message([] { Reply::make_string("x1").double_field("score"); }), "score: expected a number, got \"x1\"");
}

TEST(ReplyTest, ArrayElementsBeyondTheEndAreAProtocolError) {
  const Reply reply = Reply::make_array({Reply::make_integer(1), Reply::make_integer(2)});
  EXPECT_EQ(reply.as_array().at(1).as_integer(), 2);
  try {
    reply.as_array().at(2);
    FAIL() << "no exception";
  } catch (const ProtocolError& e) {
    EXPECT_STREQ(e.what(), "expected an array reply of at least 3 elements, got 2");
  }
}

TEST(ReplyTest, ThrowIfErrorCarriesServerMessageAtAnyDepth) {
  Reply nested = Reply::make_array({Reply::make_integer(1), Reply::make_error("WRONGTYPE bad kind")});
  try {
    nested.throw_if_error();
    FAIL() << "no exception";
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.message(), "WRONGTYPE bad kind");
    EXPECT_EQ(e.code(), "WRONGTYPE");
  }
  EXPECT_NO_THROW(Reply::make_array({Reply::make_integer(1)}).throw_if_error());
}

TEST(ReplyTest, TakeStringMovesTheBuffer) {
  Reply r = Reply::make_string(std::string(1 << 20, 'z'));
  const char* before = r.as_string().data();
  std::string taken = std::move(r).take_string();
  EXPECT_EQ(taken.data(), before);
}

TEST(ReplyTest, DisplayLikeRedisCli) {
  Reply r = Reply::make_array({Reply::make_string(std::string("a\0", 2)), Reply::make_integer(3), Reply()});
  EXPECT_EQ(r.to_display(), "1) \"a\\x00\"\n   2) (integer) 3\n   3) (nil)");
}

}  // namespace
}  // namespace redkit
