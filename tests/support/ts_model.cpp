#include "support/ts_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

namespace redkit::test::model {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using ts::kMaxTimestamp;
using ts::kMinTimestamp;

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double squares_about_mean(const std::vector<double>& values) {
  const double mean = mean_of(values);
  double sum = 0;
  for (double v : values) sum += (v - mean) * (v - mean);
  return sum;
}

double value_at(const Sample& a, const Sample& b, Timestamp t) {
  return a.value + (b.value - a.value) * (static_cast<double>(t - a.timestamp) /
                                          static_cast<double>(b.timestamp - a.timestamp));
}

// Area under the linear curve through `points`, divided by its time span.
double curve_average(const std::vector<Sample>& points) {
  const double span = static_cast<double>(points.back().timestamp - points.front().timestamp);
  if (span <= 0) return points.front().value;
  double area = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    area += (points[i - 1].value + points[i].value) / 2 *
            static_cast<double>(points[i].timestamp - points[i - 1].timestamp);
  }
  return area / span;
}

// Prometheus's extrapolatedRate for a counter over [window_start,
// window_end), written out from its description: the rise with every drop
// taken as a reset, stretched towards each edge by the distance to it when
// under 1.1 average gaps (else by half a gap), the start stretch capped where
// the counter would reach 0.
double counter_increase(const std::vector<Sample>& bucket, Timestamp window_start, Timestamp window_end) {
  double result = bucket.back().value - bucket.front().value;
  for (std::size_t i = 1; i < bucket.size(); ++i) {
    if (bucket[i].value < bucket[i - 1].value) result += bucket[i - 1].value;
  }
  const double sampled = static_cast<double>(bucket.back().timestamp - bucket.front().timestamp);
  const double gap = sampled / static_cast<double>(bucket.size() - 1);
  double start = static_cast<double>(bucket.front().timestamp - window_start);
  const double end = static_cast<double>(window_end - bucket.back().timestamp);
  if (result > 0 && bucket.front().value >= 0) start = std::min(start, sampled * (bucket.front().value / result));
  double interval = sampled;
  interval += start < 1.1 * gap ? start : gap / 2;
  interval += end < 1.1 * gap ? end : gap / 2;
  // The store's order of operations, so destination samples compare exactly.
  return result * (interval / sampled);
}

double bucket_value(Aggregator aggregator, const std::vector<Sample>& bucket, Timestamp window_start,
                    Timestamp window_end, const Sample* before, const Sample* after, double quantile) {
  std::vector<double> values;
  for (const Sample& s : bucket) values.push_back(s.value);
  switch (aggregator) {
    case Aggregator::twa: {
      std::vector<Sample> points;
      if (before != nullptr && bucket.front().timestamp > window_start) {
        points.push_back({window_start, value_at(*before, bucket.front(), window_start)});
      }
      points.insert(points.end(), bucket.begin(), bucket.end());
      if (after != nullptr && bucket.back().timestamp < window_end) {
        points.push_back({window_end, value_at(bucket.back(), *after, window_end)});
      }
      return curve_average(points);
    }
    case Aggregator::increase:
      return counter_increase(bucket, window_start, window_end);
    case Aggregator::rate:
      return counter_increase(bucket, window_start, window_end) /
             (static_cast<double>(window_end - window_start) / 1000);
    default:
      return reduce(aggregator, values, quantile);
  }
}

Timestamp clamp_lo(Timestamp t) { return std::max(t, kMinTimestamp); }
Timestamp clamp_hi(Timestamp t) { return std::min(t, kMaxTimestamp); }

bool passes(const ts::RangeOptions& q, const Sample& s) {
  if (q.min_value && s.value < *q.min_value) return false;
  if (q.max_value && s.value > *q.max_value) return false;
  if (!q.timestamps.empty() && std::find(q.timestamps.begin(), q.timestamps.end(), s.timestamp) == q.timestamps.end())
    return false;
  return true;
}

