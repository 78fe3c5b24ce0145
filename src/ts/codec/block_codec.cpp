#include "ts/codec/block_codec.hpp"

#include <algorithm>
#include <bit>
#include <compare>
#include <cstring>
#include <iterator>

#include <fmt/format.h>

#include "redkit/error.hpp"
#include "ts/codec/bit_reader.hpp"
#include "ts/codec/bit_writer.hpp"
#include "ts/codec/decimal_values.hpp"
#include "ts/codec/rice_coder.hpp"
#include "ts/codec/timestamp_stream.hpp"
#include "ts/codec/varint.hpp"
#include "ts/codec/xor_values.hpp"

namespace redkit::ts::detail {
namespace {

constexpr unsigned kModeDecimalDelta = 0;
constexpr unsigned kModeDecimalDod = 1;
constexpr unsigned kModeXor = 2;
constexpr unsigned kTimestampsAboveMinimum = 0x80;

// Reused across calls so that encoding a block allocates nothing once warm.
struct EncodeScratch {
  TimestampStream timestamps;
  std::vector<std::int64_t> mantissas;
  DecimalStream decimal;
  std::string body;
};

void check_samples(std::span<const Sample> samples) {
  if (samples.empty() || samples.size() > kMaxBlockSamples) {
    throw InvalidArgument(fmt::format("time-series block of {} samples: a block holds 1 to {} samples", samples.size(),
                                      kMaxBlockSamples));
  }
  for (std::size_t i = 1; i < samples.size(); ++i) {
    if (samples[i].timestamp <= samples[i - 1].timestamp) {
      throw InvalidArgument(fmt::format(
          "time-series block: timestamp {} at index {} does not follow {} (timestamps must strictly increase)",
          samples[i].timestamp, i, samples[i - 1].timestamp));
    }
  }
}

std::uint64_t as_bits(std::int64_t v) noexcept { return static_cast<std::uint64_t>(v); }

struct Header {
  BlockInfo info;
  std::size_t fields_end = 0;  // first byte after the timestamp span
  std::size_t end = 0;         // one past the block's last byte
};

[[noreturn]] void malformed(std::size_t offset, std::string_view what) {
  throw ProtocolError(fmt::format("time-series block at offset {}: {}", offset, what));
}

Header read_header(std::string_view chunk, std::size_t pos) {
  Header h;
  h.info.offset = pos;
  const auto version = static_cast<unsigned char>(chunk[pos++]);
  if (version != kBlockFormatVersion) malformed(h.info.offset, fmt::format("unknown format version {}", version));
  const std::uint64_t body_size = get_varint(chunk, pos, "size");
  if (body_size > chunk.size() - pos) {
    malformed(h.info.offset, fmt::format("body of {} bytes but only {} remain", body_size, chunk.size() - pos));
  }
  h.end = pos + body_size;
  h.info.size = h.end - h.info.offset;
  const std::string_view block = chunk.substr(0, h.end);
  const std::uint64_t count = get_varint(block, pos, "count");
  if (count == 0 || count > kMaxBlockSamples) malformed(h.info.offset, fmt::format("count {} out of range", count));
  const std::uint64_t first = zigzag_decode(get_varint(block, pos, "first timestamp"));
  const std::uint64_t span = get_varint(block, pos, "timestamp span");
  const std::uint64_t last = first + span;
  const bool span_ok =
      count == 1 ? span == 0 : span >= count - 1 && static_cast<std::int64_t>(last) > static_cast<std::int64_t>(first);
  if (!span_ok) malformed(h.info.offset, fmt::format("timestamp span {} impossible for {} samples", span, count));
  h.info.count = static_cast<std::uint32_t>(count);
  h.info.first_timestamp = static_cast<std::int64_t>(first);
  h.info.last_timestamp = static_cast<std::int64_t>(last);
  h.fields_end = pos;
  return h;
}

std::uint64_t load_le64(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

void store_le64(std::string& out, std::uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  char bytes[8];
  std::memcpy(bytes, &v, 8);
  out.append(bytes, 8);
}

// Columns of one block while it decodes: the timestamp and value streams
// follow each other in the block, and writing each Sample once, from these
// cache-resident columns, halves the memory traffic of large decodes.
struct DecodeScratch {
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

// The scratch columns read as Samples, so that vector::insert appends a block
// in one pass without zero-filling first.
class ColumnIterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = Sample;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = Sample;

  ColumnIterator(const DecodeScratch& columns, std::size_t i) noexcept
      : timestamps_(columns.timestamps.data()), values_(columns.values.data()), i_(static_cast<difference_type>(i)) {}

  Sample operator*() const noexcept { return Sample{.timestamp = timestamps_[i_], .value = values_[i_]}; }
  Sample operator[](difference_type d) const noexcept { return *(*this + d); }
  ColumnIterator& operator++() noexcept {
    ++i_;
    return *this;
  }
  ColumnIterator operator++(int) noexcept {
    ColumnIterator old = *this;
    ++i_;
    return old;
  }
  ColumnIterator& operator--() noexcept {
    --i_;
    return *this;
  }
  ColumnIterator operator--(int) noexcept {
    ColumnIterator old = *this;
    --i_;
    return old;
  }
  ColumnIterator& operator+=(difference_type d) noexcept {
    i_ += d;
    return *this;
  }
  ColumnIterator& operator-=(difference_type d) noexcept {
    i_ -= d;
    return *this;
  }
  friend ColumnIterator operator+(ColumnIterator it, difference_type d) noexcept { return it += d; }
  friend ColumnIterator operator+(difference_type d, ColumnIterator it) noexcept { return it += d; }
  friend ColumnIterator operator-(ColumnIterator it, difference_type d) noexcept { return it -= d; }
  friend difference_type operator-(const ColumnIterator& a, const ColumnIterator& b) noexcept { return a.i_ - b.i_; }
  friend bool operator==(const ColumnIterator& a, const ColumnIterator& b) noexcept { return a.i_ == b.i_; }
  friend auto operator<=>(const ColumnIterator& a, const ColumnIterator& b) noexcept { return a.i_ <=> b.i_; }

 private:
  const std::int64_t* timestamps_;
  const double* values_;
  difference_type i_;
};

// Decodes the block of `h` into the thread's scratch columns and checks it.
const DecodeScratch& decode_columns(std::string_view chunk, const Header& h) {
  const std::string_view block = chunk.substr(0, h.end);
  const std::size_t n = h.info.count;
  std::size_t pos = h.fields_end;
  if (pos >= h.end) malformed(h.info.offset, "truncated before its value coding");
  const auto coding = static_cast<unsigned char>(block[pos++]);
  const bool timestamps_above_minimum = (coding & kTimestampsAboveMinimum) != 0;
  const unsigned mode = (coding >> 4) & 7u;
  const unsigned scale = coding & 15u;
  std::uint64_t first_mantissa = 0;
  std::uint64_t first_mantissa_delta = 0;
  std::uint64_t first_value_bits = 0;
  if (mode == kModeDecimalDelta || mode == kModeDecimalDod) {
    first_mantissa = zigzag_decode(get_varint(block, pos, "first mantissa"));
    if (mode == kModeDecimalDod && n >= 2)
      first_mantissa_delta = zigzag_decode(get_varint(block, pos, "mantissa delta"));
  } else if (mode == kModeXor && scale == 0) {
    if (h.end - pos < 8) malformed(h.info.offset, "truncated in its first value");
    first_value_bits = load_le64(block.data() + pos);
    pos += 8;
  } else {
    malformed(h.info.offset, fmt::format("unknown value coding {:#04x}", coding));
  }
  const std::uint64_t timestamp_delta = n >= 2 ? get_varint(block, pos, "timestamp delta") : 0;

  thread_local DecodeScratch scratch;
  if (scratch.timestamps.size() < n) {
    scratch.timestamps.resize(n);
    scratch.values.resize(n);
  }
  std::int64_t* timestamps = scratch.timestamps.data();
  double* values = scratch.values.data();
  const auto* bytes = reinterpret_cast<const unsigned char*>(block.data());
  BitReader in(bytes + pos, bytes + h.end);
  const bool increasing = read_timestamps(
      in, timestamps_above_minimum, static_cast<std::uint64_t>(h.info.first_timestamp), timestamp_delta, timestamps, n);
  if (mode == kModeXor) {
    read_xor_values(in, first_value_bits, values, n);
  } else {
    read_decimal_values(in, mode == kModeDecimalDod, scale, first_mantissa, first_mantissa_delta, values, n);
  }

  const std::uint64_t consumed = in.bits_consumed();
  if (consumed > in.bits_total()) malformed(h.info.offset, "bit stream truncated");
  if (in.bits_total() - consumed >= 8) malformed(h.info.offset, "trailing bytes after its bit stream");
  if (!increasing || timestamps[n - 1] != h.info.last_timestamp) {
    malformed(h.info.offset, "decoded timestamps disagree with its header");
  }
  return scratch;
}

// Decodes the block of `h` onto the end of `out`; on failure `out` is as before.
void append_block(std::string_view chunk, const Header& h, std::vector<Sample>& out) {
  const DecodeScratch& columns = decode_columns(chunk, h);
  out.insert(out.end(), ColumnIterator(columns, 0), ColumnIterator(columns, h.info.count));
}

}  // namespace

void encode_block(std::span<const Sample> samples, std::string& out) {
  check_samples(samples);
  thread_local EncodeScratch scratch;
  const std::size_t n = samples.size();

  if (n >= 2) plan_timestamp_stream(samples, scratch.timestamps);

  unsigned scale = 0;
  const bool decimal = find_decimal_mantissas(samples, scale, scratch.mantissas);
  bool use_xor = !decimal;
  if (decimal) {
    plan_decimal_stream(scratch.mantissas, scratch.decimal);
    const std::uint64_t decimal_bits =
        scratch.decimal.bits + 8 * varint_size(zigzag_encode(as_bits(scratch.mantissas[0])));
    // XOR also stores the first value in 64 bits.
    if (decimal_bits > 64 && !xor_exceeds(samples, decimal_bits - 64)) {
      BitCounter counter;
      write_xor_values(samples, counter);
      use_xor = counter.bits() + 64 < decimal_bits;
    }
  }

  std::string& body = scratch.body;
  body.clear();
  put_varint(body, n);
  put_varint(body, zigzag_encode(as_bits(samples[0].timestamp)));
  put_varint(body, as_bits(samples[n - 1].timestamp) - as_bits(samples[0].timestamp));
  const unsigned timestamp_flag = n >= 2 && scratch.timestamps.above_minimum ? kTimestampsAboveMinimum : 0;
  if (use_xor) {
    body.push_back(static_cast<char>(timestamp_flag | (kModeXor << 4)));
    store_le64(body, std::bit_cast<std::uint64_t>(samples[0].value));
  } else {
    const unsigned mode = scratch.decimal.delta_of_delta ? kModeDecimalDod : kModeDecimalDelta;
    body.push_back(static_cast<char>(timestamp_flag | (mode << 4) | scale));
    put_varint(body, zigzag_encode(as_bits(scratch.mantissas[0])));
    if (scratch.decimal.delta_of_delta) put_varint(body, zigzag_encode(scratch.decimal.first_delta));
  }
  if (n >= 2) put_varint(body, scratch.timestamps.header_delta);

  BitWriter bits(body);
  if (n >= 2) write_rice_groups(scratch.timestamps.values(), scratch.timestamps.groups(), bits);
  if (use_xor) {
    write_xor_values(samples, bits);
  } else {
    write_rice_groups(scratch.decimal.values(), scratch.decimal.groups(), bits);
  }
  bits.finish();

  out.push_back(static_cast<char>(kBlockFormatVersion));
  put_varint(out, body.size());
  out.append(body);
}

std::vector<BlockInfo> scan_blocks(std::string_view chunk) {
  std::vector<BlockInfo> blocks;
  for (std::size_t pos = 0; pos < chunk.size();) {
    const Header h = read_header(chunk, pos);
    blocks.push_back(h.info);
    pos = h.end;
  }
  return blocks;
}

void decode_blocks(std::string_view chunk, std::vector<Sample>& out) {
  for (std::size_t pos = 0; pos < chunk.size();) {
    const Header h = read_header(chunk, pos);
    append_block(chunk, h, out);
    pos = h.end;
  }
}

void decode_blocks_range(std::string_view chunk, std::int64_t from, std::int64_t to, std::vector<Sample>& out) {
  if (from > to) {
    scan_blocks(chunk);  // still reports malformed headers, as for any range
    return;
  }
  for (std::size_t pos = 0; pos < chunk.size();) {
    const Header h = read_header(chunk, pos);
    pos = h.end;
    if (h.info.last_timestamp < from || h.info.first_timestamp > to) continue;
    const std::size_t old_size = out.size();
    append_block(chunk, h, out);
    if (h.info.first_timestamp >= from && h.info.last_timestamp <= to) continue;
    // Timestamps of a decoded block strictly increase, so the range is one run.
    const auto begin = out.begin() + static_cast<std::ptrdiff_t>(old_size);
    const auto lo =
        std::lower_bound(begin, out.end(), from, [](const Sample& s, std::int64_t t) { return s.timestamp < t; });
    const auto hi =
        std::upper_bound(lo, out.end(), to, [](std::int64_t t, const Sample& s) { return t < s.timestamp; });
    out.erase(hi, out.end());
    out.erase(begin, lo);
  }
}

void decode_block(std::string_view chunk, const BlockInfo& info, Sample* dst) {
  if (info.offset >= chunk.size()) malformed(info.offset, "offset past the end of the chunk");
  const Header h = read_header(chunk, info.offset);
  if (h.info.count != info.count || h.info.size != info.size)
    malformed(info.offset, "header differs from the one scanned");
  const DecodeScratch& columns = decode_columns(chunk, h);
  for (std::size_t i = 0; i < h.info.count; ++i) {
    dst[i] = Sample{.timestamp = columns.timestamps[i], .value = columns.values[i]};
  }
}

}  // namespace redkit::ts::detail
