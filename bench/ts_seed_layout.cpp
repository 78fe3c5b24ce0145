#include "ts_seed_layout.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "redkit/command.hpp"

namespace redkit::bench {
namespace {

[[noreturn]] void bad_member(std::string_view member) {
  throw std::runtime_error("not a seed time-series member: " + std::string(member));
}

// A minimal reader for the flat JSON objects the seed stores: string keys,
// number or string values.
class MemberReader {
 public:
  explicit MemberReader(std::string_view text) : text_(text) {}

  Sample read() {
    Sample sample;
    bool has_value = false;
    bool has_timestamp = false;
    expect('{');
    skip_space();
    if (peek() == '}') bad_member(text_);
    for (;;) {
      const std::string_view key = string_token();
      expect(':');
      skip_space();
      if (peek() == '"') {
        string_token();
      } else {
        const double number = number_token();
        if (key == "value") {
          sample.value = number;
          has_value = true;
        } else if (key == "timestamp") {
          sample.timestamp = static_cast<std::int64_t>(number);
          has_timestamp = true;
        }
      }
      skip_space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      expect('}');
      break;
    }
    if (!has_value || !has_timestamp) bad_member(text_);
    return sample;
  }

 private:
  char peek() const {
    if (at_ >= text_.size()) bad_member(text_);
    return text_[at_];
  }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) bad_member(text_);
    ++at_;
  }
  // The raw text between the quotes (escapes are skipped, not decoded: keys
  // here never need them).
  std::string_view string_token() {
    expect('"');
    const std::size_t begin = at_;
    while (peek() != '"') {
      at_ += text_[at_] == '\\' ? 2 : 1;
    }
    const std::string_view token = text_.substr(begin, at_ - begin);
    ++at_;
    return token;
  }
  double number_token() {
    double number = 0;
    const auto [end, error] = std::from_chars(text_.data() + at_, text_.data() + text_.size(), number);
    if (error != std::errc{}) bad_member(text_);
    at_ = static_cast<std::size_t>(end - text_.data());
    return number;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::string seed_member(const Sample& sample) {
  char value[32];
  char timestamp[24];
  const auto value_end = std::to_chars(value, value + sizeof value, sample.value).ptr;
  const auto timestamp_end = std::to_chars(timestamp, timestamp + sizeof timestamp, sample.timestamp).ptr;
  std::string member = "{\"value\":";
  member.append(value, value_end);
  member += ",\"timestamp\":";
  member.append(timestamp, timestamp_end);
  member += ",\"tags\":\"{}\"}";
  return member;
}

Sample parse_seed_member(std::string_view member) { return MemberReader(member).read(); }

void write_seed_zset(const Client& client, const std::string& key, std::span<const Sample> samples,
                     std::size_t per_pipeline) {
  std::vector<Command> commands;
  for (std::size_t begin = 0; begin < samples.size(); begin += per_pipeline) {
    commands.clear();
    const std::size_t end = std::min(samples.size(), begin + per_pipeline);
    for (std::size_t i = begin; i < end; ++i) {
      commands.push_back(Command::raw(
          std::vector<std::string>{"ZADD", key, std::to_string(samples[i].timestamp), seed_member(samples[i])}));
    }
    for (const Reply& reply : client.execute(commands)) reply.throw_if_error();
  }
}

std::vector<Sample> read_seed_zset(const Client& client, const std::string& key, std::int64_t from,
                                   std::int64_t to, std::size_t limit) {
  const Reply reply = client.command(Command::raw(std::vector<std::string>{
      "ZRANGEBYSCORE", key, std::to_string(from), std::to_string(to), "LIMIT", "0", std::to_string(limit)}));
  const auto& members = reply.as_array();
  std::vector<Sample> samples;
  samples.reserve(members.size());
  for (const Reply& member : members) samples.push_back(parse_seed_member(member.as_string()));
  return samples;
}

}  // namespace redkit::bench
