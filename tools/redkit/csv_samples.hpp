// Reads "timestamp_ms,value" lines (the format of `redkit ts import`): pure
// text in, samples out, so it is tested without a server.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string_view>
#include <vector>

#include "redkit/ts_types.hpp"

namespace redkit::cli {

// Parses one line. Blank lines and lines starting with '#' give nullopt; so
// does a first line "timestamp,value"-style header of non-numbers. Throws
// redkit::InvalidArgument naming the line number and text otherwise:
// a missing comma, a timestamp that is not an integer in range, a value
// that is not a finite number.
std::optional<ts::Sample> parse_csv_sample(std::string_view line, std::size_t line_number);

// Reads up to `max` samples from `in` into `out` (cleared first), counting
// lines in `line_number`. Returns false at the end of the input.
bool read_csv_batch(std::istream& in, std::size_t max, std::vector<ts::Sample>& out, std::size_t& line_number);

}  // namespace redkit::cli
