#include "gantttable.h"

#include <cstdio>
#include <optional>
#include <string>

namespace ganttbench {
namespace {

using Value = std::optional<double>;

std::string format(const char *fmt, double a)
{
    char buf[96];
    std::snprintf(buf, sizeof buf, fmt, a);
    return buf;
}

std::string ms(Value v)
{
    return v ? format(*v < 10 ? "%.2f ms" : "%.1f ms", *v) : std::string("-");
}

std::string bytesText(Value v)
{
    return v ? format("%.1f B", *v) : std::string("-");
}

std::string times(Value a, Value b)
{
    return a && b && *b > 0 ? format("%.2fx", *a / *b) : std::string("-");
}

// Same layout as the recording table (../ratiotable.cpp), so the two read as one.
void row(std::ostream &out, const char *goal, const std::string &what, const std::string &measured,
         const std::string &baseline, const std::string &ratio, const char *target,
         std::optional<bool> met)
{
    char buf[400];
    std::snprintf(buf, sizeof buf, "%-5s %-34s %-22s %-44s %-7s %-10s %s\n", goal, what.c_str(),
                  measured.c_str(), baseline.c_str(), ratio.c_str(), target,
                  !met   ? "n/a (not run)"
                  : *met ? "met"
                         : "NOT MET");
    out << buf;
}

class Table {
public:
    explicit Table(const ilbench::CapturingReporter &r)
        : m_r(r)
    {
    }
    Value get(const std::string &bench, const char *counter) const
    {
        return m_r.counter(bench, counter);
    }
    Value frame(const char *series, const char *zoom, std::int64_t n) const
    {
        return get(frameName(series, zoom, n), kMsPerFrame);
    }
    // A row whose figure must exist; its absence makes the table incomplete.
    std::optional<bool> check(Value v, bool met)
    {
        if (!v) {
            m_complete = false;
            return std::nullopt;
        }
        return met;
    }
    bool complete() const { return m_complete; }

private:
    const ilbench::CapturingReporter &m_r;
    bool m_complete = true;
};

void frameRows(std::ostream &out, Table &t, const Sizes &s)
{
    const std::string at = label(s.goal);
    const std::int64_t first = s.frames.front();
    for (const char *zoom : {kFull, kZoom1}) {
        const char *how = zoom == kFull ? "fully zoomed out" : "1 % zoom";
        const Value mine = t.frame(kInterleave, zoom, s.goal);
        const Value charts = t.frame(kQtCharts, zoom, s.goal);
        t.check(charts, true);
        row(out, "6", "frame at " + at + ", " + how, ms(mine),
            "Qt Charts step series " + ms(charts), times(mine, charts), "<= 16 ms",
            t.check(mine, mine && *mine <= 16.0));
    }
    for (const char *zoom : {kFull, kZoom1}) {
        const char *how = zoom == kFull ? "zoomed out" : "1 % zoom";
        const Value small = t.frame(kInterleave, zoom, first);
        const Value big = t.frame(kInterleave, zoom, s.goal);
        const Value growth = small && big && *small > 0 ? Value(*big / *small) : std::nullopt;
        const Value chartsGrowth = [&]() -> Value {
            const Value a = t.frame(kQtCharts, zoom, first), b = t.frame(kQtCharts, zoom, s.goal);
            return a && b && *a > 0 ? Value(*b / *a) : std::nullopt;
        }();
        row(out, "6", "growth " + label(first) + " -> " + at + ", " + how,
            ms(small) + " -> " + ms(big),
            "Qt Charts grows " + (chartsGrowth ? format("%.1fx", *chartsGrowth) : "-"),
            growth ? format("%.2fx", *growth) : "-", "<= 4x",
            t.check(growth, growth && *growth <= 4.0));
    }
    const std::string big = label(s.panZoom);
    const Value pan = t.get(panName(s.panZoom), kMsPerFrame);
    const Value zoom = t.get(zoomName(s.panZoom), kMsPerFrame);
    row(out, "6", "pan frame at " + big, ms(pan), "a 10 % window moved by 1/8 per frame", "",
        "<= 16 ms", t.check(pan, pan && *pan <= 16.0));
    row(out, "6", "zoom frame at " + big, ms(zoom), "2x per frame, whole run <-> 1/128", "",
        "<= 16 ms", t.check(zoom, zoom && *zoom <= 16.0));
}

} // namespace

bool printGanttTable(std::ostream &out, const ilbench::CapturingReporter &r, const Sizes &s)
{
    Table t(r);
    out << "\nTimeline at scale, issue 6 goals 6-9, from figures measured in this run"
        << " (64 lanes, view 1600x900, raster)\n";
    row(out, "goal", "what", "measured", "baseline", "ratio", "target", true);
    out << std::string(136, '-') << '\n';
    frameRows(out, t, s);

    const std::string ex = exportName(s.exportSize);
    const Value secs = t.get(ex, kSeconds), bytes = t.get(ex, kBytes);
    row(out, "7", "PNG export " + label(s.exportSize) + " at 1920x1080",
        secs ? format("%.3f s", *secs) + (bytes ? format(", %.0f KB", *bytes / 1024) : "") : "-",
        "render " + (t.get(ex, "render_s") ? format("%.3f s", *t.get(ex, "render_s")) : "-") +
            " + write PNG " +
            (t.get(ex, "write_s") ? format("%.3f s", *t.get(ex, "write_s")) : "-"),
        "", "<= 0.5 s", t.check(secs, secs && *secs <= 0.5));

    const Value perEvent = t.get(frameName(kInterleave, kFull, s.goal), kBytesPerEvent);
    const Value chartsPerEvent = t.get(frameName(kQtCharts, kFull, s.goal), kBytesPerEvent);
    row(out, "8", "memory per stored event at " + label(s.goal), bytesText(perEvent),
        "Qt Charts step series " + bytesText(chartsPerEvent) + " (heap)",
        times(perEvent, chartsPerEvent), "<= 32 B", t.check(perEvent, perEvent && *perEvent <= 32));

    const Value stall = t.get(kStallRun, kMaxMs), idle = t.get(kStallIdle, kMaxMs);
    t.check(idle, true);
    row(out, "9", "GUI stall, 64-thread mutex run", "max " + ms(stall),
        "idle window max " + ms(idle) + ", p99 " + ms(t.get(kStallIdle, kP99Ms)),
        times(stall, idle), "<= 50 ms", t.check(stall, stall && *stall <= 50.0));
    const Value events = t.get(kStallRun, "events"), runMs = t.get(kStallRun, "run_ms");
    out << "      the run: p99 gap " << ms(t.get(kStallRun, kP99Ms)) << ", "
        << (events ? format("%.0f", *events) : "-") << " events in "
        << (runMs ? format("%.0f ms", *runMs) : "-") << ", "
        << (t.get(kStallRun, "dropped") ? format("%.0f", *t.get(kStallRun, "dropped")) : "-")
        << " dropped; GUI thread busy "
        << (t.get(kStallRun, "gui_cpu") ? format("%.0f %%", *t.get(kStallRun, "gui_cpu") * 100)
                                        : "-")
        << " of the time\n";
    const auto count = [](Value v) { return v ? format("%.0f", *v) : std::string("-"); };
    const Value longEvents = t.get(kStallLong, "events"),
                longDropped = t.get(kStallLong, "dropped");
    out << "      a long 4-thread run: max gap " << ms(t.get(kStallLong, kMaxMs)) << ", "
        << count(longEvents) << " events in " << ms(t.get(kStallLong, "run_ms")) << ", "
        << count(longDropped) << " dropped"
        << (longEvents && longDropped && *longEvents + *longDropped > 0
                ? format(" (%.0f %%)", 100 * *longDropped / (*longEvents + *longDropped))
                : std::string())
        << ", all shown " << ms(t.get(kStallLong, "behind_ms")) << " after it ended\n"
        << "      probe: a 1 ms Qt::PreciseTimer on the GUI thread; a gap is the"
        << " time between two ticks\n";

    out << "\nFrame time per size (ms/frame): Interleave's Gantt view beside one step-shaped"
        << " QLineSeries per lane; the timeline's memory per stored event\n";
    char buf[200];
    std::snprintf(buf, sizeof buf, "  %-9s %14s %14s %8s %14s %14s %8s %12s\n", "segments",
                  "Interleave", "Qt Charts", "ratio", "Interleave 1%", "Qt Charts 1%", "ratio",
                  "bytes/event");
    out << buf;
    for (const std::int64_t n : s.frames) {
        const Value a = t.frame(kInterleave, kFull, n), b = t.frame(kQtCharts, kFull, n);
        const Value c = t.frame(kInterleave, kZoom1, n), d = t.frame(kQtCharts, kZoom1, n);
        const bool charts = n <= s.chartsLimit;
        t.check(a, true);
        t.check(c, true);
        if (charts) {
            t.check(b, true);
            t.check(d, true);
        }
        const Value held = t.get(frameName(kInterleave, kFull, n), kBytesPerEvent);
        std::snprintf(buf, sizeof buf, "  %-9s %14s %14s %8s %14s %14s %8s %12s\n",
                      label(n).c_str(), ms(a).c_str(), charts ? ms(b).c_str() : "(skipped)",
                      times(a, b).c_str(), ms(c).c_str(), charts ? ms(d).c_str() : "(skipped)",
                      times(c, d).c_str(), bytesText(held).c_str());
        out << buf;
    }
    out.flush();
    return t.complete();
}

} // namespace ganttbench
