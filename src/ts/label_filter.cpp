#include "ts/label_filter.hpp"

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::ts::detail {

LabelFilter parse_label_filter(std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0 || (equals == 1 && text[0] == '!')) {
    throw InvalidArgument(fmt::format("label filter '{}' is not label=value, label!=value, label=(a,b) or label=",
                                      text));
  }
  LabelFilter filter;
  filter.negated = text[equals - 1] == '!';
  filter.label = std::string(text.substr(0, filter.negated ? equals - 1 : equals));
  std::string_view values = text.substr(equals + 1);
  if (values.empty()) {
    return filter;
  }
  if (values.front() == '(') {
    if (values.size() < 3 || values.back() != ')') {
      throw InvalidArgument(fmt::format("label filter '{}': a value list is written (a,b,...)", text));
    }
    values = values.substr(1, values.size() - 2);
    std::size_t start = 0;
    while (start <= values.size()) {
      const auto comma = values.find(',', start);
      const auto value = values.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (value.empty()) {
        throw InvalidArgument(fmt::format("label filter '{}' has an empty value in its list", text));
      }
      filter.values.emplace_back(value);
      if (comma == std::string_view::npos) {
        break;
      }
      start = comma + 1;
    }
    return filter;
  }
  filter.values.emplace_back(values);
  return filter;
}

}  // namespace redkit::ts::detail
