// Options every redkit command accepts: where Redis is (--redis, $REDIS_URL)
// and whether to print JSON (--json).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "redkit/options.hpp"

namespace redkit::cli {

inline constexpr const char* kDefaultRedisUrl = "redis://127.0.0.1:6379";

class GlobalOptions {
 public:
  // Adds --redis and --json to the top-level app. Call once, before parsing.
  void attach(CLI::App& app);

  bool json() const noexcept { return json_; }
  const std::string& redis_url() const noexcept { return redis_url_; }
  // True when the URL came from --redis or $REDIS_URL rather than the
  // built-in default; `redkit demo` only starts a private server otherwise.
  bool redis_url_given() const;

  // The parsed URL. Throws UsageError, with the parser's message naming the
  // URL, when it is malformed: a typo on the command line is a usage error.
  redkit::ConnectionOptions connection() const;

 private:
  std::string redis_url_ = kDefaultRedisUrl;
  bool json_ = false;
  // Owned by the app; kept to ask after parsing whether a value was given.
  const CLI::Option* redis_option_ = nullptr;
};

}  // namespace redkit::cli
