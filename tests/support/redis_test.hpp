// The fixture for integration tests against a real server: one private
// redis-server per test suite, tests kept apart by a per-test key prefix.
//
//   class LockTest : public redkit::test::RedisTest {};
//   TEST_F(LockTest, Acquires) {
//     redkit::Client client(redis().unix_url());
//     client.command({"SET", prefix() + "k", "v"});
//   }
//
// A test may stop, kill or pause the server: the next test's SetUp brings it
// back. Suites that override SetUp / SetUpTestSuite / TearDownTestSuite call
// the RedisTest versions first.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/key_prefix.hpp"
#include "support/redis_server.hpp"

namespace redkit::test {

class RedisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  // The suite's server. Valid between SetUp and TearDownTestSuite.
  static RedisProcess& redis();
  // key_prefix() of the current test.
  const std::string& prefix() const noexcept { return prefix_; }

 private:
  std::string prefix_ = key_prefix();
};

}  // namespace redkit::test
