// A key prefix unique to the running test, so tests sharing one server never
// see each other's keys and a leftover key names the test that wrote it.
//
//   const std::string prefix = key_prefix();  // "redkit:test:LockTest.Expires:"
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace redkit::test {

// "redkit:test:<Suite>.<Name>:" for the current test, "redkit:test:" outside
// of one (in SetUpTestSuite, say).
inline std::string key_prefix() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "redkit:test:";
  return std::string("redkit:test:") + info->test_suite_name() + "." + info->name() + ":";
}

}  // namespace redkit::test
