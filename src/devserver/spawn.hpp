// Starting a child program whose output goes to a file, and reaping it. The
// child is tied to its parent: it gets SIGKILL when the thread that started it
// dies, so a crashed or killed test run leaves no server behind.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace redkit::devserver {

// The first executable file called name on $PATH. Throws std::runtime_error
// when there is none.
std::filesystem::path find_executable(const std::string& name);

// Starts executable with argv (argv[0] included), stdin from /dev/null and
// stdout/stderr appended to output. Returns the child's PID. Throws
// std::system_error when the output cannot be opened or the exec fails.
pid_t spawn_with_output(const std::filesystem::path& executable,
                        const std::vector<std::string>& argv,
                        const std::filesystem::path& output);

// The wait status when pid has exited (and is now reaped), nullopt while it
// runs. A child that cannot be waited for any more counts as exited (-1).
std::optional<int> try_reap(pid_t pid) noexcept;

// Blocks until pid exits and returns its wait status (-1 as above).
int reap(pid_t pid) noexcept;

// "exited with status 1", "killed by signal 9".
std::string describe_wait_status(int status);

// argv joined into a line a shell would accept, for error messages.
std::string printable_command(const std::vector<std::string>& argv);

}  // namespace redkit::devserver