// The first bucket start at or after t.
Timestamp bucket_at_or_after(Timestamp t, Timestamp width, Timestamp align) {
  const Timestamp start = bucket_of(t, width, align);
  return start < t ? start + width : start;
}

}  // namespace

bool same_value(double a, double b, bool exact) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (exact) return a == b;
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

bool same_samples(const std::vector<Sample>& a, const std::vector<Sample>& b, bool exact) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].timestamp != b[i].timestamp || !same_value(a[i].value, b[i].value, exact)) return false;
  }
  return true;
}

std::string show(const std::vector<Sample>& samples) {
  std::ostringstream out;
  out.precision(17);
  out << samples.size() << " samples [";
  for (std::size_t i = 0; i < samples.size() && i < 12; ++i) {
    out << (i ? " " : "") << "(" << samples[i].timestamp << "," << samples[i].value << ")";
  }
  if (samples.size() > 12) out << " ... (" << samples.back().timestamp << "," << samples.back().value << ")";
  return out.str() + "]";
}

Timestamp bucket_of(Timestamp t, Timestamp width, Timestamp align) {
  Timestamp offset = (t - align) % width;
  if (offset < 0) offset += width;
  return t - offset;
}

double reduce(Aggregator reducer, const std::vector<double>& values, double quantile) {
  const double n = static_cast<double>(values.size());
  switch (reducer) {
    case Aggregator::percentile: {
      // Linear between the closest ranks (type 7).
      std::vector<double> sorted = values;
      std::sort(sorted.begin(), sorted.end());
      const double h = (n - 1) * quantile;
      const auto lo = static_cast<std::size_t>(std::floor(h));
      if (lo + 1 >= sorted.size()) return sorted.back();
      return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
    }
    case Aggregator::avg:
      return mean_of(values);
    case Aggregator::sum: {
      double sum = 0;
      for (double v : values) sum += v;
      return sum;
    }
    case Aggregator::min:
      return *std::min_element(values.begin(), values.end());
    case Aggregator::max:
      return *std::max_element(values.begin(), values.end());
    case Aggregator::range:
      return *std::max_element(values.begin(), values.end()) - *std::min_element(values.begin(), values.end());
    case Aggregator::count:
      return n;
    case Aggregator::first:
      return values.front();
    case Aggregator::last:
      return values.back();
    case Aggregator::var_p:
      return squares_about_mean(values) / n;
    case Aggregator::var_s:
      return values.size() < 2 ? 0 : squares_about_mean(values) / (n - 1);
    case Aggregator::std_p:
      return std::sqrt(squares_about_mean(values) / n);
    case Aggregator::std_s:
      return values.size() < 2 ? 0 : std::sqrt(squares_about_mean(values) / (n - 1));
    case Aggregator::twa:
    case Aggregator::increase:
    case Aggregator::rate:
      break;
  }
  return kNaN;
}


