// redkit/lock_names.hpp — lock names built the same way everywhere, so that
// two services locking "the same account" really use the same lock.
//
//   using namespace redkit::lock_names;
//   resource("account", "acc456");              // "resource:account:acc456"
//   user("user123");                            // "user:user123"
//   operation("transfer", "acc456-to-acc789");  // "op:transfer:acc456-to-acc789"
//   hierarchical({"billing", "invoices", "2026-11"});  // "billing:invoices:2026-11"
//
// Parts are joined with ':', so a part may not contain ':' itself (two
// different lists of parts would otherwise give one name), nor '{' or '}'
// (they would break the key's hash tag). Bad parts throw InvalidArgument
// naming them. Every key of one lock carries the whole name as its hash tag.
//
// Thread-safety: pure functions.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace redkit::lock_names {

std::string resource(std::string_view type, std::string_view id);
std::string user(std::string_view user_id);
std::string operation(std::string_view operation, std::string_view target);
std::string hierarchical(std::initializer_list<std::string_view> parts);

}  // namespace redkit::lock_names
