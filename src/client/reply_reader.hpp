// ReplyReader: bytes from the socket in, Reply values out. It never touches a
// socket, so it is tested on byte strings alone.
//
// Parsing is hiredis's RESP reader; its object callbacks build redkit::Reply
// values in place, so each bulk string is copied once, from the read buffer
// into its final std::string.
//
// Thread-safety: none; one reader belongs to one connection.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "redkit/reply.hpp"

struct redisReader;

namespace redkit::detail {

class ReplyReader {
 public:
  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  void feed(std::string_view bytes);
  // The next complete reply, or nullopt if more bytes are needed. Throws
  // ProtocolError on malformed input; the reader is unusable afterwards.
  std::optional<Reply> next();
  // True when bytes of an incomplete reply are buffered.
  bool has_partial() const noexcept;

 private:
  struct Deleter {
    void operator()(redisReader* reader) const noexcept;
  };
  // Bytes fed but not yet handed to hiredis. hiredis moves the unparsed rest
  // of its buffer to the front after every reply once 1 KiB is consumed, so
  // it is given a few KiB at a time: fed a whole 64 KiB read of many small
  // pipelined replies, it moved most of the read again for every few
  // replies.
  std::string pending_;
  std::size_t pending_at_ = 0;
  std::unique_ptr<redisReader, Deleter> reader_;
};

}  // namespace redkit::detail
