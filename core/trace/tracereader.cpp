#include "tracereader.h"

#include "tracebuild.h"
#include "traceparse.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <streambuf>
#include <sys/stat.h>

namespace il {
namespace {

// Hands the parser the input in 64 KiB blocks, counting bytes (for messages and
// progress), asking whether to go on, and watching string lengths: the JSON lexer would
// otherwise buffer a string of any length before we see it.
class GuardedBuffer : public std::streambuf {
public:
    GuardedBuffer(std::streambuf &source, std::uint64_t size, const TraceReadOptions &options)
        : m_source(source)
        , m_size(size)
        , m_options(options)
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
        if (m_before + std::uint64_t(n) > TraceLimits::kMaxFileBytes) {
            m_problem = "byte " + std::to_string(m_before) + ": the file is larger than " +
                        std::to_string(TraceLimits::kMaxFileBytes >> 20) + " MiB";
            return traits_type::eof();
        }
        if (!watch_strings(std::size_t(n)))
            return traits_type::eof();
        setg(m_block, m_block, m_block + n);
        return traits_type::to_int_type(*gptr());
    }

private:
    bool watch_strings(std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i) {
            const char c = m_block[i];
            if (!m_inString) {
                if (c == '"') {
                    m_inString = true;
                    m_stringStart = m_before + i;
                }
                continue;
            }
            if (m_escaped)
                m_escaped = false;
            else if (c == '\\')
                m_escaped = true;
            else if (c == '"')
                m_inString = false;
            if (m_inString && m_before + i - m_stringStart > TraceLimits::kMaxStringBytes) {
                m_problem = "byte " + std::to_string(m_stringStart) + ": a string longer than " +
                            std::to_string(TraceLimits::kMaxStringBytes) + " bytes";
                return false;
            }
        }
        return true;
    }

    std::streambuf &m_source;
    const std::uint64_t m_size;
    const TraceReadOptions &m_options;
    char m_block[1 << 16];
    std::uint64_t m_before = 0;
    bool m_cancelled = false;
    std::string m_problem;
    bool m_inString = false;
    bool m_escaped = false;
    std::uint64_t m_stringStart = 0;
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
    if (size > TraceLimits::kMaxFileBytes)
        return fail("the file is " + std::to_string(size >> 20) + " MiB; at most " +
                    std::to_string(TraceLimits::kMaxFileBytes >> 20) + " MiB can be opened");
    if (!in.rdbuf())
        return fail("cannot be read");
    auto guard = std::make_unique<GuardedBuffer>(*in.rdbuf(), size, options);
    std::istream guarded(guard.get());
    trace::RawTrace raw;
    trace::ParseHooks hooks{[&] { return guard->position(); }, [&] { return guard->stopped(); }};
    std::string why;
    const bool parsed = trace::parse_events(guarded, raw, hooks, why);
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
