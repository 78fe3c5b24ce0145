// The seed's time-series layout (TimeSeriesManager in ../shared/seed), written
// and read from C++ as the baseline of the store benchmarks: one sorted set
// per metric, scored by timestamp, whose members are JSON objects
// `{"value":V,"timestamp":T,"tags":"{}"}` (tags is JSON.stringify({}), itself
// a string). Numbers are formatted the way JavaScript's JSON.stringify formats
// them for these values (shortest round-trip digits).
//
//   write_seed_zset(client, "metric:cpu", samples);
//   auto back = read_seed_zset(client, "metric:cpu", first, last);
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/client.hpp"
#include "ts_datasets.hpp"

namespace redkit::bench {

// The member the seed stores for one sample.
std::string seed_member(const Sample& sample);
// Parses a member back, as the seed's JSON.parse does: the fields may come in
// any order and unknown fields are skipped. Throws std::runtime_error naming
// the member when it is not such an object.
Sample parse_seed_member(std::string_view member);

// ZADD of every sample, one member per command, sent in pipelines of
// `per_pipeline` commands.
void write_seed_zset(const Client& client, const std::string& key, std::span<const Sample> samples,
                     std::size_t per_pipeline = 1000);
// The seed's getDataPoints(metric, from, to, limit): ZRANGEBYSCORE key from to
// LIMIT 0 limit, each member parsed.
std::vector<Sample> read_seed_zset(const Client& client, const std::string& key, std::int64_t from,
                                   std::int64_t to, std::size_t limit);

}  // namespace redkit::bench
