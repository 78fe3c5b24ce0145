// BitWriter appends bits, most significant first, to a std::string; BitCounter
// has the same interface and only counts, so a coder written once as a
// template can both measure a candidate encoding and produce it.
//
// Thread-safety: none; one writer per encoding.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

namespace redkit::ts::detail {

class BitWriter {
 public:
  explicit BitWriter(std::string& out) noexcept : out_(out) {}

  // Appends the low `n` bits of `v` (0 <= n <= 64; bits of `v` above n must be zero).
  [[gnu::always_inline]] void write(std::uint64_t v, unsigned n) {
    if (n < 64 - used_) {
      // `n` may be 0 only on this path; `acc_ << 0` is fine.
      acc_ = (acc_ << n) | v;
      used_ += n;
      return;
    }
    // Fill the accumulator up to 64 bits, flush it, keep the rest of `v`.
    const unsigned rest = n - (64 - used_);
    const std::uint64_t word = ((acc_ << (63 - used_)) << 1) | (v >> rest);
    put_word(word);
    acc_ = rest == 0 ? 0 : v & ((std::uint64_t{1} << rest) - 1);
    used_ = rest;
  }

  // `n` zero bits, any n.
  void write_zeros(unsigned n) {
    while (n > 64) {
      write(0, 64);
      n -= 64;
    }
    write(0, n);
  }

  // Pads the last byte with zero bits and appends it. Write nothing afterwards.
  void finish() {
    while (used_ >= 8) {
      used_ -= 8;
      out_.push_back(static_cast<char>(acc_ >> used_));
    }
    if (used_ > 0) out_.push_back(static_cast<char>(acc_ << (8 - used_)));
    acc_ = 0;
    used_ = 0;
  }

 private:
  void put_word(std::uint64_t word) {
    if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap64(word);
    char bytes[8];
    __builtin_memcpy(bytes, &word, 8);
    out_.append(bytes, 8);
  }

  std::string& out_;
  std::uint64_t acc_ = 0;  // the last `used_` bits written, right-aligned
  unsigned used_ = 0;      // 0..63
};

class BitCounter {
 public:
  void write(std::uint64_t /*v*/, unsigned n) noexcept { bits_ += n; }
  void write_zeros(unsigned n) noexcept { bits_ += n; }
  std::uint64_t bits() const noexcept { return bits_; }

 private:
  std::uint64_t bits_ = 0;
};

}  // namespace redkit::ts::detail
