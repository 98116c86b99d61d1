#include "ratiotable.h"

#include "tsc.h"

#include <cstdio>
#include <tuple>

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
    std::snprintf(buf, sizeof buf, "%-5s %-30s %-24s %-58s %-7s %-11s %s\n", goal, what,
                  measured.c_str(), baseline.c_str(), ratio.c_str(), target,
                  !met   ? "n/a (not run)"
                  : *met ? "met"
                         : "NOT MET");
    out << buf;
}

// A goal row "measured / baseline <= target" (or ">= target" when `atLeast`).
struct Ratio {
    std::string text = "-";
    std::optional<bool> met;
};

Ratio ratio(std::optional<double> measured, std::optional<double> baseline, double target,
            bool atLeast = false)
{
    Ratio r;
    if (measured && baseline && *baseline > 0) {
        const double x = *measured / *baseline;
        r.text = format("%.2fx", x);
        r.met = atLeast ? x >= target : x <= target;
    }
    return r;
}

// The ways of stamping an event that goal 1 chose between (bench_timestamps.cpp).
void print_timestamp_variants(std::ostream &out, const CapturingReporter &r)
{
    const struct {
        const char *read, *event, *what;
    } variants[] = {
        {"BM_rdtsc", "BM_event_rdtsc_raw", "rdtsc, raw ticks"},
        {"BM_variant_rdtsc_scaled", "BM_event_rdtsc_scaled", "rdtsc, scaled (now_ns)"},
        {"BM_variant_lfence_rdtsc", "BM_event_lfence_rdtsc_raw", "lfence; rdtsc, raw ticks"},
        {"BM_variant_lfence_rdtsc_scaled", "BM_event_lfence_rdtsc_scaled",
         "lfence; rdtsc, scaled (now_ordered_ns)"},
        {"BM_variant_rdtscp", "BM_event_rdtscp_scaled", "rdtscp, scaled"},
    };
    const auto cell = [&](const char *bench) {
        const auto mean = r.counter(bench, kNsPerOp), best = r.counter(bench, kBestNsPerOp);
        if (!mean || !best)
            return std::string("-");
        return format("%.1f", *mean) + format(" (best %.1f)", *best);
    };
    out << "\nTSC timestamp variants, ns per operation (best batch):\n";
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %-40s %-22s %s\n", "variant", "timestamp alone",
                  "+ push onto a lane");
    out << buf;
    for (const auto &v : variants) {
        std::snprintf(buf, sizeof buf, "  %-40s %-22s %s\n", v.what, cell(v.read).c_str(),
                      cell(v.event).c_str());
        out << buf;
    }
}

} // namespace

