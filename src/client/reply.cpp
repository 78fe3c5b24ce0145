// Reply: construction, typed access and display.
#include "redkit/reply.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit {
namespace {

[[noreturn]] void throw_wrong_type(Reply::Type actual, std::string_view wanted) {
  throw ProtocolError(fmt::format("expected {} reply, got {}", wanted, to_string(actual)));
}

void append_display(const Reply& reply, std::string& out, int depth) {
  switch (reply.type()) {
    case Reply::Type::nil:
      out += "(nil)";
      return;
    case Reply::Type::integer:
      out += fmt::format("(integer) {}", reply.as_integer());
      return;
    case Reply::Type::string: {
      out += '"';
      for (unsigned char c : reply.as_string()) {
        if (c == '"' || c == '\\') {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          out += fmt::format("\\x{:02x}", c);
        }
      }
      out += '"';
      return;
    }
    case Reply::Type::status:
      out += reply.as_string();
      return;
    case Reply::Type::error:
      out += "(error) " + reply.error_message();
      return;
    case Reply::Type::array: {
      const auto& elements = reply.as_array();
      if (elements.empty()) {
        out += "(empty array)";
        return;
      }
      for (std::size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += '\n' + std::string(static_cast<std::size_t>(depth) * 3, ' ');
        out += fmt::format("{}) ", i + 1);
        append_display(elements[i], out, depth + 1);
      }
      return;
    }
  }
}

}  // namespace

std::string_view to_string(Reply::Type type) noexcept {
  switch (type) {
    case Reply::Type::nil: return "nil";
    case Reply::Type::integer: return "integer";
    case Reply::Type::string: return "bulk string";
    case Reply::Type::status: return "status";
    case Reply::Type::error: return "error";
    case Reply::Type::array: return "array";
  }
  return "unknown";
}

Reply Reply::make_integer(long long value) {
  Reply r;
  r.type_ = Type::integer;
  r.value_ = value;
  return r;
}

Reply Reply::make_string(std::string bytes) {
  Reply r;
  r.type_ = Type::string;
  r.value_ = std::move(bytes);
  return r;
}

Reply Reply::make_status(std::string text) {
  Reply r = make_string(std::move(text));
  r.type_ = Type::status;
  return r;
}

Reply Reply::make_error(std::string text) {
  Reply r = make_string(std::move(text));
  r.type_ = Type::error;
  return r;
}

Reply Reply::make_array(std::vector<Reply> elements) {
  Reply r;
  r.type_ = Type::array;
  r.value_ = ReplyArray(std::move(elements));
  return r;
}

long long Reply::as_integer() const {
  if (type_ != Type::integer) throw_wrong_type(type_, "integer");
  return std::get<long long>(value_);
}

const std::string& Reply::as_string() const {
  if (type_ != Type::string && type_ != Type::status) throw_wrong_type(type_, "string");
  return std::get<std::string>(value_);
}

std::string Reply::take_string() && {
  if (type_ != Type::string && type_ != Type::status) throw_wrong_type(type_, "string");
  return std::move(std::get<std::string>(value_));
}

std::optional<std::string> Reply::as_optional_string() const {
  if (type_ == Type::nil) return std::nullopt;
  return as_string();
}

double Reply::as_double() const {
  const std::string& text = as_string();
  if (text == "inf" || text == "+inf") return HUGE_VAL;
  if (text == "-inf") return -HUGE_VAL;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ProtocolError(fmt::format("expected a number, got \"{}\"", text));
  }
  return value;
}

long long Reply::integer_field(std::string_view field) const {
  if (type_ == Type::integer) return std::get<long long>(value_);
  if (type_ != Type::string && type_ != Type::status) {
    throw ProtocolError(fmt::format("{}: expected a whole number, got {}", field, to_display()));
  }
  const std::string& text = std::get<std::string>(value_);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ProtocolError(fmt::format("{}: expected a whole number, got \"{}\"", field, text));
  }
  return value;
}

double Reply::double_field(std::string_view field) const {
  if (type_ == Type::integer) return static_cast<double>(std::get<long long>(value_));
  if (type_ != Type::string && type_ != Type::status) {
    throw ProtocolError(fmt::format("{}: expected a number, got {}", field, to_display()));
  }
  try {
    return as_double();
  } catch (const ProtocolError&) {
    throw ProtocolError(fmt::format("{}: expected a number, got \"{}\"", field, std::get<std::string>(value_)));
  }
}

const ReplyArray& Reply::as_array() const {
  if (type_ != Type::array) throw_wrong_type(type_, "array");
  return std::get<ReplyArray>(value_);
}

ReplyArray& Reply::as_array() {
  if (type_ != Type::array) throw_wrong_type(type_, "array");
  return std::get<ReplyArray>(value_);
}

ReplyArray::ReplyArray(std::vector<Reply> elements) : std::vector<Reply>(std::move(elements)) {}

const Reply& ReplyArray::at(size_type index) const {
  if (index >= size()) {
    throw ProtocolError(fmt::format("expected an array reply of at least {} elements, got {}", index + 1, size()));
  }
  return (*this)[index];
}

Reply& ReplyArray::at(size_type index) {
  return const_cast<Reply&>(static_cast<const ReplyArray&>(*this).at(index));
}

const std::string& Reply::error_message() const {
  if (type_ != Type::error) throw_wrong_type(type_, "error");
  return std::get<std::string>(value_);
}

const Reply& Reply::throw_if_error() const {
  if (type_ == Type::error) throw ReplyError(error_message());
  if (type_ == Type::array) {
    for (const Reply& element : std::get<ReplyArray>(value_)) element.throw_if_error();
  }
  return *this;
}

std::string Reply::to_display() const {
  std::string out;
  append_display(*this, out, 1);
  return out;
}

}  // namespace redkit
