// The message of the exception of type E that fn throws, so one EXPECT_EQ
// checks both the type and the exact text of an error:
//
//   EXPECT_EQ(error_of<InvalidArgument>([&] { locks.make(""); }), "lock name is empty");
//
// Anything else (another exception type, or nothing thrown) comes back as a
// text that says so and can never equal an expected message.
#pragma once

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <typeinfo>

namespace redkit::test {

inline std::string type_name_of(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                                   &std::free);
  return status == 0 && name ? name.get() : type.name();
}

template <typename E, typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    // A subclass of E is not E: the tests name the exact type thrown.
    if (typeid(e) != typeid(E)) return "<" + type_name_of(typeid(e)) + " instead of " + type_name_of(typeid(E)) + ": " + e.what() + ">";
    return e.what();
  } catch (const std::exception& e) {
    return "<" + type_name_of(typeid(e)) + " instead of " + type_name_of(typeid(E)) + ": " + e.what() + ">";
  }
  return "<nothing thrown, expected " + type_name_of(typeid(E)) + ">";
}

}  // namespace redkit::test
