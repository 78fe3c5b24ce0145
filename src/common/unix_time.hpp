// The wall clock as Unix milliseconds: the time base of series samples,
// alert evaluations and notification times.
#pragma once

#include <chrono>
#include <cstdint>

namespace redkit::detail {

inline std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace redkit::detail
