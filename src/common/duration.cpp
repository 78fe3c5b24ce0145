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
    } else if (total != 0) {
      fail(text, "a number without unit must stand alone");
    }
    if (number > (std::numeric_limits<std::int64_t>::max() - total) / scale) fail(text, "too large");
    total += number * scale;
  }
  return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds duration) {
  std::int64_t remaining = duration.count();
  if (remaining == 0) return "0ms";
  std::string out;
  if (remaining < 0) {
    out += '-';
    remaining = -remaining;
  }
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    if (remaining >= it->millis) {
      out += fmt::format("{}{}", remaining / it->millis, it->suffix);
      remaining %= it->millis;
    }
  }
  return out;
}

}  // namespace redkit
