// libFuzzer target for the trace reader (issue 7): any bytes get either a timeline or one
// clear line of error naming the file; never a crash, a hang, a leak or unbounded memory
// (ASan, UBSan and libFuzzer's -timeout and -rss_limit_mb watch for those). What it
// reads is written again, what was written must read back, and saving that again must
// give the same bytes, as Save after Open would do.
#include "timeline.h"
#include "trace/runinfo.h"
#include "trace/tracereader.h"
#include "trace/tracewriter.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

// Small enough that short inputs reach every limit's check.
il::TraceLimits small_limits()
{
    il::TraceLimits l;
    l.maxFileBytes = 1 << 20;
    l.maxEvents = 2000;
    l.maxThreads = 16;
    l.maxProcesses = 8;
    l.maxStringBytes = 4096;
    l.maxNumberBytes = 64;
    l.maxNameBytes = 24;
    l.maxLabels = 32;
    l.maxDepth = 16;
    l.maxEventValues = 256;
    l.maxMetadataValues = 2048;
    l.maxOpenSlices = 16;
    return l;
}

[[noreturn]] void fail(const char *what, const std::string &detail)
{
    std::fprintf(stderr, "fuzz_tracereader: %s: %s\n", what, detail.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string name = "fuzz.json";
    std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
    il::TraceReadOptions options;
    options.limits = small_limits();
    il::Timeline timeline;
    il::RunInfo info;
    const il::TraceReadResult r = il::read_trace(in, size, name, timeline, info, options);
    if (!r.ok) {
        if (r.error.rfind(name + ": ", 0) != 0 || r.error.size() <= name.size() + 2 ||
            r.error.find('\n') != std::string::npos)
            fail("unclear message", r.error);
        return 0;
    }
    std::ostringstream saved;
    if (!il::write_trace(saved, timeline, info))
        fail("write failed", "");
    std::istringstream again(saved.str());
    il::Timeline reopened;
    il::RunInfo info2;
    const il::TraceReadResult r2 =
        il::read_trace(again, saved.str().size(), "saved.json", reopened, info2);
    if (!r2.ok)
        fail("a saved trace does not read back", r2.error);
    // What Interleave wrote, it restores exactly: saving the re-opened run gives the same
    // bytes (the round trip that File → Save after File → Open relies on).
    std::ostringstream resaved;
    if (!il::write_trace(resaved, reopened, info2))
        fail("second write failed", "");
    if (resaved.str() != saved.str())
        fail("save -> open -> save changed the bytes",
             std::to_string(saved.str().size()) + " then " + std::to_string(resaved.str().size()));
    return 0;
}
