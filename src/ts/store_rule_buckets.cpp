// Store: what a compaction rule computes for a run of buckets. Every
// aggregator but percentile is the range aggregation of the source. A
// percentile rule keeps a sketch of each bucket beside its destination
// (lua/ts_sketch_put.lua), so a coarser percentile rule fed from that
// destination merges the finer buckets' sketches: a p99 of 1-minute p99s
// would not be the hour's p99.
#include <map>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "redkit/error.hpp"
#include "ts/aggregation.hpp"
#include "ts/quantile_sketch.hpp"
#include "ts/store_impl.hpp"

namespace redkit::ts {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

namespace {

// A sketch member: the bucket start as 8 big-endian bytes (sign bit
// flipped), then the sketch.
std::string sketch_member(Timestamp start, const std::string& sketch) {
  auto bits = static_cast<std::uint64_t>(start) ^ (std::uint64_t{1} << 63);
  std::string member(8, '\0');
  for (int i = 7; i >= 0; --i, bits >>= 8) {
    member[static_cast<std::size_t>(i)] = static_cast<char>(bits & 0xff);
  }
  return member + sketch;
}

std::pair<Timestamp, detail::QuantileSketch> parse_sketch_member(std::string_view member, std::string_view series) {
  if (member.size() < 9) {
    throw ProtocolError(fmt::format("percentile sketch of '{}' is {} bytes, too short", series, member.size()));
  }
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    bits = (bits << 8) | static_cast<unsigned char>(member[i]);
  }
  const auto start = static_cast<Timestamp>(bits ^ (std::uint64_t{1} << 63));
  return {start, detail::QuantileSketch::decode(member.substr(8),
                                                fmt::format("percentile sketch of '{}' at {}", series, start))};
}

}  // namespace

RuleBuckets Store::Impl::rule_buckets(std::string_view source, const Aggregation& aggregation, Timestamp first,
                                      Timestamp end) const {
  if (aggregation.aggregator != Aggregator::percentile) {
    const RangeOptions query{.from = first, .to = end, .aggregation = aggregation, .use_compactions = false};
    return {this->query(source, query, false), {}};
  }
  const auto samples = read(source, first, end, {}, false, std::nullopt);
  // The source's own sketches: present when it is a percentile rule's
  // destination. Only those of buckets it still holds a sample for count.
  std::map<Timestamp, detail::QuantileSketch> finer;
  const Reply stored = client.command(
      {"ZRANGE", keys(source).sketches, std::to_string(first), std::to_string(end), "BYSCORE"});
  for (const Reply& member : stored.throw_if_error().as_array()) {
    finer.insert(parse_sketch_member(member.as_string(), source));
  }
  RuleBuckets out;
  const Timestamp width = aggregation.bucket.count();
  std::size_t begin = 0;
  while (begin < samples.size()) {
    const Timestamp start = detail::bucket_start(samples[begin].timestamp, width, aggregation.align);
    std::size_t stop = begin;
    detail::QuantileSketch sketch;
    bool all_raw = true;
    for (; stop < samples.size() && samples[stop].timestamp - start < width; ++stop) {
      const auto below = finer.find(samples[stop].timestamp);
      if (below != finer.end()) {
        sketch.merge(below->second);
        all_raw = false;
      } else {
        sketch.add(samples[stop].value);
      }
    }
    // Raw samples give the exact percentile; merged sketches their estimate.
    const double value =
        all_raw ? detail::aggregate_bucket(Aggregator::percentile, std::span(samples).subspan(begin, stop - begin),
                                           start, start + width, nullptr, nullptr, aggregation.quantile)
                : sketch.quantile(aggregation.quantile);
    out.buckets.push_back(Sample{start, value});
    out.sketches.push_back(sketch.encode());
    begin = stop;
  }
  return out;
}

void Store::Impl::store_sketches(std::string_view destination, const RuleBuckets& computed, bool replace) const {
  if (computed.sketches.empty()) {
    return;
  }
  const auto k = keys(destination);
  std::vector<std::string> args;
  args.reserve(computed.sketches.size() * 2 + 1);
  args.emplace_back(replace ? "replace" : "keep");
  for (std::size_t i = 0; i < computed.sketches.size(); ++i) {
    args.push_back(std::to_string(computed.buckets[i].timestamp));
    args.push_back(sketch_member(computed.buckets[i].timestamp, computed.sketches[i]));
  }
  client.command(embedded_script(ScriptName::ts_sketch_put).call({k.meta, k.sketches}, std::move(args)))
      .throw_if_error();
}

}  // namespace redkit::ts
