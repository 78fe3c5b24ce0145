// ReplyReader: RESP bytes to Reply values, fed whole or a byte at a time.
#include <gtest/gtest.h>

#include <string>

#include "client/reply_reader.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

std::vector<Reply> parse_all(std::string_view bytes, std::size_t step) {
  ReplyReader reader;
  std::vector<Reply> out;
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    reader.feed(bytes.substr(i, step));
    while (auto reply = reader.next()) out.push_back(std::move(*reply));
  }
  EXPECT_FALSE(reader.has_partial());
  return out;
}

TEST(ReplyReaderTest, EveryTypeWholeAndByteByByte) {
  const std::string wire =
      "+OK\r\n"
      "-ERR wrong\r\n"
      ":-42\r\n"
      "$5\r\nhello\r\n"
      "$-1\r\n"
      "*-1\r\n"
      "*0\r\n"
      "*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+s\r\n";
  for (std::size_t step : {wire.size(), std::size_t{1}, std::size_t{7}}) {
    auto replies = parse_all(wire, step);
    ASSERT_EQ(replies.size(), 8u) << "step " << step;
    EXPECT_EQ(replies[0], Reply::make_status("OK"));
    EXPECT_EQ(replies[1], Reply::make_error("ERR wrong"));
    EXPECT_EQ(replies[2], Reply::make_integer(-42));
    EXPECT_EQ(replies[3], Reply::make_string("hello"));
    EXPECT_TRUE(replies[4].is_nil());
    EXPECT_TRUE(replies[5].is_nil());
    EXPECT_EQ(replies[6], Reply::make_array({}));
    EXPECT_EQ(replies[7], Reply::make_array({Reply::make_integer(1),
                                             Reply::make_array({Reply::make_string("a"), Reply()}),
                                             Reply::make_status("s")}));
  }
}

TEST(ReplyReaderTest, BinarySafeBulkStrings) {
  std::string payload("a\0b\r\nc\0", 7);
  std::string wire = "$7\r\n" + payload + "\r\n";
  auto replies = parse_all(wire, 3);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].as_string(), payload);
}

TEST(ReplyReaderTest, LargeBulkStringArrivesInPieces) {
  std::string payload(3 * 1024 * 1024 + 17, 'x');
  for (std::size_t i = 0; i < payload.size(); i += 4096) payload[i] = static_cast<char>(i % 251);
  std::string wire = "$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
  auto replies = parse_all(wire, 65536);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(std::move(replies[0]).take_string(), payload);
}

TEST(ReplyReaderTest, IncompleteInputWaitsForMore) {
  ReplyReader reader;
  reader.feed("$10\r\nabc");
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_TRUE(reader.has_partial());
  reader.feed("defghij\r\n");
  auto reply = reader.next();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->as_string(), "abcdefghij");
}

TEST(ReplyReaderTest, MalformedInputIsAProtocolError) {
  ReplyReader reader;
  reader.feed("?what\r\n");
  EXPECT_THROW(reader.next(), ProtocolError);
}

}  // namespace
}  // namespace redkit::detail
