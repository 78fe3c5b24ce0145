// Turning option text into values the library takes, shared by the CLI's
// commands: a value the library refuses becomes a usage error (exit status
// 2) that names the option.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "redkit/duration.hpp"
#include "redkit/error.hpp"
#include "usage_error.hpp"

namespace redkit::cli {

// "250ms", "30s", "1h", ... as parse_duration reads them.
inline std::chrono::milliseconds duration_option(const std::string& text, std::string_view option) {
  try {
    return parse_duration(text);
  } catch (const InvalidArgument& e) {
    throw UsageError(fmt::format("{}: {}", option, e.what()));
  }
}

}  // namespace redkit::cli
