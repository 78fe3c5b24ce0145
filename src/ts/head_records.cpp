#include "ts/head_records.hpp"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::ts::detail {

static_assert(std::endian::native == std::endian::little,
              "the head format is little-endian; a big-endian host needs byte swaps here");
static_assert(sizeof(Timestamp) == 8 && sizeof(double) == 8);

void append_record(const Sample& sample, std::string& out) {
  char bytes[kRecordBytes];
  std::memcpy(bytes, &sample.timestamp, 8);
  std::memcpy(bytes + 8, &sample.value, 8);
  out.append(bytes, kRecordBytes);
}

std::string encode_records(std::span<const Sample> samples) {
  std::string out;
  out.reserve(samples.size() * kRecordBytes);
  for (const Sample& sample : samples) {
    append_record(sample, out);
  }
  return out;
}

void decode_records(std::string_view head, Timestamp from, Timestamp to, std::vector<Sample>& out) {
  if (head.size() % kRecordBytes != 0) {
    throw ProtocolError(fmt::format("time-series head of {} bytes is not a whole number of records", head.size()));
  }
  for (std::size_t offset = 0; offset < head.size(); offset += kRecordBytes) {
    Sample sample;
    std::memcpy(&sample.timestamp, head.data() + offset, 8);
    std::memcpy(&sample.value, head.data() + offset + 8, 8);
    if (sample.timestamp > to) {
      break;
    }
    if (sample.timestamp >= from) {
      out.push_back(sample);
    }
  }
}

}  // namespace redkit::ts::detail
