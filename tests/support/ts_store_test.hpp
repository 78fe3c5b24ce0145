// The fixture of time-series tests: the suite's private server (RedisTest), a
// client and a Store whose keys live under the test's own prefix, plus a
// plain reference model to compare query results with.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <memory>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/time_series.hpp"
#include "support/message_of.hpp"
#include "support/redis_test.hpp"

namespace redkit::test {

// A 2-decimal random-walk gauge, as most real metrics are: the codec's
// decimal mode. The same seed gives the same samples.
inline std::vector<ts::Sample> gauge_samples(std::size_t n, ts::Timestamp start, ts::Timestamp step,
                                             std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> cents(-9, 9);
  std::vector<ts::Sample> samples;
  samples.reserve(n);
  long long value = 4217;
  for (std::size_t i = 0; i < n; ++i) {
    value = std::abs(value + cents(random));
    samples.push_back({start + static_cast<ts::Timestamp>(i) * step, static_cast<double>(value) / 100});
  }
  return samples;
}

class TsStoreTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    client_ = std::make_unique<Client>(redis().url());
    store_ = std::make_unique<ts::Store>(*client_, ts::StoreOptions{.prefix = prefix(), .default_series = {}});
  }
  void TearDown() override {
    store_.reset();
    client_.reset();
  }
  Client& client() { return *client_; }
  ts::Store& store() { return *store_; }

  // Every key under the test's prefix (SCAN), to check that refused input
  // left nothing behind.
  std::vector<std::string> keys_under_prefix() {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      const Reply reply = client().command({"SCAN", cursor, "MATCH", prefix() + "*", "COUNT", "1000"});
      cursor = reply.as_array().at(0).as_string();
      for (const Reply& key : reply.as_array().at(1).as_array()) {
        keys.push_back(key.as_string());
      }
    } while (cursor != "0");
    return keys;
  }

  static std::vector<ts::Sample> samples_of(const std::map<ts::Timestamp, double>& model) {
    std::vector<ts::Sample> samples;
    for (const auto& [timestamp, value] : model) {
      samples.push_back({timestamp, value});
    }
    return samples;
  }

 private:
  std::unique_ptr<Client> client_;
  std::unique_ptr<ts::Store> store_;
};

}  // namespace redkit::test
