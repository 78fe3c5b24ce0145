#include "csv_samples.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::cli {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool parses_whole(std::string_view text, auto& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ts::Sample> parse_csv_sample(std::string_view line, std::size_t line_number) {
  const std::string_view text = trim(line);
  if (text.empty() || text.front() == '#') {
    return std::nullopt;
  }
  const auto comma = text.find(',');
  if (comma == std::string_view::npos) {
    throw InvalidArgument(fmt::format("line {}: '{}' is not 'timestamp_ms,value'", line_number, text));
  }
  const std::string_view timestamp_text = trim(text.substr(0, comma));
  const std::string_view value_text = trim(text.substr(comma + 1));
  ts::Sample sample;
  const bool timestamp_ok = parses_whole(timestamp_text, sample.timestamp);
  const bool value_ok = parses_whole(value_text, sample.value);
  if (line_number == 1 && !timestamp_ok && !value_ok) {
    return std::nullopt;  // a header line
  }
  if (!timestamp_ok || sample.timestamp < ts::kMinTimestamp || sample.timestamp > ts::kMaxTimestamp) {
    throw InvalidArgument(
        fmt::format("line {}: timestamp '{}' is not an integer number of milliseconds in range", line_number,
                    timestamp_text));
  }
  if (!value_ok || !std::isfinite(sample.value)) {
    throw InvalidArgument(fmt::format("line {}: value '{}' is not a finite number", line_number, value_text));
  }
  return sample;
}

bool read_csv_batch(std::istream& in, std::size_t max, std::vector<ts::Sample>& out, std::size_t& line_number) {
  out.clear();
  std::string line;
  while (out.size() < max) {
    if (!std::getline(in, line)) {
      return false;
    }
    ++line_number;
    if (auto sample = parse_csv_sample(line, line_number)) {
      out.push_back(*sample);
    }
  }
  return true;
}

}  // namespace redkit::cli
