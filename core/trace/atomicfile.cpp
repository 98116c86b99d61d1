#include "atomicfile.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace il {

namespace {

// The kernel's own limit on links followed in one path (MAXSYMLINKS).
constexpr int kMaxLinkHops = 40;

// The file a save replaces: `path` itself, or where its chain of symbolic links ends, so
// that the links survive. A dangling link leads to the name it points at, which the save
// then creates. nullopt, with errno set, when the links loop or cannot be read.
std::optional<std::string> save_target(const std::string &path)
{
    std::string target = path;
    for (int hop = 0; hop < kMaxLinkHops; ++hop) {
        struct stat st {};
        if (lstat(target.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
            return target; // not there yet, or not a link: written in place
        if (char *real = realpath(target.c_str(), nullptr)) { // the whole chain exists
            std::string resolved = real;
            std::free(real);
            return resolved;
        }
        // Dangling: follow one link by hand. A relative target is relative to the link's
        // directory; the path is left unnormalised so that ".." means what it means to the
        // kernel.
        std::vector<char> buffer(PATH_MAX);
        const ssize_t n = readlink(target.c_str(), buffer.data(), buffer.size());
        if (n <= 0) {
            errno = n < 0 ? errno : ENOENT;
            return std::nullopt;
        }
        if (std::size_t(n) == buffer.size()) {
            errno = ENAMETOOLONG;
            return std::nullopt;
        }
        const std::string link(buffer.data(), std::size_t(n));
        const auto slash = target.rfind('/');
        target = link.front() == '/' || slash == std::string::npos
                     ? link
                     : target.substr(0, slash + 1) + link;
    }
    errno = ELOOP;
    return std::nullopt;
}

// The process's umask, read without changing it: umask() can only be read by setting it,
// and a file another thread creates in between would get mode 0666. Linux 4.7 and later
// show it in /proc/self/status; only older kernels need the set-and-restore pair.
mode_t current_umask()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("Umask:", 0) != 0)
            continue;
        char *end = nullptr;
        const unsigned long mask = std::strtoul(line.c_str() + 6, &end, 8);
        if (end != line.c_str() + 6 && mask <= 0777)
            return mode_t(mask);
        break;
    }
    const mode_t mask = umask(0);
    umask(mask);
    return mask;
}

} // namespace

std::optional<std::string> write_file_atomically(const std::string &path,
                                                 const std::function<bool(std::ostream &)> &write)
{
    const auto fail = [&](const std::string &what, int err) {
        return "cannot write " + path + ": " + what +
               (err ? std::string(": ") + std::strerror(err) : "");
    };
    const std::optional<std::string> target = save_target(path);
    if (!target)
        return fail("cannot follow its symbolic link", errno);
    // Beside the target, not the link: rename() stays within one file system, and renaming
    // onto the link would replace the link with a regular file.
    std::string temp = *target + ".XXXXXX";
    const int fd = mkstemp(temp.data());
    if (fd < 0)
        return fail(*target == path ? "cannot create a temporary file beside it"
                                    : "cannot create a temporary file beside its target " + *target,
                    errno);
    close(fd);
    // mkstemp makes the file 0600. A saved file is as readable as any other new file, and
    // replacing a file keeps its permissions. Set after writing, so that a read-only mode
    // does not stop the write.
    struct stat existing {};
    const mode_t mode = stat(target->c_str(), &existing) == 0 && S_ISREG(existing.st_mode)
                            ? existing.st_mode & 0777
                            : 0666 & ~current_umask();
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
    // Best effort, as QSaveFile: some file systems (FAT, some network mounts) refuse
    // chmod, and the content is still worth saving there.
    chmod(temp.c_str(), mode);
    if (std::rename(temp.c_str(), target->c_str()) != 0) {
        const int err = errno;
        std::remove(temp.c_str());
        return fail("cannot rename the temporary file into place", err);
    }
    return std::nullopt;
}

} // namespace il
