#include "ratiotable.h"

#include <cstdio>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace ilbench {

CapturingReporter::CapturingReporter()
    : ConsoleReporter(OO_None)
{
}

void CapturingReporter::ReportRuns(const std::vector<Run> &runs)
{
    ConsoleReporter::ReportRuns(runs);
    for (const Run &run : runs) {
        const std::string &name = run.run_name.function_name;
        if (run.error_occurred) {
            m_errors.push_back(name + ": " + run.error_message);
            continue;
        }
        const bool median = run.run_type == Run::RT_Aggregate;
        if (median && run.aggregate_name != "median")
            continue;
        Result &result = m_results[name];
        if (result.median && !median)
            continue;
        result.median = median;
        for (const auto &[key, value] : run.counters)
            result.counters[key] = value.value;
    }
}

std::optional<double> CapturingReporter::counter(const std::string &benchmark,
                                                 const std::string &name) const
{
    const auto it = m_results.find(benchmark);
    if (it == m_results.end())
        return std::nullopt;
    const auto c = it->second.counters.find(name);
    if (c == it->second.counters.end())
        return std::nullopt;
    return c->second;
}

bool has_invariant_tsc()
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx))
        return false;
    return (edx & (1u << 8)) != 0; // "TscInvariant": constant rate, runs in deep C-states
#else
    return false;
#endif
}

namespace {

std::string format(const char *fmt, double a)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, a);
    return buf;
}

void row(std::ostream &out, const char *goal, const char *what, const std::string &measured,
         const std::string &baseline, const std::string &ratio, const char *target,
         std::optional<bool> met)
{
    char buf[320];
    std::snprintf(buf, sizeof buf, "%-5s %-30s %-24s %-42s %-7s %-11s %s\n", goal, what,
                  measured.c_str(), baseline.c_str(), ratio.c_str(), target,
                  !met   ? "n/a (not run)"
                  : *met ? "met"
                         : "NOT MET");
    out << buf;
}

} // namespace

bool print_goal_table(std::ostream &out, const CapturingReporter &r)
{
    const auto ns = [&](const char *bench) { return r.counter(bench, kNsPerOp); };
    const auto show = [](std::optional<double> v) {
        return v ? format("%.1f ns", *v) : std::string("-");
    };
    const bool tsc = has_invariant_tsc();
    const char *stampBench = tsc ? "BM_rdtsc" : "BM_clock_gettime";
    const char *stampName = tsc ? "rdtsc" : "clock_gettime";
    bool complete = true;

    out << "\nRecording cost, issue 6 goals 1-4, as ratios of figures measured in this run"
        << " (median when repeated)\n";
    row(out, "goal", "what", "measured", "baseline", "ratio", "target", true);
    out << std::string(130, '-') << '\n';

    const auto rec = ns("BM_lane_state"), stamp = ns(stampBench);
    std::optional<bool> met1;
    std::string ratio1 = "-";
    if (rec && stamp && *stamp > 0) {
        ratio1 = format("%.2fx", *rec / *stamp);
        met1 = *rec / *stamp <= 1.2;
    } else {
        complete = false;
    }
    row(out, "1", "record one event (Lane::state)", show(rec),
        std::string("bare timestamp (") + stampName + ") " + show(stamp), ratio1, "<= 1.2x", met1);

    const auto inst = ns("BM_instrumented_mutex"), plain = ns("BM_plain_mutex");
    std::optional<bool> met2;
    std::string over2 = "-";
    if (inst && plain) {
        over2 = format("%+.1f ns", *inst - *plain);
        met2 = *inst - *plain <= 40.0;
    } else {
        complete = false;
    }
    row(out, "2", "instrumented lock+unlock", over2 + " over plain",
        "plain std::mutex " + show(plain) + ", instr. " + show(inst), "", "<= +40 ns", met2);

    const auto child = ns("BM_shared_ring_forked_child"), inproc = ns("BM_shared_ring_in_process");
    std::optional<bool> met3;
    std::string ratio3 = "-";
    if (child && inproc && *inproc > 0) {
        ratio3 = format("%.2fx", *child / *inproc);
        met3 = *child / *inproc <= 2.0;
    } else {
        complete = false;
    }
    row(out, "3", "forked child shared-ring push", show(child), "in-process " + show(inproc),
        ratio3, "<= 2x", met3);

    const auto rate = r.counter("BM_collector_drain", kEventsPerSecond);
    std::optional<bool> met4;
    if (rate)
        met4 = *rate >= 30e6;
    else
        complete = false;
    row(out, "4", "collector drain",
        rate ? format("%.1f M events/s", *rate / 1e6) : std::string("-"),
        "per event " + show(ns("BM_collector_drain")), "", ">= 30 M/s", met4);

    out << "\nBaselines (ns per operation, same run):\n";
    const struct {
        const char *bench, *what;
    } baselines[] = {
        {"BM_rdtsc", "__rdtsc()"},
        {"BM_clock_gettime", "clock_gettime(CLOCK_MONOTONIC)"},
        {"BM_steady_clock", "std::chrono::steady_clock::now()"},
        {"BM_ring_push_no_clock", "Lane::state_at (ring push, no clock read)"},
        {"BM_mutex_vector_recorder", "std::mutex + vector::push_back + steady_clock"},
        {"BM_pipe_write", "write() of a 24-byte event to a pipe"},
    };
    for (const auto &b : baselines) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "  %-48s %s\n", b.what, show(ns(b.bench)).c_str());
        out << buf;
    }
    out << "  timestamp used for goal 1: " << stampName
        << (tsc ? " (CPU reports an invariant TSC)\n" : " (no invariant TSC on this CPU)\n");
    out.flush();
    return complete;
}

} // namespace ilbench
