#include "tracereader.h"

#include "tracebuild.h"
#include "traceparse.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <ios>
#include <memory>
#include <streambuf>
#include <sys/stat.h>

namespace il {
namespace {

// Hands the parser the input in 64 KiB blocks, counting bytes (for messages and
// progress), asking whether to go on, and watching the length of strings and numbers:
// the JSON lexer would otherwise buffer a token of any length before we see it.
class GuardedBuffer : public std::streambuf {
public:
    GuardedBuffer(std::streambuf &source, std::uint64_t size, const TraceReadOptions &options)
        : m_source(source)
        , m_size(size)
        , m_options(options)
        , m_limits(options.limits)
    {
    }

    std::uint64_t position() const { return m_before + std::uint64_t(gptr() - eback()); }
    bool cancelled() const { return m_cancelled; }
    const std::string &problem() const { return m_problem; }
    bool stopped() const { return m_cancelled || !m_problem.empty(); }

protected:
    int_type underflow() override
    {
        if (gptr() < egptr())
            return traits_type::to_int_type(*gptr());
        m_before += std::uint64_t(egptr() - eback());
        setg(m_block, m_block, m_block);
        if (stopped())
            return traits_type::eof();
        if (m_options.progress && !m_options.progress(m_before, m_size)) {
            m_cancelled = true;
            return traits_type::eof();
        }
        const std::streamsize n = m_source.sgetn(m_block, sizeof m_block);
        if (n <= 0)
            return traits_type::eof();
        if (m_before + std::uint64_t(n) > m_limits.maxFileBytes) {
            m_problem = "byte " + std::to_string(m_before) + ": the file is larger than " +
                        trace::size_text(m_limits.maxFileBytes);
            return traits_type::eof();
        }
        if (!watch_tokens(std::size_t(n)))
            return traits_type::eof();
        setg(m_block, m_block, m_block + n);
        return traits_type::to_int_type(*gptr());
    }

private:
    static bool number_char(char c)
    {
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    }

    bool watch_tokens(std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i) {
            const char c = m_block[i];
            const std::uint64_t at = m_before + i;
            if (!m_inString) {
                if (c == '"') {
                    m_inString = true;
                    m_inNumber = false;
                    m_tokenStart = at;
                    continue;
                }
                if (!number_char(c)) {
                    m_inNumber = false;
                    continue;
                }
                if (!m_inNumber) {
                    m_inNumber = true;
                    m_tokenStart = at;
                }
                if (at - m_tokenStart >= m_limits.maxNumberBytes)
                    return too_long("a number", m_limits.maxNumberBytes);
                continue;
            }
            if (m_escaped)
                m_escaped = false;
            else if (c == '\\')
                m_escaped = true;
            else if (c == '"')
                m_inString = false;
            if (m_inString && at - m_tokenStart > m_limits.maxStringBytes)
                return too_long("a string", m_limits.maxStringBytes);
        }
        return true;
    }

    bool too_long(const char *what, std::size_t limit)
    {
        m_problem = "byte " + std::to_string(m_tokenStart) + ": " + what + " longer than " +
                    std::to_string(limit) + " bytes";
        return false;
    }

    std::streambuf &m_source;
    const std::uint64_t m_size;
    const TraceReadOptions &m_options;
    char m_block[1 << 16];
    std::uint64_t m_before = 0;
    bool m_cancelled = false;
    std::string m_problem;
    const TraceLimits &m_limits;
    bool m_inString = false;
    bool m_escaped = false;
    bool m_inNumber = false;
    std::uint64_t m_tokenStart = 0;
};

} // namespace

TraceReadResult read_trace(std::istream &in, std::uint64_t size, const std::string &name,
                           Timeline &timeline, RunInfo &info, const TraceReadOptions &options)
{
    TraceReadResult result;
    const auto fail = [&](const std::string &what) {
        result.error = name + ": " + what;
        return result;
    };
    if (size > options.limits.maxFileBytes)
        return fail("the file is " + trace::size_text(size) + "; at most " +
                    trace::size_text(options.limits.maxFileBytes) + " can be opened");
    if (!in.rdbuf())
        return fail("cannot be read");
    auto guard = std::make_unique<GuardedBuffer>(*in.rdbuf(), size, options);
    std::istream guarded(guard.get());
    trace::RawTrace raw;
    raw.limits = options.limits;
    // ns = us * 1000 must fit in 64 bits with room for an offset and a duration.
    raw.limits.maxAbsMicros = std::min(raw.limits.maxAbsMicros, TraceLimits{}.maxAbsMicros);
    trace::ParseHooks hooks{[&] { return guard->position(); }, [&] { return guard->stopped(); }};
    std::string why;
    bool parsed = false;
    try {
        parsed = trace::parse_events(guarded, raw, hooks, why);
    } catch (const std::ios_base::failure &e) {
        // A file that opens but fails to read (EIO: /proc/self/mem, a failing disk): the
        // standard file buffer throws from underflow. One message, as for any bad file.
        return fail("cannot be read: " + e.code().message());
    }
    if (guard->cancelled()) {
        result.cancelled = true;
        return fail("cancelled");
    }
    if (!guard->problem().empty())
        return fail(guard->problem());
    if (!parsed)
        return fail(why);
    if (!trace::build(raw, timeline, info, result.foreign, why))
        return fail(why);
    if (options.progress)
        options.progress(size, size);
    result.ok = true;
    return result;
}

TraceReadResult read_trace(const std::string &path, Timeline &timeline, RunInfo &info,
                           const TraceReadOptions &options)
{
    TraceReadResult result;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
        result.error = path + ": cannot open: " + std::strerror(errno);
        return result;
    }
    if (S_ISDIR(st.st_mode)) {
        result.error = path + ": is a directory, not a trace file";
        return result;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        result.error = path + ": cannot open: " + std::strerror(errno);
        return result;
    }
    return read_trace(in, std::uint64_t(st.st_size), path, timeline, info, options);
}

} // namespace il
