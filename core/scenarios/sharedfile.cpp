#include "sharedfile.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace il {
namespace {

[[noreturn]] void fail(const std::string &what, const std::string &path)
{
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

} // namespace

SharedCounterFile::SharedCounterFile()
{
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/interleave-race-XXXXXX";
    if (!mkdtemp(pattern.data()))
        fail("cannot create a temporary directory", pattern);
    m_dir = pattern;
    m_path = m_dir + "/counter.txt";
    try {
        write(0, 0);
    } catch (...) {
        rmdir(m_dir.c_str());
        throw;
    }
}

SharedCounterFile::~SharedCounterFile()
{
    unlink(m_path.c_str());
    rmdir(m_dir.c_str());
}

std::int64_t SharedCounterFile::read() const
{
    const int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail("cannot open", m_path);
    char text[32] = {};
    const ssize_t n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (n < 0)
        fail("cannot read", m_path);
    return std::strtoll(text, nullptr, 10);
}

void SharedCounterFile::write(std::int64_t value, int writer) const
{
    const std::string temporary = m_path + ".tmp" + std::to_string(writer);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        fail("cannot create", temporary);
    const std::string text = std::to_string(value) + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    ::close(fd);
    if (!written || std::rename(temporary.c_str(), m_path.c_str()) != 0) {
        const int error = errno;
        unlink(temporary.c_str());
        errno = error;
        fail("cannot write", m_path);
    }
}

} // namespace il