std::vector<Sample> aggregate(const std::vector<Sample>& samples, const Aggregation& aggregation, Timestamp lo,
                              Timestamp hi, std::optional<Sample> before, std::optional<Sample> after) {
  const Timestamp width = aggregation.bucket.count();
  // Bucket start -> its samples, in time order.
  std::map<Timestamp, std::vector<Sample>> buckets;
  for (const Sample& s : samples) buckets[bucket_of(s.timestamp, width, aggregation.align)].push_back(s);
  if (aggregation.aggregator == Aggregator::increase || aggregation.aggregator == Aggregator::rate) {
    // A counter's rise needs two samples: a lone one makes no bucket.
    std::erase_if(buckets, [](const auto& bucket) { return bucket.second.size() < 2; });
  }
  std::vector<Sample> out;
  for (auto it = buckets.begin(); it != buckets.end(); ++it) {
    const auto& [start, bucket] = *it;
    if (aggregation.empty_buckets && !out.empty()) {
      const bool zero = aggregation.aggregator == Aggregator::count || aggregation.aggregator == Aggregator::sum;
      const Sample& previous = std::prev(it)->second.back();
      const Sample& next = bucket.front();
      for (Timestamp gap = out.back().timestamp + width; gap < start; gap += width) {
        double value = zero ? 0.0 : kNaN;
        if (aggregation.aggregator == Aggregator::twa) {
          // The average of the straight line from `previous` to `next` over
          // the bucket's window.
          const std::vector<Sample> points{{std::max(gap, lo), value_at(previous, next, std::max(gap, lo))},
                                           {std::min(gap + width, hi + 1), value_at(previous, next, std::min(gap + width, hi + 1))}};
          value = curve_average(points);
        }
        out.push_back({gap, value});
      }
    }
    // Neighbours: the samples just outside this bucket, within the range or
    // the ones given for its edges.
    std::optional<Sample> previous = before;
    if (it != buckets.begin()) previous = std::prev(it)->second.back();
    std::optional<Sample> next = after;
    if (std::next(it) != buckets.end()) next = std::next(it)->second.front();
    const Timestamp window_start = std::max(start, lo);
    const Timestamp window_end = std::min(start + width, hi + 1);
    out.push_back({start, bucket_value(aggregation.aggregator, bucket, window_start, window_end,
                                       previous ? &*previous : nullptr, next ? &*next : nullptr,
                                       aggregation.quantile)});
  }
  return out;
}

// --- Series ------------------------------------------------------------------

Timestamp Series::kept_from() const {
  return samples.empty() ? kept_from_with(kMinTimestamp) : kept_from_with(samples.rbegin()->first);
}

Timestamp Series::kept_from_with(Timestamp newest) const {
  Timestamp from = floor.value_or(kMinTimestamp);
  if (!samples.empty()) newest = std::max(newest, samples.rbegin()->first);
  const bool has_newest = !samples.empty() || newest != kMinTimestamp;
  if (retention > 0 && has_newest) from = std::max(from, newest - retention);
  return from;
}

void Series::expire() {
  const Timestamp from = kept_from();
  samples.erase(samples.begin(), samples.lower_bound(from));
  if (floor || (retention > 0 && !samples.empty())) floor = std::max(floor.value_or(kMinTimestamp), from);
}

std::vector<Sample> Series::range(Timestamp lo, Timestamp hi) const {
  std::vector<Sample> out;
  if (lo > hi) return out;
  for (auto it = samples.lower_bound(lo); it != samples.end() && it->first <= hi; ++it) {
    out.push_back({it->first, it->second});
  }
  return out;
}

AddOutcome add_call(Series& series, std::vector<Sample> given, std::optional<DuplicatePolicy> on_duplicate,
                    std::optional<Timestamp> refuse_before,
                    const std::function<void(std::optional<Timestamp>)>& after_pass) {
  AddOutcome outcome;
  if (given.empty()) return outcome;
  const Timestamp refuse = refuse_before.value_or(series.kept_from());
  Timestamp newest = kMinTimestamp;
  for (const Sample& s : given) newest = std::max(newest, s.timestamp);
  const Timestamp drop_before = series.kept_from_with(newest);
  std::stable_sort(given.begin(), given.end(), [](const Sample& a, const Sample& b) { return a.timestamp < b.timestamp; });
  while (!given.empty()) {
    std::vector<Sample> pass;
    std::vector<Sample> later;
    for (std::size_t i = 0; i < given.size(); ++i) {
      (i > 0 && given[i].timestamp == given[i - 1].timestamp ? later : pass).push_back(given[i]);
    }
    std::optional<Timestamp> accepted;
    for (const Sample& s : pass) {
      if (s.timestamp < refuse) {
        outcome.refused = true;
        continue;
      }
      if (s.timestamp < drop_before) continue;
      const DuplicatePolicy policy = on_duplicate.value_or(series.policy);
      auto at = series.samples.find(s.timestamp);
      if (at == series.samples.end()) {
        series.samples.emplace(s.timestamp, s.value);
      } else {
        switch (policy) {
          case DuplicatePolicy::block:
            outcome.refused = true;
            continue;
          case DuplicatePolicy::first:
            break;
          case DuplicatePolicy::last:
            at->second = s.value;
            break;
          case DuplicatePolicy::min:
            at->second = std::min(at->second, s.value);
            break;
          case DuplicatePolicy::max:
            at->second = std::max(at->second, s.value);
            break;
          case DuplicatePolicy::sum:
            at->second = at->second + s.value;
            break;
        }
      }
      accepted = std::max(accepted.value_or(kMinTimestamp), s.timestamp);
    }
    series.expire();
    if (accepted) {
      outcome.newest_accepted = std::max(outcome.newest_accepted.value_or(kMinTimestamp), *accepted);
    }
    if (after_pass) after_pass(accepted);
    given = std::move(later);
  }
  return outcome;
}

