// Lock naming helpers.
#include "redkit/lock_names.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lock/lock_keys.hpp"
#include "redkit/error.hpp"

namespace redkit::lock_names {
namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  if (parts.size() == 0) throw InvalidArgument("a lock name needs at least one part");
  std::string name;
  std::size_t position = 0;
  for (std::string_view part : parts) {
    ++position;
    if (part.empty()) {
      throw InvalidArgument(fmt::format("part {} of lock name \"{}\" is empty", position, fmt::join(parts, ":")));
    }
    if (part.find_first_of(":{}") != std::string_view::npos) {
      throw InvalidArgument(fmt::format("lock name part \"{}\" holds ':', '{{' or '}}'", part));
    }
    if (!name.empty()) name += ':';
    name += part;
  }
  detail::validate_lock_name(name);
  return name;
}

}  // namespace

std::string resource(std::string_view type, std::string_view id) { return join({"resource", type, id}); }

std::string user(std::string_view user_id) { return join({"user", user_id}); }

std::string operation(std::string_view operation, std::string_view target) { return join({"op", operation, target}); }

std::string hierarchical(std::initializer_list<std::string_view> parts) { return join(parts); }

}  // namespace redkit::lock_names
