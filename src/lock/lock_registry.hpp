// Reading the registry: the holder hashes, read-write readers and semaphore
// permits of one key prefix, found with SCAN and read in pipelined batches.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/lock_registry.hpp"

namespace redkit::detail {

std::vector<LockInfo> list_locks(const Client& client, const std::string& prefix);
std::optional<LockInfo> lock_info(const Client& client, const std::string& prefix, const std::string& name);
// Everyone holding `name`: the holder hash's owner first, then readers and
// permits by fence.
std::vector<LockInfo> lock_holders(const Client& client, const std::string& prefix, const std::string& name);
bool force_release_lock(const Client& client, const std::string& prefix, const std::string& name);

}  // namespace redkit::detail