// --- Store -------------------------------------------------------------------

bool Store::add(std::size_t index, const std::vector<Sample>& samples, std::optional<DuplicatePolicy> on_duplicate) {
  const auto outcome = add_call(series[index], samples, on_duplicate, std::nullopt,
                                [&](std::optional<Timestamp> accepted) {
                                  auto found = rules.find(index);
                                  if (found == rules.end()) return;
                                  for (Rule& rule : found->second) {
                                    if (!accepted) continue;
                                    const Timestamp bucket = bucket_of(*accepted, rule.aggregation.bucket.count(),
                                                                       rule.aggregation.align);
                                    if (!rule.open || bucket > *rule.open) rule.open = bucket;
                                  }
                                  refresh_rules(index);
                                });
  return outcome.refused;
}

std::uint64_t Store::delete_range(std::size_t index, Timestamp lo, Timestamp hi) {
  Series& s = series[index];
  lo = clamp_lo(lo);
  hi = clamp_hi(hi);
  if (lo > hi) return 0;
  auto first = s.samples.lower_bound(lo);
  auto last = s.samples.upper_bound(hi);
  const auto count = static_cast<std::uint64_t>(std::distance(first, last));
  s.samples.erase(first, last);
  if (count > 0) refresh_rules(index);
  return count;
}

void Store::set_retention(std::size_t index, Timestamp retention) {
  Series& s = series[index];
  s.expire();
  s.retention = retention;
  s.expire();
}

void Store::create_rule(std::size_t source, std::size_t destination, const Aggregation& aggregation) {
  Rule rule{.destination = destination, .aggregation = aggregation};
  const Series& s = series[source];
  if (!s.samples.empty()) {
    rule.open = rule.since = bucket_of(s.samples.rbegin()->first, aggregation.bucket.count(), aggregation.align);
  }
  rules[source].push_back(rule);
}

void Store::refresh_rules(std::size_t source) {
  auto found = rules.find(source);
  if (found == rules.end()) return;
  const Series& s = series[source];
  for (const Rule& rule : found->second) {
    if (!rule.open) continue;
    const Timestamp width = rule.aggregation.bucket.count();
    Timestamp first = bucket_at_or_after(s.kept_from(), width, rule.aggregation.align);
    if (rule.since) first = std::max(first, *rule.since);
    const Timestamp end = *rule.open - 1;  // closed buckets end before OPEN
    if (first > end) continue;
    const ts::RangeOptions query{.from = first, .to = end, .aggregation = rule.aggregation, .use_compactions = false};
    const std::vector<Sample> buckets = raw_query(source, query);
    Series& destination = series[rule.destination];
    // Buckets left without samples lose their aggregate.
    std::set<Timestamp> computed;
    for (const Sample& bucket : buckets) computed.insert(bucket.timestamp);
    for (const Sample& stored : destination.range(first, end)) {
      if (!computed.contains(stored.timestamp)) destination.samples.erase(stored.timestamp);
    }
    // The destination's own rules (a chain) see these buckets as samples
    // added to it: their open buckets move, and they are brought up to date.
    add_call(destination, buckets, DuplicatePolicy::last, kMinTimestamp, [&](std::optional<Timestamp> accepted) {
      auto chained = rules.find(rule.destination);
      if (!accepted || chained == rules.end()) return;
      for (Rule& next : chained->second) {
        const Timestamp bucket = bucket_of(*accepted, next.aggregation.bucket.count(), next.aggregation.align);
        if (!next.open || bucket > *next.open) next.open = bucket;
      }
    });
    refresh_rules(rule.destination);
  }
}

