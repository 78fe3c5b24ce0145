// The per-suite server fixture; see redis_test.hpp.
#include "support/redis_test.hpp"

#include <exception>

namespace redkit::test {
namespace {

// Suites run one after another, so one slot serves them all in turn.
std::unique_ptr<RedisProcess>& suite_server() {
  static std::unique_ptr<RedisProcess> server;
  return server;
}

std::string& suite_start_error() {
  static std::string error;
  return error;
}

}  // namespace

void RedisTest::SetUpTestSuite() {
  suite_start_error().clear();
  try {
    suite_server() = start_redis();
  } catch (const std::exception& error) {
    suite_start_error() = error.what();
  }
}

void RedisTest::TearDownTestSuite() { suite_server().reset(); }

void RedisTest::SetUp() {
  ASSERT_TRUE(suite_server() != nullptr) << "the suite's redis-server did not start: " << suite_start_error();
  RedisProcess& server = *suite_server();
  if (server.paused()) server.resume();
  if (!server.running()) server.start();
}

RedisProcess& RedisTest::redis() { return *suite_server(); }

}  // namespace redkit::test
