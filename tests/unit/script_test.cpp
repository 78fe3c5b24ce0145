// Script: SHA1 naming, EVALSHA building, and the embedded table.
#include <gtest/gtest.h>

#include "client/embedded_scripts.hpp"
#include "redkit/command.hpp"
#include "redkit/error.hpp"
#include "redkit/script.hpp"

namespace redkit {
namespace {

TEST(ScriptTest, Sha1MatchesRedisNaming) {
  // SCRIPT LOAD "return 1" answers e0e1f9fabfc9d4800c877a703b823ac0578ff8db.
  Script s("one", "return 1");
  EXPECT_EQ(s.sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST(ScriptTest, CallBuildsEvalshaRoutedByFirstKey) {
  Script s("s", "return KEYS[1]");
  Command c = s.call({"{a}:x", "{a}:y"}, {"v"});
  EXPECT_EQ(c.args(), (std::vector<std::string>{"EVALSHA", s.sha1(), "2", "{a}:x", "{a}:y", "v"}));
  EXPECT_EQ(c.routing_key(), "{a}:x");
  ASSERT_TRUE(c.script().has_value());
  EXPECT_EQ(c.script()->name(), "s");
  EXPECT_EQ(s.call({}, {}).routing(), Command::Routing::keyless);
}

TEST(ScriptTest, RejectsEmptyNameOrSource) {
  EXPECT_THROW(Script("", "return 1"), InvalidArgument);
  EXPECT_THROW(Script("x", ""), InvalidArgument);
}

TEST(ScriptTest, EachScriptNameReachesTheScriptOfThatFile) {
  const Script& s = detail::embedded_script(detail::ScriptName::compare_and_delete);
  EXPECT_EQ(s.name(), "compare_and_delete");
  EXPECT_NE(s.source().find("redis.call('DEL', KEYS[1])"), std::string::npos);
  EXPECT_EQ(detail::embedded_script(detail::ScriptName::ts_add).name(), "ts_add");
  ASSERT_EQ(detail::embedded_scripts().size(), detail::kEmbeddedScriptCount);
  // The enumerators follow file-name order, as the table does.
  for (std::size_t i = 1; i < detail::embedded_scripts().size(); ++i) {
    EXPECT_LT(detail::embedded_scripts()[i - 1].name(), detail::embedded_scripts()[i].name());
  }
}

TEST(ScriptTest, IncludedLibrariesAreInsertedOnceAndNoIncludeLineRemains) {
  for (const Script& s : detail::embedded_scripts()) {
    EXPECT_EQ(s.source().find("--! include"), std::string::npos) << s.name();
  }
  // rwlock_read_acquire names leases, which itself names server_time.
  const std::string& source = detail::embedded_script(detail::ScriptName::rwlock_read_acquire).source();
  const std::string definition = "local function server_ms()";
  ASSERT_NE(source.find(definition), std::string::npos);
  EXPECT_EQ(source.find(definition, source.find(definition) + 1), std::string::npos);
}

}  // namespace
}  // namespace redkit
