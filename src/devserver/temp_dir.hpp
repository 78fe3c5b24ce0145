// Private temporary directories for servers and generated test files.
#pragma once

#include <filesystem>
#include <string>

namespace redkit::devserver {

// A new directory <base>/<prefix>XXXXXX made with mkdtemp, where base is
// $TMPDIR, or /tmp when $TMPDIR is unset or so long that a unix socket inside
// the directory would not fit in sockaddr_un. Throws std::system_error.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace redkit::devserver
