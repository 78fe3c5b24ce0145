// The fixture of lock tests: the suite's private server (RedisTest), a client
// and a LockService whose keys live under the test's own prefix.
//
//   class SemaphoreTest : public redkit::test::LockServiceTest {};
//   TEST_F(SemaphoreTest, Grants) { Lock permit = locks().make_semaphore("pool", 3); ... }
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"
#include "support/message_of.hpp"
#include "support/redis_test.hpp"

namespace redkit::test {

class LockServiceTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    client_ = std::make_unique<Client>(redis().url());
    locks_ = std::make_unique<LockService>(*client_, LockServiceOptions{.prefix = prefix(), .owner_label = "test"});
  }
  void TearDown() override {
    locks_.reset();
    client_.reset();
  }
  Client& client() { return *client_; }
  LockService& locks() { return *locks_; }
  // The message of the InvalidArgument that make() throws (message_of.hpp),
  // reachable from tests outside namespace redkit::test.
  template <typename Fn>
  static std::string message_of(Fn&& make) {
    return test::message_of(std::forward<Fn>(make));
  }
  // <prefix>lock:{name}: the holder hash every lock kind's keys hang from.
  std::string holder_key(const std::string& name) const { return prefix() + "lock:{" + name + "}"; }

 private:
  std::unique_ptr<Client> client_;
  std::unique_ptr<LockService> locks_;
};

}  // namespace redkit::test
