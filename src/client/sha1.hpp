// SHA1 as lower-case hex, the form Redis uses to name scripts.
#pragma once

#include <string>
#include <string_view>

namespace redkit::detail {

std::string sha1_hex(std::string_view bytes);

}  // namespace redkit::detail
