// The version the library was built as.
#include "redkit/version.hpp"

namespace redkit {

const char* version() noexcept { return REDKIT_VERSION_STRING; }

}  // namespace redkit
