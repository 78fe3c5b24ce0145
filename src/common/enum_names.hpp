// Enums spelled as words: a table of (value, name) pairs gives both
// directions, and parsing names every accepted word when it fails.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::detail {

template <typename Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, const char*>, N>;

template <typename Enum, std::size_t N>
const char* name_of(const EnumNames<Enum, N>& table, Enum value) noexcept {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) {
      return name;
    }
  }
  return "unknown";
}

// Any case. Throws InvalidArgument: "unknown WHAT 'TEXT' (expected one of: ...)".
template <typename Enum, std::size_t N>
Enum parse_name(const EnumNames<Enum, N>& table, std::string_view text, const char* what) {
  std::string wanted(text);
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string known;
  for (const auto& [value, name] : table) {
    if (wanted == name) {
      return value;
    }
    known += known.empty() ? name : fmt::format(", {}", name);
  }
  throw InvalidArgument(fmt::format("unknown {} '{}' (expected one of: {})", what, text, known));
}

}  // namespace redkit::detail