std::optional<Sample> Store::open_bucket(std::size_t destination) const {
  for (const auto& [source, list] : rules) {
    for (const Rule& rule : list) {
      if (rule.destination != destination || !rule.open) continue;
      const ts::RangeOptions bucket{.from = *rule.open,
                                    .to = *rule.open + rule.aggregation.bucket.count() - 1,
                                    .aggregation = rule.aggregation,
                                    .use_compactions = false};
      const auto computed = raw_query(source, bucket);
      if (!computed.empty()) return computed.front();
    }
  }
  return std::nullopt;
}

std::vector<Sample> Store::raw_query(std::size_t index, const ts::RangeOptions& query,
                                     std::optional<Sample> newest) const {
  const Series& s = series[index];
  const Timestamp lo = clamp_lo(query.from);
  const Timestamp hi = clamp_hi(query.to);
  std::vector<Sample> samples;
  for (const Sample& sample : s.range(lo, hi)) {
    if (passes(query, sample)) samples.push_back(sample);
  }
  if (newest) samples.push_back(*newest);
  if (!query.aggregation) return samples;
  std::optional<Sample> before;
  std::optional<Sample> after;
  if (query.aggregation->aggregator == Aggregator::twa && !samples.empty()) {
    for (auto it = s.samples.lower_bound(lo); it != s.samples.begin();) {
      --it;
      if (passes(query, {it->first, it->second})) {
        before = Sample{it->first, it->second};
        break;
      }
    }
    for (auto it = s.samples.upper_bound(hi); !newest && it != s.samples.end(); ++it) {
      if (passes(query, {it->first, it->second})) {
        after = Sample{it->first, it->second};
        break;
      }
    }
  }
  return aggregate(samples, *query.aggregation, lo, hi, before, after);
}

std::vector<Sample> Store::query(std::size_t index, const ts::RangeOptions& query, bool reverse) const {
  const Timestamp lo = clamp_lo(query.from);
  const Timestamp hi = clamp_hi(query.to);
  std::vector<Sample> out;
  if (lo > hi || query.count == std::size_t{0}) return out;
  bool done = false;
  const auto& wanted = query.aggregation;
  auto found = rules.find(index);
  if (wanted && query.use_compactions && wanted->aggregator != Aggregator::twa && !wanted->empty_buckets &&
      !query.min_value && !query.max_value && query.timestamps.empty() && found != rules.end()) {
    const Timestamp width = wanted->bucket.count();
    for (const Rule& rule : found->second) {
      const Aggregation& has = rule.aggregation;
      if (!rule.open || has.aggregator != wanted->aggregator || has.bucket != wanted->bucket ||
          bucket_of(wanted->align, width, has.align) != wanted->align) {
        continue;
      }
      const Timestamp first_start = bucket_of(lo, width, has.align);
      Timestamp first_whole = first_start == lo ? lo : first_start + width;
      if (rule.since) first_whole = std::max(first_whole, *rule.since);
      const Timestamp last_whole = std::min(*rule.open, bucket_of(hi + 1, width, has.align)) - width;
      if (first_whole > last_whole) break;
      const ts::RangeOptions raw{.aggregation = wanted, .use_compactions = false};
      if (lo < first_whole) {
        ts::RangeOptions part = raw;
        part.from = lo;
        part.to = first_whole - 1;
        out = raw_query(index, part);
      }
      const auto whole = series[rule.destination].range(first_whole, last_whole);
      out.insert(out.end(), whole.begin(), whole.end());
      if (last_whole + width <= hi) {
        ts::RangeOptions part = raw;
        part.from = last_whole + width;
        part.to = hi;
        const auto tail = raw_query(index, part);
        out.insert(out.end(), tail.begin(), tail.end());
      }
      done = true;
      break;
    }
  }
  if (!done) {
    std::optional<Sample> newest;
    if (query.latest) newest = open_bucket(index);
    if (newest && (newest->timestamp < lo || newest->timestamp > hi || !passes(query, *newest))) newest.reset();
    out = raw_query(index, query, newest);
  }
  if (wanted && wanted->bucket_timestamp != ts::BucketTimestamp::start) {
    const Timestamp width = wanted->bucket.count();
    for (Sample& bucket : out) {
      bucket.timestamp += wanted->bucket_timestamp == ts::BucketTimestamp::middle ? width / 2 : width;
    }
  }
  if (reverse) std::reverse(out.begin(), out.end());
  if (query.count && out.size() > *query.count) out.resize(*query.count);
  return out;
}

