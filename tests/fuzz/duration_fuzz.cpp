// Duration parsing and formatting. parse_duration reads user input (command
// line options, URL query values), so on any text it must return a
// non-negative duration or throw redkit::InvalidArgument. What it accepts must
// follow the documented grammar (a number without a unit stands alone), and
// format_duration's output must parse back to the same value.
//
// Input: the whole input is parsed as text; its first 8 bytes (little endian)
// are also formatted as a number of milliseconds.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "redkit/duration.hpp"
#include "redkit/error.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool all_digits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void check_format(std::chrono::milliseconds duration) {
  const std::string text = redkit::format_duration(duration);
  check(!text.empty());
  if (duration.count() < 0) {
    check(text.front() == '-');
    return;
  }
  check(redkit::parse_duration(text) == duration);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const std::chrono::milliseconds parsed = redkit::parse_duration(text);
    check(parsed.count() >= 0);
    // A text that ends in a digit has a number without unit, which must be
    // the whole text.
    if (!text.empty() && text.back() >= '0' && text.back() <= '9') check(all_digits(text));
    check_format(parsed);
  } catch (const redkit::InvalidArgument&) {
  }

  if (size >= 8) {
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= std::uint64_t{data[i]} << (8 * i);
    check_format(std::chrono::milliseconds(static_cast<std::int64_t>(bits)));
  }
  return 0;
}