bool print_goal_table(std::ostream &out, const CapturingReporter &r)
{
    const auto ns = [&](const char *bench) { return r.counter(bench, kNsPerOp); };
    const auto show = [](std::optional<double> v) {
        return v ? format("%.1f ns", *v) : std::string("-");
    };
    const bool tsc = il::cpu_has_invariant_tsc();
    const il::ClockSource inUse = il::clock_source();
    bool complete = true;
    const auto need = [&](const Ratio &x) {
        complete &= x.met.has_value();
        return x;
    };

    out << "\nRecording cost, issue 6 goals 1-5, as ratios of figures measured in this run"
        << " (median when repeated)\n";
    row(out, "goal", "what", "measured", "baseline", "ratio", "target", true);
    out << std::string(146, '-') << '\n';

    // Goal 1 as the issue asks: the TSC clock against a bare rdtsc (where the CPU has an
    // invariant TSC, forced if the kernel keeps time with another clock; CLOCK_MONOTONIC
    // against clock_gettime elsewhere).
    const bool forced = tsc && inUse != il::ClockSource::Tsc;
    const auto rec = ns(tsc ? "BM_lane_state_tsc" : "BM_lane_state");
    const auto stamp = ns(tsc ? "BM_rdtsc" : "BM_clock_gettime");
    const Ratio r1 = need(ratio(rec, stamp, 1.2));
    row(out, "1",
        !tsc     ? "Lane::state"
        : forced ? "Lane::state, forced TSC"
                 : "Lane::state, TSC clock",
        show(rec), std::string("bare ") + (tsc ? "__rdtsc() " : "clock_gettime ") + show(stamp),
        r1.text, "<= 1.2x", r1.met);
    // The same with the clock this machine actually uses, against that clock's bare read.
    const auto recInUse = ns("BM_lane_state"), nowInUse = ns("BM_now_ns");
    const Ratio r1b = need(ratio(recInUse, nowInUse, 1.2));
    row(out, "1'", "Lane::state, clock in use", show(recInUse),
        std::string("il::now_ns() ") + show(nowInUse), r1b.text, "<= 1.2x", r1b.met);

    // Goal 2 is a difference in ns, so a loaded machine inflates it where a ratio would
    // cancel out: the fastest batches are shown beside it. An uncontended lock+unlock reads
    // the clock twice (each end of the critical section), so two bare reads are its floor.
    const auto best = [&](const char *bench) { return r.counter(bench, kBestNsPerOp); };
    const auto mutexRow = [&](const char *goal, const char *what, const char *bench,
                              const char *read) {
        const auto inst = ns(bench), plain = ns("BM_plain_mutex");
        const auto instBest = best(bench), plainBest = best("BM_plain_mutex");
        const auto readBest = best(read);
        std::optional<bool> met;
        std::string over = "-";
        if (inst && plain) {
            over = format("%+.1f ns", *inst - *plain);
            met = *inst - *plain <= 40.0;
        } else {
            complete = false;
        }
        std::string detail = "plain std::mutex " + show(plain) + ", instr. " + show(inst);
        if (instBest && plainBest && readBest)
            detail += format("; best batches %+.1f ns", *instBest - *plainBest) +
                      format(" (2 reads %.1f ns)", 2 * *readBest);
        row(out, goal, what, over + " over plain", detail, "", "<= +40 ns", met);
    };
    mutexRow("2",
             !tsc     ? "instrumented lock+unlock"
             : forced ? "instr. lock+unlock, forced TSC"
                      : "instr. lock+unlock, TSC clock",
             tsc ? "BM_instrumented_mutex_tsc" : "BM_instrumented_mutex",
             tsc ? "BM_variant_rdtsc_scaled" : "BM_now_ns");
    mutexRow("2'", "instr. lock+unlock, clock in use", "BM_instrumented_mutex", "BM_now_ns");

    const auto child = ns("BM_shared_ring_forked_child"), inproc = ns("BM_shared_ring_in_process");
    const Ratio r3 = need(ratio(child, inproc, 2.0));
    row(out, "3", "forked child shared-ring push", show(child), "in-process " + show(inproc),
        r3.text, "<= 2x", r3.met);

    const auto rate = r.counter("BM_collector_drain", kEventsPerSecond);
    std::optional<bool> met4;
    if (rate)
        met4 = *rate >= 30e6;
    else
        complete = false;
    row(out, "4", "collector drain",
        rate ? format("%.1f M events/s", *rate / 1e6) : std::string("-"),
        "per event " + show(ns("BM_collector_drain")), "", ">= 30 M/s", met4);

    const auto rates = [&](const char *bench) {
        const auto on = r.counter(bench, kIncrementsOn), off = r.counter(bench, kIncrementsOff);
        const auto dropped = r.counter(bench, kEventsDropped);
        const auto events = r.counter(bench, kEventsRecorded);
        const auto paired = r.counter(bench, kOnOffRatio);
        const auto low = r.counter(bench, kOnOffLow), high = r.counter(bench, kOnOffHigh);
        const auto wall = r.counter(bench, kOnOffWall);
        Ratio x;
        if (paired) {
            x.text = format("%.2fx", *paired);
            x.met = *paired >= 0.9;
        }
        need(x);
        std::string spread = low && high
                                 ? "pairs " + format("%.2f", *low) + format("-%.2fx; ", *high)
                                 : std::string();
        if (wall)
            spread += format("whole Run %.2fx; ", *wall);
        return std::tuple{x, on, off, events, dropped, spread};
    };
    const auto mega = [](std::optional<double> v) {
        return v ? format("%.2f M/s", *v / 1e6) : std::string("-");
    };
    const auto count = [](std::optional<double> v) {
        return v ? format("%.0f", *v) : std::string("-");
    };
    for (const auto &[goal, what, bench] :
         {std::tuple{"5", "mutex increments, rec. on", "BM_perturbation_mutex"},
          std::tuple{"5", "race increments, rec. on", "BM_perturbation_race"}}) {
        const auto [x, on, off, events, dropped, spread] = rates(bench);
        row(out, goal, what, mega(on),
            "off " + mega(off) + "; " + spread + count(events) + " ev, " + count(dropped) +
                " dropped",
            x.text, ">= 0.9x", x.met);
    }
    const auto lost = r.counter("BM_perturbation_race", kFewestLost);
    std::optional<bool> met5;
    if (lost)
        met5 = *lost > 0;
    else
        complete = false;
    row(out, "5", "race loses updates, rec. on", count(lost) + " lost (fewest)",
        "every recorded run must lose some", "", "> 0", met5);
    // What decides goal 5's ratio on a VM (README, Performance): how dear a hand-over of
    // a cache line between the CPUs is, and how often the lock changed threads.
    const auto trip = r.counter("BM_perturbation_mutex", kLineRoundTrip);
    const auto hOn = r.counter("BM_perturbation_mutex", kHandoversOn);
    const auto hOff = r.counter("BM_perturbation_mutex", kHandoversOff);
    if (trip && hOn && hOff)
        out << "      goal 5 conditions: a cache line's round trip between two CPUs "
            << format("%.0f ns; ", *trip) << format("mutex lock handovers a run %.0f off, ", *hOff)
            << format("%.0f on\n", *hOn);
    // Goal 5's floor: one thread alone, so the lock never changes hands and an increment
    // costs only the lock, the unlock and the increment, plus with recording on the events
    // that tell of them. 0.9x leaves a ninth of the unrecorded increment for those events.
    const char *alone = "BM_perturbation_mutex_alone";
    const auto onAlone = r.counter(alone, kIncrementsOn),
               offAlone = r.counter(alone, kIncrementsOff);
    const auto pairedAlone = r.counter(alone, kOnOffRatio);
    const auto perIncrement = r.counter(alone, kEventsPerIncrement);
    const auto read = ns("BM_now_ns");
    if (onAlone && offAlone && pairedAlone && perIncrement && read && *onAlone > 0 &&
        *offAlone > 0) {
        const double offNs = 1e9 / *offAlone, onNs = 1e9 / *onAlone;
        out << "      goal 5 floor: mutex with 1 thread (no handovers) "
            << format("%.2fx: ", *pairedAlone) << format("%.1f ns per increment off, ", offNs)
            << format("%.1f on", onNs) << format(" (%.2f events);", *perIncrement)
            << format(" 0.9x would leave %.1f ns for them,", offNs / 9)
            << format(" one clock read takes %.1f ns\n", *read);
    }

    out << "\nBaselines (ns per operation, same run):\n";
    const struct {
        const char *bench, *what;
    } baselines[] = {
        {"BM_rdtsc", "__rdtsc()"},
        {"BM_now_ns", "il::now_ns() (clock in use)"},
        {"BM_clock_gettime", "clock_gettime(CLOCK_MONOTONIC)"},
        {"BM_steady_clock", "std::chrono::steady_clock::now()"},
        {"BM_ring_push_no_clock", "Lane::state_at (ring push, no clock read)"},
        {"BM_lane_state_off", "Lane::state with Recording::Off"},
        {"BM_mutex_vector_recorder", "std::mutex + vector::push_back + steady_clock"},
        {"BM_pipe_write", "write() of a 24-byte event to a pipe"},
        {"BM_timeline_apply", "Timeline::apply, per event of a mutex run"},
    };
    for (const auto &b : baselines) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "  %-48s %s\n", b.what, show(ns(b.bench)).c_str());
        out << buf;
    }
    print_timestamp_variants(out, r);
    out << "  clock in use (il::now_ns): " << il::clock_source_name(inUse)
        << (tsc ? "; the CPU has an invariant TSC" : "; no invariant TSC on this CPU")
        << (il::kernel_uses_tsc() ? " and the kernel keeps time with it\n"
                                  : ", the kernel does not keep time with the TSC\n");
    out.flush();
    return complete;
}

} // namespace ilbench
