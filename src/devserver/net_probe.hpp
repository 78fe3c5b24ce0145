// Loopback socket probes: picking a free port, connecting with a deadline and
// telling whether a Redis server is serving. No Redis client is involved, so
// the launcher works before (and independently of) the redkit library.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "devserver/unique_fd.hpp"

namespace redkit::devserver {

// True when something accepts TCP connections on host:port right now.
bool tcp_port_answers(const std::string& host, int port,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(200));

// A port that was free a moment ago on 127.0.0.1. Another process may take it
// before it is used, which is why RedisProcess retries on a fresh one.
// Throws std::system_error when no socket can be bound.
int pick_free_port();

// A connected blocking socket, or an empty UniqueFd when nothing accepted the
// connection within timeout (errno then tells why).
UniqueFd connect_tcp(const std::string& host, int port, std::chrono::milliseconds timeout);
UniqueFd connect_unix(const std::filesystem::path& socket, std::chrono::milliseconds timeout);

// True when a server on the unix socket answers a raw RESP PING within
// timeout and has its dataset loaded. -LOADING means "not yet"; any other
// error (-NOAUTH when the default user is locked by ACL rules, say) still
// proves the server is serving. With a password, AUTH is sent first, so that
// a protected server's loading state is visible too.
bool unix_socket_answers_ping(const std::filesystem::path& socket, std::chrono::milliseconds timeout,
                              const std::string& password = {});

}  // namespace redkit::devserver
