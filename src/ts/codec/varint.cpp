#include "ts/codec/varint.hpp"

#include <fmt/format.h>

namespace redkit::ts::detail {

std::uint64_t get_varint(std::string_view data, std::size_t& pos, const char* what) {
  std::uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (pos >= data.size()) throw ProtocolError(fmt::format("time-series block truncated in its {}", what));
    const auto byte = static_cast<unsigned char>(data[pos++]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) break;
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  throw ProtocolError(fmt::format("time-series block has an oversized varint in its {}", what));
}

}  // namespace redkit::ts::detail
