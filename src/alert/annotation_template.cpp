#include "alert/annotation_template.hpp"

#include <fmt/format.h>

namespace redkit::alert {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// The text for one placeholder's name, or nullopt for a name not known.
std::optional<std::string> lookup(std::string_view name, const TemplateValues& values) {
  if (name == "series") {
    return std::string(values.series);
  }
  if (name == "value") {
    return values.value ? fmt::format("{}", *values.value) : std::string();
  }
  constexpr std::string_view kLabelPlaceholder = "label.";
  if (name.starts_with(kLabelPlaceholder) && name.size() > kLabelPlaceholder.size()) {
    if (values.labels != nullptr) {
      const auto found = values.labels->find(std::string(name.substr(kLabelPlaceholder.size())));
      if (found != values.labels->end()) {
        return found->second;
      }
    }
    return std::string();
  }
  return std::nullopt;
}

}  // namespace

std::string expand_template(std::string_view text, const TemplateValues& values) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find("{{", at);
    if (open == std::string_view::npos) {
      break;
    }
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      break;
    }
    out.append(text.substr(at, open - at));
    const auto replacement = lookup(trimmed(text.substr(open + 2, close - open - 2)), values);
    out.append(replacement ? *replacement : std::string(text.substr(open, close + 2 - open)));
    at = close + 2;
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace redkit::alert
