// Facts about the connected server that several commands print.
#pragma once

#include <string>

#include "redkit/client.hpp"

namespace redkit::cli {

// The `redis_version:` field of INFO server, or "unknown" when the server
// (or a proxy in front of it) does not report one. Throws as Client::command.
std::string redis_version(const redkit::Client& client);

}  // namespace redkit::cli
