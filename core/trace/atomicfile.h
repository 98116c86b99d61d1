#pragma once
#include <functional>
#include <optional>
#include <ostream>
#include <string>

namespace il {

// Writes a file under a temporary name in the same directory and renames it into place
// once `write` succeeded, so a reader never sees half a file and a failed export leaves
// nothing behind. Like QSaveFile: when `path` is a symbolic link (or a chain of them) the
// file it points to is replaced and the link stays; an existing file keeps its permission
// bits, a new one gets 0666 less the umask. Returns an error message naming the file, or
// nullopt.
std::optional<std::string> write_file_atomically(const std::string &path,
                                                 const std::function<bool(std::ostream &)> &write);

} // namespace il
