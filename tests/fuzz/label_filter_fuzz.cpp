// Label filter parsing ("host=a", "dc!=(x,y)", "env="). Filters come from
// users and go into multi-series queries, so on any text the parser must
// return a filter or throw redkit::InvalidArgument. A parsed filter must
// hold what the grammar promises (a non-empty label, no empty value in a
// list), and writing it back in the same grammar must parse to the same
// filter, so no two different filters are confused.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "redkit/error.hpp"
#include "ts/label_filter.hpp"

namespace {

using redkit::ts::detail::LabelFilter;

void check(bool ok) {
  if (!ok) std::abort();
}

std::string render(const LabelFilter& filter) {
  std::string text = filter.label + (filter.negated ? "!=" : "=");
  if (filter.values.empty()) return text;
  if (filter.values.size() == 1 && filter.values.front().front() != '(') return text + filter.values.front();
  text += '(';
  for (std::size_t i = 0; i < filter.values.size(); ++i) {
    if (i > 0) text += ',';
    text += filter.values[i];
  }
  return text + ')';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LabelFilter filter;
  try {
    filter = redkit::ts::detail::parse_label_filter(text);
  } catch (const redkit::InvalidArgument&) {
    return 0;
  }
  check(!filter.label.empty());
  check(filter.label.find('=') == std::string::npos);
  for (const std::string& value : filter.values) check(!value.empty());
  if (filter.values.size() > 1) {
    for (const std::string& value : filter.values) check(value.find(',') == std::string::npos);
  }

  const LabelFilter again = redkit::ts::detail::parse_label_filter(render(filter));
  check(again.label == filter.label && again.negated == filter.negated && again.values == filter.values);
  return 0;
}
