// Lock naming helpers: the seed's LockNamingStrategy, without ambiguity.
#include <gtest/gtest.h>

#include "redkit/error.hpp"
#include "redkit/lock_names.hpp"

namespace redkit {
namespace {

using namespace lock_names;

TEST(LockNamesTest, BuildsTheSeedsNames) {
  EXPECT_EQ(resource("account", "acc456"), "resource:account:acc456");
  EXPECT_EQ(user("user123"), "user:user123");
  EXPECT_EQ(operation("transfer", "acc456-to-acc789"), "op:transfer:acc456-to-acc789");
  EXPECT_EQ(hierarchical({"billing", "invoices", "2026-11"}), "billing:invoices:2026-11");
}

TEST(LockNamesTest, RejectsPartsThatWouldMakeNamesAmbiguous) {
  try {
    resource("account", "a:b");
    FAIL() << "accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("\"a:b\""), std::string::npos) << e.what();
  }
  EXPECT_THROW(user(""), InvalidArgument);
  EXPECT_THROW(hierarchical({}), InvalidArgument);
  EXPECT_THROW(hierarchical({"x", "{y}"}), InvalidArgument);
  EXPECT_THROW(user(std::string(600, 'u')), InvalidArgument);
}

}  // namespace
}  // namespace redkit
