// Durations as users type them: "250ms", "30s", "1h30m", or bare milliseconds.
#include "redkit/duration.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Longest suffix first where one is a prefix of another ("ms" before "m").
constexpr std::array<Unit, 5> kUnits{{{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw InvalidArgument(fmt::format("invalid duration \"{}\": {}", text, why));
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text) {
  if (text.empty()) fail(text, "empty (use e.g. 500ms, 30s, 5m, 24h, 7d)");
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      fail(text, text[i] == '-' ? "negative" : "expected a number (use e.g. 500ms, 30s, 5m, 24h, 7d)");
    }
    const std::size_t number_start = i;
    std::int64_t number = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      int digit = text[i] - '0';
      if (number > (std::numeric_limits<std::int64_t>::max() - digit) / 10) fail(text, "too large");
      number = number * 10 + digit;
      ++i;
    }
    std::int64_t scale = 1;
    if (i < text.size()) {
      const Unit* unit = nullptr;
      for (const Unit& u : kUnits) {
        if (text.substr(i, u.suffix.size()) == u.suffix) {
          unit = &u;
          break;
        }
      }
      if (unit == nullptr) fail(text, fmt::format("unknown unit at \"{}\" (units: ms, s, m, h, d)", text.substr(i)));
      scale = unit->millis;
      i += unit->suffix.size();
    } else if (number_start != 0) {  // also after a part of zero, as in "0m5"
      fail(text, "a number without unit must stand alone");
    }
    if (number > (std::numeric_limits<std::int64_t>::max() - total) / scale) fail(text, "too large");
    total += number * scale;
  }
  return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds duration) {
  if (duration.count() == 0) return "0ms";
  // The magnitude in uint64, where the most negative duration has one too.
  std::uint64_t remaining = static_cast<std::uint64_t>(duration.count());
  std::string out;
  if (duration.count() < 0) {
    out += '-';
    remaining = 0 - remaining;
  }
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    const auto millis = static_cast<std::uint64_t>(it->millis);
    if (remaining >= millis) {
      out += fmt::format("{}{}", remaining / millis, it->suffix);
      remaining %= millis;
    }
  }
  return out;
}

}  // namespace redkit
