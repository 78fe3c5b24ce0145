// The redis-server command line a RedisProcess runs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "devserver/redis_process.hpp"

namespace redkit::devserver {

// argv (argv[0] = "redis-server") for a server in dir listening on
// 127.0.0.1:port (0: no plain TCP) and on <dir>/redis.sock, with RDB snapshots off and options' AOF
// settings, password and extra arguments.
std::vector<std::string> redis_server_arguments(const RedisProcessOptions& options,
                                                const std::filesystem::path& dir, int port);

}  // namespace redkit::devserver
