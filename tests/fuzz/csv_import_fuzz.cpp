// The line reader of `redkit ts import`. Its input is whatever file a user
// pipes in, so on any bytes it must return samples or throw
// redkit::InvalidArgument. Every sample it returns must be storable (a
// timestamp within the series range, a finite value), the batch reader must
// agree with parsing line by line, and a sample written back as
// "timestamp,value" must read back bit for bit.
//
// Input: the first byte is the batch size; the rest is the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "csv_samples.hpp"
#include "redkit/error.hpp"

namespace {

using redkit::ts::Sample;

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(const Sample& a, const Sample& b) {
  return a.timestamp == b.timestamp && std::memcmp(&a.value, &b.value, sizeof(double)) == 0;
}

void check_sample(const Sample& sample) {
  check(sample.timestamp >= redkit::ts::kMinTimestamp && sample.timestamp <= redkit::ts::kMaxTimestamp);
  check(std::isfinite(sample.value));
  // fmt's "{}" is the shortest text that reads back as the same double.
  const std::string line = fmt::format("{},{}", sample.timestamp, sample.value);
  const std::optional<Sample> again = redkit::cli::parse_csv_sample(line, 2);
  check(again.has_value() && same(*again, sample));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t batch = static_cast<std::size_t>(data[0] % 8) + 1;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

  // Line by line, as std::getline splits them.
  std::vector<Sample> by_line;
  bool line_failed = false;
  std::size_t start = 0;
  for (std::size_t number = 1; start < text.size(); ++number) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    try {
      if (auto sample = redkit::cli::parse_csv_sample(std::string_view(text).substr(start, end - start), number)) {
        check_sample(*sample);
        by_line.push_back(*sample);
      }
    } catch (const redkit::InvalidArgument&) {
      line_failed = true;
      break;
    }
    start = end + 1;
  }

  std::istringstream in(text);
  std::vector<Sample> batched;
  std::vector<Sample> out;
  std::size_t line_number = 0;
  bool batch_failed = false;
  try {
    bool more = true;
    while (more) {
      more = redkit::cli::read_csv_batch(in, batch, out, line_number);
      check(out.size() <= batch);
      batched.insert(batched.end(), out.begin(), out.end());
    }
  } catch (const redkit::InvalidArgument&) {
    batch_failed = true;
  }
  check(batch_failed == line_failed);
  // A failing batch returns none of its samples, so only whole reads compare.
  if (line_failed) return 0;
  check(batched.size() == by_line.size());
  for (std::size_t i = 0; i < batched.size(); ++i) check(same(batched[i], by_line[i]));
  return 0;
}
