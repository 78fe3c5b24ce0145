// A fenced resource in Redis; see fenced_resource.hpp.
#include "fault/fenced_resource.hpp"

#include <utility>

namespace redkit::test::fault {
namespace {

// Equal tokens are accepted: one holder writes several times under one token.
constexpr const char* kFencedWrite = R"lua(
local highest = tonumber(redis.call('HGET', KEYS[1], 'highest') or '0')
local token = tonumber(ARGV[1])
if token < highest then return 0 end
redis.call('HSET', KEYS[1], 'highest', ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[1] .. ' ' .. ARGV[2])
return 1
)lua";

}  // namespace

FencedResource::FencedResource(Client client, std::string name)
    : client_(std::move(client)),
      state_key_("fenced:{" + name + "}"),
      writes_key_("fenced:{" + name + "}:writes") {}

bool FencedResource::write(std::int64_t token, const std::string& what) {
  return client_.command({"EVAL", kFencedWrite, "2", state_key_, writes_key_, std::to_string(token), what})
             .as_integer() == 1;
}

std::vector<AcceptedWrite> FencedResource::accepted() const {
  std::vector<AcceptedWrite> writes;
  Reply list = client_.command({"LRANGE", writes_key_, "0", "-1"});
  for (const Reply& entry : list.as_array()) {
    const std::string text = entry.as_string();
    const auto space = text.find(' ');
    writes.push_back({std::stoll(text.substr(0, space)), space == std::string::npos ? "" : text.substr(space + 1)});
  }
  return writes;
}

std::int64_t FencedResource::highest_token() const {
  Reply highest = client_.command({"HGET", state_key_, "highest"});
  return highest.is_nil() ? 0 : std::stoll(highest.as_string());
}

}  // namespace redkit::test::fault
