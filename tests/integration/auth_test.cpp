// AUTH: requirepass and ACL users, right and wrong credentials.
#include <gtest/gtest.h>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "support/redis_server.hpp"

namespace redkit {
namespace {

using test::RedisProcessOptions;

std::string error_of(const Client& client) {
  try {
    client.command({"PING"});
  } catch (const AuthError& e) {
    return e.what();
  }
  return "no AuthError";
}

std::string with_credentials(const std::string& url, const std::string& userinfo) {
  return "redis://" + userinfo + "@" + url.substr(std::string("redis://").size());
}

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RedisProcessOptions options;
    options.requirepass = "default-secret";
    test::add_acl_user(options, "app", "app-secret", {"~app:*", "+@all"});
    server_ = test::start_redis(options).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static devserver::RedisProcess* server_;
};

devserver::RedisProcess* AuthTest::server_ = nullptr;

TEST_F(AuthTest, RequirepassWithRightPassword) {
  Client client(with_credentials(server_->url(), ":default-secret"));
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
}

TEST_F(AuthTest, WrongPasswordIsAnAuthErrorNamingTheUser) {
  Client client(with_credentials(server_->url(), ":nope"));
  std::string message = error_of(client);
  EXPECT_NE(message.find("authentication as the default user failed"), std::string::npos) << message;
  EXPECT_NE(message.find("WRONGPASS"), std::string::npos) << message;
  EXPECT_EQ(message.find("nope"), std::string::npos) << message;
}

TEST_F(AuthTest, MissingPasswordSaysOneIsRequired) {
  Client client(server_->url());
  std::string message = error_of(client);
  EXPECT_NE(message.find("requires a password"), std::string::npos) << message;
}

TEST_F(AuthTest, AclUserWithPasswordAndItsPermissions) {
  Client client(with_credentials(server_->url(), "app:app-secret"));
  client.command({"SET", "app:k", "v"});
  EXPECT_EQ(client.command({"ACL", "WHOAMI"}).as_string(), "app");
  try {
    client.command({"SET", "other:k", "v"});
    FAIL() << "ACL did not apply";
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), "NOPERM");
  }
}

TEST_F(AuthTest, AclUserWithWrongPassword) {
  Client client(with_credentials(server_->url(), "app:wrong"));
  std::string message = error_of(client);
  EXPECT_NE(message.find("authentication as user \"app\" failed"), std::string::npos) << message;
}

}  // namespace
}  // namespace redkit
