// BitReader: reads the bits a BitWriter wrote, most significant first, from a
// byte range it never reads outside of.
//
// A 64-bit buffer holds the next 56 to 63 bits after refill(), loaded with one
// unaligned 8-byte read while 8 bytes remain, so a symbol of up to 56 bits is
// peeked, decoded with std::countl_zero and consumed without per-bit loops.
// Near the end bytes are loaded one at a time and, past the end, zero bits are
// supplied; the caller compares bits_consumed() with bits_total() once at the
// end of a stream to detect truncated input instead of checking every read.
//
// Thread-safety: none; one reader per decoding.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace redkit::ts::detail {

class BitReader {
 public:
  BitReader(const unsigned char* begin, const unsigned char* end) noexcept : begin_(begin), next_(begin), end_(end) {}

  // Afterwards available() >= 56.
  void refill() noexcept {
    if (end_ - next_ >= 8) {
      std::uint64_t word;
      __builtin_memcpy(&word, next_, 8);
      if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap64(word);
      // Bits below `avail_` already in the buffer are the same bits again.
      buf_ |= word >> avail_;
      next_ += (63 - avail_) >> 3;
      avail_ |= 56;
    } else {
      refill_slow();
    }
  }

  unsigned available() const noexcept { return avail_; }
  // The buffered bits, the next one in the most significant position.
  std::uint64_t peek() const noexcept { return buf_; }
  // Drops `n` bits; n <= available(), n < 64.
  void consume(unsigned n) noexcept {
    buf_ <<= n;
    avail_ -= n;
  }

  // The next `n` bits (0 <= n <= 64) as an integer.
  std::uint64_t read(unsigned n) noexcept {
    if (n > 56) {
      const std::uint64_t high = read(n - 32);
      return (high << 32) | read(32);
    }
    if (avail_ < n) refill();
    const std::uint64_t v = (buf_ >> (63 - n)) >> 1;
    consume(n);
    return v;
  }

  // Bits read so far, counting zero bits supplied past the end.
  std::uint64_t bits_consumed() const noexcept {
    return (static_cast<std::uint64_t>(next_ - begin_) + phantom_bytes_) * 8 - avail_;
  }
  std::uint64_t bits_total() const noexcept { return static_cast<std::uint64_t>(end_ - begin_) * 8; }

 private:
  void refill_slow() noexcept {
    while (avail_ <= 56) {
      std::uint64_t byte = 0;
      if (next_ < end_) {
        byte = *next_++;
      } else {
        ++phantom_bytes_;
      }
      buf_ |= byte << (56 - avail_);
      avail_ += 8;
    }
  }

  const unsigned char* begin_;
  const unsigned char* next_;  // first byte not yet loaded into buf_
  const unsigned char* end_;
  std::uint64_t buf_ = 0;  // left-aligned; bits below avail_ are either zero or the correct next bits
  unsigned avail_ = 0;
  std::uint64_t phantom_bytes_ = 0;
};

}  // namespace redkit::ts::detail
