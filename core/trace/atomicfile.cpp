#include "atomicfile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace il {

std::optional<std::string> write_file_atomically(const std::string &path,
                                                 const std::function<bool(std::ostream &)> &write)
{
    const auto fail = [&](const std::string &what, int err) {
        return "cannot write " + path + ": " + what +
               (err ? std::string(": ") + std::strerror(err) : "");
    };
    std::string temp = path + ".XXXXXX";
    const int fd = mkstemp(temp.data());
    if (fd < 0)
        return fail("cannot create a temporary file beside it", errno);
    close(fd);
    // mkstemp makes the file 0600; a saved run should be as readable as any other file.
    const mode_t mask = umask(0);
    umask(mask);
    chmod(temp.c_str(), 0666 & ~mask);
    bool ok = false;
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        ok = out && write(out);
        out.close();
        ok = ok && !out.fail();
    }
    if (!ok) {
        const int err = errno;
        std::remove(temp.c_str());
        return fail("writing failed", err);
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::remove(temp.c_str());
        return fail("cannot rename the temporary file into place", err);
    }
    return std::nullopt;
}

} // namespace il
