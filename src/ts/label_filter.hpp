// Label filters of multi-series queries ("host=a", "dc!=(x,y)", "env=", ...):
// pure parsing, so malformed filters fail before anything is sent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace redkit::ts::detail {

struct LabelFilter {
  std::string label{};
  bool negated = false;              // "!=" rather than "="
  std::vector<std::string> values{};  // empty: "k=" (absent) or "k!=" (present)
};

// Throws InvalidArgument naming the filter when it has no '=', an empty
// label, or a malformed "(a,b)" list.
LabelFilter parse_label_filter(std::string_view text);

}  // namespace redkit::ts::detail
