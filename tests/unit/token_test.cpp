// Lock tokens: well-formed, distinct, and distinct across fork().
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "lock/owner_identity.hpp"

namespace redkit::detail {
namespace {

TEST(TokenTest, HexOf128BitsAndNeverRepeated) {
  std::set<std::string> seen;
  for (int i = 0; i < 100'000; ++i) {
    std::string token = random_token();
    ASSERT_EQ(token.size(), 32u);
    ASSERT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
    ASSERT_TRUE(seen.insert(token).second) << "repeated token " << token;
  }
}

TEST(TokenTest, ForkedChildrenDrawDifferentTokens) {
  const std::string parent_token = random_token();  // the parent's generator is seeded now
  int pipes[2][2];
  pid_t children[2];
  for (int c = 0; c < 2; ++c) {
    ASSERT_EQ(::pipe(pipes[c]), 0);
    children[c] = ::fork();
    if (children[c] == 0) {
      std::string token = random_token();
      [[maybe_unused]] auto n = ::write(pipes[c][1], token.data(), token.size());
      ::_exit(0);
    }
    ::close(pipes[c][1]);
  }
  std::set<std::string> tokens{parent_token, random_token()};
  for (int c = 0; c < 2; ++c) {
    char buffer[32];
    ASSERT_EQ(::read(pipes[c][0], buffer, sizeof buffer), 32);
    tokens.insert(std::string(buffer, 32));
    ::close(pipes[c][0]);
    ::waitpid(children[c], nullptr, 0);
  }
  EXPECT_EQ(tokens.size(), 4u);
}

}  // namespace
}  // namespace redkit::detail
