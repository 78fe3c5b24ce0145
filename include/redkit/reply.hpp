// redkit/reply.hpp — a Redis reply as a C++ value.
//
// A Reply is one of: nil, integer, bulk string, status, error, or an array of
// replies. Strings are binary-safe (they may hold NUL bytes) and are built
// directly from the socket buffer, with no intermediate copy; take_string()
// moves a large bulk string out without copying it again.
//
//   redkit::Reply r = client.command({"GET", "k"});
//   if (r.is_nil()) { /* no such key */ }
//   std::string value = std::move(r).take_string();
//
// Thread-safety: a Reply is a plain value; distinct objects may be used from
// distinct threads, one object needs external synchronisation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace redkit {

class Reply;

// The elements of an array reply: a std::vector whose at() throws
// ProtocolError (a redkit::Error naming the index and the size) instead of
// std::out_of_range, so a reply shorter than its contract fails like any
// other malformed reply.
class ReplyArray : public std::vector<Reply> {
 public:
  ReplyArray() = default;
  explicit ReplyArray(std::vector<Reply> elements);
  const Reply& at(size_type index) const;
  Reply& at(size_type index);
};

class Reply {
 public:
  enum class Type { nil, integer, string, status, error, array };

  // A nil reply.
  Reply() = default;

  static Reply make_integer(long long value);
  static Reply make_string(std::string bytes);
  static Reply make_status(std::string text);
  static Reply make_error(std::string text);
  static Reply make_array(std::vector<Reply> elements);

  Type type() const noexcept { return type_; }
  bool is_nil() const noexcept { return type_ == Type::nil; }
  bool is_integer() const noexcept { return type_ == Type::integer; }
  bool is_string() const noexcept { return type_ == Type::string; }
  bool is_status() const noexcept { return type_ == Type::status; }
  bool is_error() const noexcept { return type_ == Type::error; }
  bool is_array() const noexcept { return type_ == Type::array; }

  // Accessors throw ProtocolError naming the actual type when the reply is of
  // another type, so a surprising reply never passes silently.
  long long as_integer() const;
  // The bytes of a bulk string or the text of a status.
  const std::string& as_string() const;
  std::string take_string() &&;
  // nullopt for nil, the bytes for a bulk string or status.
  std::optional<std::string> as_optional_string() const;
  // A bulk string or status parsed as a double ("inf", "-inf" accepted).
  double as_double() const;
  // Numbers Redis sends as text (hash fields, TIME, scores): an integer
  // reply, or a bulk string or status holding exactly a whole number /
  // a double. Anything else throws ProtocolError naming `field` and what was
  // there, so a damaged value is never read as 0.
  long long integer_field(std::string_view field) const;
  double double_field(std::string_view field) const;
  const ReplyArray& as_array() const;
  ReplyArray& as_array();
  // The server's message of an error reply.
  const std::string& error_message() const;

  // Throws ReplyError carrying the server's message if this is an error reply
  // (at any depth for arrays: EXEC and script replies can nest errors).
  const Reply& throw_if_error() const;

  // A redis-cli-like rendering, for logs and the CLI.
  std::string to_display() const;

  friend bool operator==(const Reply& a, const Reply& b) = default;

 private:
  Type type_ = Type::nil;
  std::variant<std::monostate, long long, std::string, ReplyArray> value_;
};

std::string_view to_string(Reply::Type type) noexcept;

}  // namespace redkit
