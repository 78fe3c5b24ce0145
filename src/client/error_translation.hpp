// The one place where low-level failures (errno values, OpenSSL errors, error
// replies) become redkit exceptions, so every message has the same shape:
// "<what failed> <endpoint>: <reason>".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace redkit::detail {

// The actions errors name, shared by the stream and the connection so one
// failure reads the same wherever it is caught.
inline constexpr std::string_view kWriteAction = "cannot send to";
inline constexpr std::string_view kReplyAction = "no reply from";

[[noreturn]] void throw_system_error(const std::string& endpoint, std::string_view action, int error_number);
[[noreturn]] void throw_timeout(const std::string& endpoint, std::string_view action,
                                std::chrono::milliseconds timeout);
[[noreturn]] void throw_connection_closed(const std::string& endpoint, std::string_view action);
// Drains OpenSSL's error queue into the message.
[[noreturn]] void throw_tls_error(const std::string& endpoint, std::string_view action, std::string detail = {});
std::string openssl_error_queue();

}  // namespace redkit::detail