ts::SeriesStats Store::stats(std::size_t index, Timestamp lo, Timestamp hi) const {
  ts::SeriesStats stats;
  double sum = 0;
  for (const Sample& s : series[index].range(clamp_lo(lo), clamp_hi(hi))) {
    stats.min = stats.count == 0 ? s.value : std::min(stats.min, s.value);
    stats.max = stats.count == 0 ? s.value : std::max(stats.max, s.value);
    sum += s.value;
    ++stats.count;
    stats.latest = s;
  }
  if (stats.count > 0) stats.avg = sum / static_cast<double>(stats.count);
  return stats;
}

// --- operations --------------------------------------------------------------

std::string describe(const Op& op) {
  std::ostringstream out;
  out.precision(17);
  auto samples = [&] {
    out << "{";
    for (std::size_t i = 0; i < op.samples.size(); ++i) {
      if (i == 8 && op.samples.size() > 12) {
        out << ", ... " << op.samples.size() - 10 << " more ...";
        i = op.samples.size() - 2;
        continue;
      }
      out << (i ? ", " : "") << "(" << op.samples[i].timestamp << ", " << op.samples[i].value << ")";
    }
    out << "}";
  };
  auto policy = [&] {
    if (op.on_duplicate) out << " on_duplicate=" << ts::to_string(*op.on_duplicate);
  };
  const std::string s = "s" + std::to_string(op.series);
  switch (op.kind) {
    case Kind::add:
      out << "add(" << s << ", " << op.samples.at(0).timestamp << ", " << op.samples.at(0).value << ")";
      policy();
      break;
    case Kind::add_many:
      out << "add_many(" << s << ", " << op.samples.size() << " samples ";
      samples();
      out << ")";
      policy();
      break;
    case Kind::delete_range:
      out << "delete_range(" << s << ", " << op.from << ", " << op.to << ")";
      break;
    case Kind::retention:
      out << "alter(" << s << ", retention " << op.retention << " ms)";
      break;
    case Kind::policy:
      out << "alter(" << s << ", duplicate policy " << ts::to_string(op.policy) << ")";
      break;
    case Kind::create_rule:
      out << "create_rule(s0, s1, " << ts::to_string(op.aggregation.aggregator) << ", bucket "
          << op.aggregation.bucket.count() << " ms, align " << op.aggregation.align << ")";
      break;
    case Kind::read_range: {
      const auto& q = op.query;
      out << (op.reverse ? "reverse_range(" : "range(") << s << ", " << q.from << ", " << q.to;
      if (q.count) out << ", count " << *q.count;
      if (q.min_value) out << ", min " << *q.min_value;
      if (q.max_value) out << ", max " << *q.max_value;
      if (!q.timestamps.empty()) out << ", " << q.timestamps.size() << " timestamps";
      if (q.latest) out << ", latest";
      if (q.aggregation) {
        out << ", " << ts::to_string(q.aggregation->aggregator) << " bucket " << q.aggregation->bucket.count()
            << " align " << q.aggregation->align << (q.aggregation->empty_buckets ? " empty" : "") << " at "
            << ts::to_string(q.aggregation->bucket_timestamp)
            << (q.use_compactions ? "" : " raw");
      }
      out << ")";
      break;
    }
    case Kind::read_stats:
      out << "stats(" << s << ", " << op.from << ", " << op.to << ")";
      break;
    case Kind::read_info:
      out << "info(" << s << ")";
      break;
    case Kind::read_latest:
      out << "latest(" << s << ")";
      break;
  }
  return out.str();
}

