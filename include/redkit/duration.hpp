// redkit/duration.hpp — durations as users write them: "250ms", "30s", "5m",
// "24h", "7d", or a bare number of milliseconds.
//
//   auto ttl = redkit::parse_duration("30s");   // std::chrono::milliseconds{30000}
//   redkit::format_duration(ttl);               // "30s"
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace redkit {

// Parses a non-negative duration: digits followed by one of ms, s, m, h, d, or
// no unit (milliseconds). Compound forms ("1h30m") are accepted. Throws
// InvalidArgument naming the text when it is empty, malformed, negative or
// does not fit in 64-bit milliseconds.
std::chrono::milliseconds parse_duration(std::string_view text);

// The shortest exact rendering in the units above ("90s" -> "1m30s").
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace redkit
