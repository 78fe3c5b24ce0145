// Command: argument building, RESP encoding and display.
#include "redkit/command.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit {

Command::Command(std::string_view name) {
  if (name.empty()) throw InvalidArgument("command name is empty");
  // Most commands have a few arguments: one allocation instead of the
  // vector's doubling from one (multi-series reads build thousands).
  args_.reserve(8);
  args_.emplace_back(name);
}

Command Command::raw(std::initializer_list<std::string_view> args) {
  if (args.size() == 0) throw InvalidArgument("command has no arguments");
  Command command(*args.begin());
  for (auto it = args.begin() + 1; it != args.end(); ++it) command.args_.emplace_back(*it);
  return command;
}

Command Command::raw(std::vector<std::string> args) {
  if (args.empty()) throw InvalidArgument("command has no arguments");
  Command command(args.front());
  command.args_ = std::move(args);
  return command;
}

Command Command::keyless(std::initializer_list<std::string_view> args) {
  Command command = raw(args);
  command.routing_ = Routing::keyless;
  return command;
}

Command& Command::key(std::string_view key) {
  if (routing_ != Routing::key) {
    routing_ = Routing::key;
    routing_index_ = args_.size();
  }
  args_.emplace_back(key);
  return *this;
}

Command& Command::arg(std::string_view value) {
  args_.emplace_back(value);
  return *this;
}

Command& Command::arg(long long value) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  args_.emplace_back(buffer, result.ptr);
  return *this;
}

Command& Command::arg(unsigned long long value) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  args_.emplace_back(buffer, result.ptr);
  return *this;
}

Command& Command::arg(double value) {
  // Redis reads "inf"/"-inf" for infinities; NaN has no text Redis accepts.
  if (std::isnan(value)) throw InvalidArgument("NaN cannot be sent as a command argument");
  if (std::isinf(value)) return arg(value > 0 ? std::string_view("inf") : std::string_view("-inf"));
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  args_.emplace_back(buffer, result.ptr);
  return *this;
}

Command& Command::mark_keyless() {
  routing_ = Routing::keyless;
  return *this;
}

std::string_view Command::routing_key() const {
  if (routing_ != Routing::key) {
    throw ProtocolError(fmt::format("command {} has no routing key", name()));
  }
  return args_[routing_index_];
}

void Command::append_resp(std::string& out) const {
  // The hot path of every pipeline: no temporaries, one reservation.
  auto append_header = [&out](char marker, std::size_t n) {
    char buffer[24];
    buffer[0] = marker;
    auto result = std::to_chars(buffer + 1, buffer + sizeof buffer, n);
    out.append(buffer, result.ptr);
    out += "\r\n";
  };
  std::size_t size = 16;
  for (const auto& a : args_) size += a.size() + 16;
  out.reserve(out.size() + size);
  append_header('*', args_.size());
  for (const auto& a : args_) {
    append_header('$', a.size());
    out.append(a);
    out += "\r\n";
  }
}

std::string Command::to_display() const {
  constexpr std::size_t kMaxShown = 64;
  std::string out;
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (i > 0) out += ' ';
    std::string_view a = args_[i];
    bool cut = a.size() > kMaxShown;
    if (cut) a = a.substr(0, kMaxShown);
    bool plain = !a.empty();
    for (unsigned char c : a) plain = plain && c > 0x20 && c < 0x7f && c != '"';
    if (plain) {
      out.append(a);
    } else {
      out += '"';
      for (unsigned char c : a) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
          out += static_cast<char>(c);
        } else {
          out += fmt::format("\\x{:02x}", c);
        }
      }
      out += '"';
    }
    if (cut) out += fmt::format("...({} bytes)", args_[i].size());
  }
  return out;
}

}  // namespace redkit