namespace {

class Generator {
 public:
  Generator(std::uint64_t seed, const GeneratorOptions& options) : random_(seed), options_(options) {}

  std::vector<Op> run() {
    std::vector<Op> ops;
    while (ops.size() < options_.operations) {
      ops.push_back(write());
      const int reads = pick(1, 3);
      for (int i = 0; i < reads; ++i) ops.push_back(read());
    }
    return ops;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(random_); }
  Timestamp any_time() { return std::uniform_int_distribution<Timestamp>(-200, frontier_ + 200)(random_); }

  double value() {
    switch (pick(0, 9)) {
      case 0:
        return static_cast<double>(pick(-1000, 1000));
      case 1:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(random_);
      case 2:
        return chance(0.5) ? 5e-324 : 1e12 + pick(0, 99);
      default:
        gauge_ = std::abs(gauge_ + pick(-9, 9));
        return static_cast<double>(gauge_) / 100;
    }
  }

  Timestamp next_time() {
    frontier_ += pick(1, 40);
    used_.push_back(frontier_);
    return frontier_;
  }

  // An older timestamp: an arbitrary one, one before everything, or one
  // already used (a duplicate).
  Timestamp old_time() {
    const int kind = pick(0, 5);
    if (kind == 0) return -pick(1, 500);
    if (kind <= 2 && !used_.empty()) return used_[static_cast<std::size_t>(pick(0, static_cast<int>(used_.size()) - 1))];
    const Timestamp t = any_time();
    used_.push_back(t);
    return t;
  }

  std::optional<DuplicatePolicy> maybe_policy() {
    if (!chance(0.25)) return std::nullopt;
    return static_cast<DuplicatePolicy>(pick(0, 5));
  }

  Op write() {
    Op op;
    const int roll = pick(0, 99);
    if (roll < 35) {
      op.kind = Kind::add;
      op.samples.push_back({chance(0.7) ? next_time() : old_time(), value()});
      op.on_duplicate = maybe_policy();
    } else if (roll < 60) {
      op.kind = Kind::add_many;
      const int n = pick(1, 20);
      for (int i = 0; i < n; ++i) op.samples.push_back({chance(0.5) ? next_time() : old_time(), value()});
      std::shuffle(op.samples.begin(), op.samples.end(), random_);
      op.on_duplicate = maybe_policy();
    } else if (roll < 72) {
      // A bulk run newer than everything: compressed on the client, or
      // filling the head past its seal size, at random sizes.
      op.kind = Kind::add_many;
      const int n = pick(100, 2500);
      for (int i = 0; i < n; ++i) op.samples.push_back({next_time(), value()});
      if (chance(0.3)) op.samples.push_back({old_time(), value()});
    } else if (roll < 80 && options_.deletes) {
      op.kind = Kind::delete_range;
      op.from = any_time();
      op.to = op.from + pick(0, chance(0.2) ? 5000 : 200);
    } else if (roll < 85 && options_.retention) {
      op.kind = Kind::retention;
      op.series = rule_created_ && chance(0.3) ? 1 : 0;
      const Timestamp choices[] = {0, 300, 2000, 10'000, 50'000};
      op.retention = choices[pick(0, 4)];
    } else if (roll < 92) {
      op.kind = Kind::policy;
      op.policy = static_cast<DuplicatePolicy>(pick(0, 5));
    } else if (roll < 95 && options_.rules && !rule_created_) {
      rule_created_ = true;
      op.kind = Kind::create_rule;
      const Aggregator aggregators[] = {Aggregator::avg,   Aggregator::sum,   Aggregator::min,      Aggregator::max,
                                        Aggregator::range, Aggregator::count, Aggregator::first,    Aggregator::last,
                                        Aggregator::std_p, Aggregator::std_s, Aggregator::var_p,    Aggregator::var_s,
                                        Aggregator::increase, Aggregator::rate, Aggregator::percentile};
      const Timestamp widths[] = {10, 50, 100, 1000};
      op.aggregation = {.aggregator = aggregators[pick(0, 14)],
                        .bucket = std::chrono::milliseconds(widths[pick(0, 3)]),
                        .align = chance(0.5) ? 0 : pick(-50, 50)};
      if (op.aggregation.aggregator == Aggregator::percentile) op.aggregation.quantile = quantile();
      rule_ = op.aggregation;
    } else {
      op.kind = Kind::add;
      op.samples.push_back({next_time(), value()});
    }
    return op;
  }

