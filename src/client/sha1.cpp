// SHA1 through OpenSSL's EVP interface (the low-level SHA1() is deprecated in
// OpenSSL 3).
#include "client/sha1.hpp"

#include <openssl/evp.h>

#include "redkit/error.hpp"

namespace redkit::detail {

std::string sha1_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    throw Error("OpenSSL could not compute SHA1");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(length * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace redkit::detail
