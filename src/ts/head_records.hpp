// The head's record format, shared with the Lua scripts: 16 bytes per sample,
// the timestamp as a little-endian int64 and the value as a little-endian
// IEEE double, timestamps strictly increasing.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ts/sample.hpp"

namespace redkit::ts::detail {

inline constexpr std::size_t kRecordBytes = 16;

void append_record(const Sample& sample, std::string& out);
std::string encode_records(std::span<const Sample> samples);
// Appends the records of `head` with from <= timestamp <= to to out. Throws
// ProtocolError when the length is not a multiple of 16.
void decode_records(std::string_view head, Timestamp from, Timestamp to, std::vector<Sample>& out);

}  // namespace redkit::ts::detail
