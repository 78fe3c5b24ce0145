// An AlertRule as the fields of its Redis hash, and back (docs/KEYS.md):
// one field per setting, "label:NAME" and "annotation:NAME" for the maps,
// numbers as text that reads back exactly.
#pragma once

#include <string>
#include <vector>

#include "redkit/reply.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::alert {

// Field, value, field, value, ...
std::vector<std::string> rule_fields(const ts::AlertRule& rule);

// From HGETALL of a rule's hash. Throws ProtocolError naming the rule and
// the field when a stored value does not parse.
ts::AlertRule rule_from_fields(const ReplyArray& fields);

}  // namespace redkit::alert
