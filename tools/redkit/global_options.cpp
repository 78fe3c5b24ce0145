// --redis / $REDIS_URL and --json, shared by all commands.
#include "global_options.hpp"

#include "redkit/error.hpp"
#include "usage_error.hpp"

namespace redkit::cli {

void GlobalOptions::attach(CLI::App& app) {
  // An empty $REDIS_URL is ignored by CLI11, matching ConnectionOptions::from_env.
  redis_option_ = app.add_option("--redis", redis_url_,
                                 "Redis URL: redis://[user[:password]@]host[:port][/db], "
                                 "rediss://... (TLS) or unix:///path/to/redis.sock")
                      ->envname("REDIS_URL")
                      ->type_name("URL")
                      ->capture_default_str();
  app.add_flag("--json", json_, "Print machine-readable JSON on stdout");
}

bool GlobalOptions::redis_url_given() const {
  return redis_option_ != nullptr && redis_option_->count() > 0;
}

redkit::ConnectionOptions GlobalOptions::connection() const {
  try {
    return redkit::ConnectionOptions::from_url(redis_url_);
  } catch (const redkit::InvalidArgument& e) {
    throw UsageError(e.what());
  }
}

}  // namespace redkit::cli
