// Script: a named Lua source with its SHA1, and the EVALSHA command to run it.
#include "redkit/script.hpp"

#include "client/sha1.hpp"
#include "redkit/command.hpp"
#include "redkit/error.hpp"

namespace redkit {

struct Script::Data {
  std::string name;
  std::string source;
  std::string sha1;
};

Script::Script(std::string name, std::string source) {
  if (name.empty()) throw InvalidArgument("script name is empty");
  if (source.empty()) throw InvalidArgument("script \"" + name + "\" has an empty source");
  std::string sha1 = detail::sha1_hex(source);
  data_ = std::make_shared<const Data>(Data{std::move(name), std::move(source), std::move(sha1)});
}

const std::string& Script::name() const noexcept { return data_->name; }
const std::string& Script::source() const noexcept { return data_->source; }
const std::string& Script::sha1() const noexcept { return data_->sha1; }

Command Script::call(std::vector<std::string> keys, std::vector<std::string> args) const {
  Command command("EVALSHA");
  command.arg(data_->sha1).arg(static_cast<long long>(keys.size()));
  if (keys.empty()) command.mark_keyless();
  for (auto& k : keys) command.key(k);
  for (auto& a : args) command.arg(a);
  command.script_ = *this;
  return command;
}

}  // namespace redkit
