#include "alert/alert_rule_fields.hpp"

#include <charconv>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "redkit/error.hpp"
#include "ts/aggregation.hpp"

namespace redkit::alert {
namespace {

constexpr std::string_view kLabel = "label:";
constexpr std::string_view kAnnotation = "annotation:";
// Filters are label filters, which hold no newline.
constexpr char kFilterSeparator = '\n';

std::string number(double value) { return fmt::format("{}", value); }
std::string millis(std::chrono::milliseconds value) { return std::to_string(value.count()); }

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += kFilterSeparator;
    out += item;
  }
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(kFilterSeparator, start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> rule_fields(const ts::AlertRule& rule) {
  std::vector<std::string> out{
      "v",           "1",
      "name",        rule.name,
      "window",      millis(rule.window),
      "agg",         ts::detail::aggregator_token({.aggregator = rule.aggregator, .quantile = rule.quantile}),
      "cond",        ts::to_string(rule.condition),
      "threshold",   number(rule.threshold),
      "high",        number(rule.threshold_high),
      "tolerance",   number(rule.tolerance),
      "baseline",    millis(rule.baseline),
      "method",      ts::to_string(rule.method),
      "sensitivity", number(rule.sensitivity),
      "for",         millis(rule.for_duration),
      "keep",        millis(rule.keep_firing_for),
      "repeat",      millis(rule.repeat_interval),
      "nodata",      ts::to_string(rule.no_data),
  };
  if (!rule.series.empty()) {
    out.insert(out.end(), {"series", rule.series});
  } else {
    out.insert(out.end(), {"filters", joined(rule.filters)});
  }
  if (rule.resolve_threshold) {
    out.insert(out.end(), {"resolve", number(*rule.resolve_threshold)});
  }
  for (const auto& [name, value] : rule.labels) {
    out.insert(out.end(), {std::string(kLabel) + name, value});
  }
  for (const auto& [name, value] : rule.annotations) {
    out.insert(out.end(), {std::string(kAnnotation) + name, value});
  }
  return out;
}

ts::AlertRule rule_from_fields(const ReplyArray& fields) {
  std::map<std::string, const Reply*> by_name;
  ts::AlertRule rule;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& field = fields[i].as_string();
    const Reply& value = fields[i + 1];
    if (field.starts_with(kLabel)) {
      rule.labels.emplace(field.substr(kLabel.size()), value.as_string());
    } else if (field.starts_with(kAnnotation)) {
      rule.annotations.emplace(field.substr(kAnnotation.size()), value.as_string());
    } else {
      by_name.emplace(field, &value);
    }
  }
  auto find = [&](const char* field) -> const Reply* {
    const auto it = by_name.find(field);
    return it == by_name.end() ? nullptr : it->second;
  };
  const Reply* name = find("name");
  rule.name = name != nullptr ? name->as_string() : std::string();
  auto what = [&](const char* field) { return fmt::format("alert rule '{}': stored field '{}'", rule.name, field); };
  auto required = [&](const char* field) -> const Reply& {
    const Reply* value = find(field);
    if (value == nullptr) {
      throw ProtocolError(fmt::format("{} is missing", what(field)));
    }
    return *value;
  };
  auto as_millis = [&](const char* field) {
    return std::chrono::milliseconds(required(field).integer_field(what(field)));
  };
  auto as_double = [&](const char* field) { return required(field).double_field(what(field)); };
  auto as_enum = [&](const char* field, auto parse) {
    try {
      return parse(required(field).as_string());
    } catch (const InvalidArgument& error) {
      throw ProtocolError(fmt::format("{}: {}", what(field), error.what()));
    }
  };
  if (const Reply* series = find("series")) {
    rule.series = series->as_string();
  } else {
    rule.filters = split(required("filters").as_string());
  }
  rule.window = as_millis("window");
  {
    ts::Aggregation stored;
    try {
      ts::detail::parse_aggregator_token(required("agg").as_string(), stored);
    } catch (const ProtocolError& error) {
      throw ProtocolError(fmt::format("{}: {}", what("agg"), error.what()));
    }
    rule.aggregator = stored.aggregator;
    rule.quantile = stored.quantile;
  }
  rule.condition = as_enum("cond", ts::parse_alert_condition);
  rule.threshold = as_double("threshold");
  rule.threshold_high = as_double("high");
  rule.tolerance = as_double("tolerance");
  if (find("resolve") != nullptr) {
    rule.resolve_threshold = as_double("resolve");
  }
  rule.baseline = as_millis("baseline");
  rule.method = as_enum("method", ts::parse_anomaly_method);
  rule.sensitivity = as_double("sensitivity");
  rule.for_duration = as_millis("for");
  rule.keep_firing_for = as_millis("keep");
  rule.repeat_interval = as_millis("repeat");
  rule.no_data = as_enum("nodata", ts::parse_no_data_policy);
  return rule;
}

}  // namespace redkit::alert