  Op read() {
    Op op;
    op.series = rule_created_ && chance(0.25) ? 1 : 0;
    const int roll = pick(0, 99);
    Timestamp a = chance(0.2) ? ts::kEarliest : any_time();
    Timestamp b = chance(0.2) ? ts::kLatest : any_time();
    if (a != ts::kEarliest && b != ts::kLatest && a > b) std::swap(a, b);
    if (roll < 55) {
      op.kind = Kind::read_range;
      op.reverse = chance(0.4);
      op.query.from = a;
      op.query.to = b;
      if (chance(0.3)) op.query.count = static_cast<std::size_t>(pick(0, 50));
      op.query.latest = op.series == 1 && chance(0.5);
      if (chance(0.15)) op.query.min_value = static_cast<double>(pick(0, 50));
      if (chance(0.15)) op.query.max_value = static_cast<double>(pick(50, 100));
      if (chance(0.08) && !used_.empty()) {
        for (int i = 0; i < 5; ++i) {
          op.query.timestamps.push_back(used_[static_cast<std::size_t>(pick(0, static_cast<int>(used_.size()) - 1))]);
        }
      }
      if (chance(0.5)) {
        const Timestamp widths[] = {7, 10, 50, 100, 1000, 5000};
        Aggregation aggregation{.aggregator = static_cast<Aggregator>(pick(0, 15)),
                                .bucket = std::chrono::milliseconds(widths[pick(0, 5)]),
                                .align = chance(0.6) ? 0 : pick(-100, 100),
                                .empty_buckets = chance(0.2)};
        if (aggregation.aggregator == Aggregator::percentile) aggregation.quantile = quantile();
        if (rule_ && chance(0.5)) {
          aggregation = *rule_;  // reads the destination for whole buckets
          aggregation.empty_buckets = false;
        }
        aggregation.bucket_timestamp = static_cast<ts::BucketTimestamp>(chance(0.7) ? 0 : pick(1, 2));
        op.query.aggregation = aggregation;
        op.query.use_compactions = chance(0.8);
      }
    } else if (roll < 75) {
      op.kind = Kind::read_stats;
      op.from = a;
      op.to = b;
    } else if (roll < 90) {
      op.kind = Kind::read_info;
    } else {
      op.kind = Kind::read_latest;
    }
    return op;
  }

  // Percentiles at the extremes, the median, and between ranks.
  double quantile() {
    const double choices[] = {0, 0.5, 0.9, 0.99, 1, 0.37};
    return choices[pick(0, 5)];
  }

  std::mt19937_64 random_;
  GeneratorOptions options_;
  Timestamp frontier_ = 1000;
  long long gauge_ = 4217;
  std::vector<Timestamp> used_;
  bool rule_created_ = false;
  std::optional<Aggregation> rule_;
};

}  // namespace

std::vector<Op> generate(std::uint64_t seed, const GeneratorOptions& options) {
  return Generator(seed, options).run();
}

}  // namespace redkit::test::model
