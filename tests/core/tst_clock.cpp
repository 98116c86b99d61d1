// il::now_ns(): the TSC clock and its clock_gettime fallback both stay in the
// CLOCK_MONOTONIC domain, never run backwards, and a forked child reads the same clock.
#include "clock.h"
#include "tsc.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using il::ClockSource;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(il::ClockSource)

namespace {

// How far now_ns() may be from CLOCK_MONOTONIC: the calibration is good to a few
// microseconds (tsc.cpp); this is generous, for a loaded machine and sanitizers.
constexpr std::int64_t kAgreementNs = 1'000'000;
// Another thread's reading may precede this one's by this much although it was published
// first: rdtsc is not ordered with the load that saw the publication.
constexpr std::int64_t kCrossThreadSlackNs = 1'000;

std::int64_t offset_from_monotonic()
{
    // The smallest bracket of a few tries: the offset itself, not a preemption.
    std::int64_t best = 0, width = INT64_MAX;
    for (int i = 0; i < 16; ++i) {
        const std::int64_t before = il::clock_ns(CLOCK_MONOTONIC);
        const std::int64_t t = il::now_ns();
        const std::int64_t after = il::clock_ns(CLOCK_MONOTONIC);
        if (after - before < width) {
            width = after - before;
            best = t - (before + width / 2);
        }
    }
    return best;
}

} // namespace

class TstClock : public QObject {
    Q_OBJECT

    // Each test runs once per source; the TSC row only where the CPU has an invariant
    // TSC (it is forced even where the kernel does not use it, to test the arithmetic).
    static void sources()
    {
        QTest::addColumn<ClockSource>("source");
        QTest::newRow("monotonic") << ClockSource::Monotonic;
        QTest::newRow("tsc") << ClockSource::Tsc;
    }

    static bool use(ClockSource wanted)
    {
        if (wanted == ClockSource::Tsc && !il::cpu_has_invariant_tsc())
            return false;
        return il::select_clock(wanted) == wanted;
    }

private slots:
    void cleanup() { il::select_clock(ClockSource::Unset); }

    // The source chosen at start-up follows the rule: TSC only if the CPU has an invariant
    // one and the kernel keeps time with it (unless INTERLEAVE_CLOCK says otherwise).
    void startupChoiceFollowsTheRule()
    {
        if (std::getenv("INTERLEAVE_CLOCK"))
            QSKIP("INTERLEAVE_CLOCK is set: the choice is forced");
        const bool tsc = il::cpu_has_invariant_tsc() && il::kernel_uses_tsc();
        QCOMPARE(il::clock_source(), tsc ? ClockSource::Tsc : ClockSource::Monotonic);
        qInfo("now_ns() reads %s", il::clock_source_name(il::clock_source()));
    }

    void environmentForcesTheFallback()
    {
        const char *old = std::getenv("INTERLEAVE_CLOCK");
        const std::string saved = old ? old : "";
        setenv("INTERLEAVE_CLOCK", "monotonic", 1);
        const ClockSource chosen = il::select_clock(ClockSource::Unset);
        if (old)
            setenv("INTERLEAVE_CLOCK", saved.c_str(), 1);
        else
            unsetenv("INTERLEAVE_CLOCK");
        QCOMPARE(chosen, ClockSource::Monotonic);
        QCOMPARE(il::clock_source(), ClockSource::Monotonic);
        const std::int64_t t = il::now_ns();
        QVERIFY(std::llabs(t - il::clock_ns(CLOCK_MONOTONIC)) < kAgreementNs);
    }

#ifdef IL_HAVE_TSC
    // The conversion is modular: a counter near 2^64 (a VM's offset) still advances
    // smoothly instead of overflowing.
    void scaleWrapsConsistently()
    {
        const il::TscScale scale{std::uint64_t(1) << 31, -12345}; // 0.5 ns per tick
        QCOMPARE(scale.to_ns(0), std::int64_t(-12345));
        QCOMPARE(scale.to_ns(2000), std::int64_t(1000 - 12345));
        const std::uint64_t huge = ~std::uint64_t(0) - 1000;
        QCOMPARE(scale.to_ns(huge + 1000) - scale.to_ns(huge), std::int64_t(500));
    }

    void calibrationIsPlausible()
    {
        if (!il::cpu_has_invariant_tsc())
            QSKIP("no invariant TSC");
        const auto a = il::calibrate_tsc();
        const auto b = il::calibrate_tsc();
        QVERIFY(a && b);
        // Two calibrations agree on the rate to well within 0.1 % (they are ~ppm apart).
        const double ratio = double(a->mul) / double(b->mul);
        QVERIFY2(ratio > 0.999 && ratio < 1.001, qPrintable(QString::number(ratio, 'g', 9)));
    }
#endif

    void neverRunsBackwards_data()
    {
        sources();
    }
    void neverRunsBackwards()
    {
        QFETCH(ClockSource, source);
        if (!use(source))
            QSKIP("this CPU has no invariant TSC");
        std::int64_t last = il::now_ns();
        for (int i = 0; i < 200'000; ++i) {
            const std::int64_t t = il::now_ns();
            QVERIFY2(t >= last, "now_ns() went backwards");
            last = t;
        }
    }

    // The ordered reading is the same clock: between two plain readings around it.
    void orderedReadIsTheSameClock_data()
    {
        sources();
    }
    void orderedReadIsTheSameClock()
    {
        QFETCH(ClockSource, source);
        if (!use(source))
            QSKIP("this CPU has no invariant TSC");
        for (int i = 0; i < 10'000; ++i) {
            const std::int64_t before = il::now_ns();
            const std::int64_t ordered = il::now_ordered_ns();
            const std::int64_t after = il::now_ns();
            QVERIFY2(before <= ordered && ordered <= after, "now_ordered_ns() is out of line");
        }
    }

    // Switching the source while other threads read: every reading comes from one whole
    // calibration (a rate of one with the offset of another would be milliseconds off).
    void switchingNeverMixesCalibrations()
    {
        if (!il::cpu_has_invariant_tsc())
            QSKIP("no invariant TSC: nothing to switch between");
        std::atomic<bool> done{false};
        std::atomic<std::int64_t> worst{0};
        std::vector<std::thread> readers;
        for (int r = 0; r < 2; ++r)
            readers.emplace_back([&] {
                while (!done.load(std::memory_order_relaxed)) {
                    const std::int64_t before = il::clock_ns(CLOCK_MONOTONIC);
                    const std::int64_t t = il::now_ns();
                    const std::int64_t after = il::clock_ns(CLOCK_MONOTONIC);
                    // Outside the bracket by more than the calibration's error?
                    const std::int64_t off = t < before ? before - t : t > after ? t - after : 0;
                    std::int64_t seen = worst.load();
                    while (off > seen && !worst.compare_exchange_weak(seen, off)) {
                    }
                }
            });
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(il::select_clock(ClockSource::Tsc), ClockSource::Tsc);
            QCOMPARE(il::select_clock(ClockSource::Monotonic), ClockSource::Monotonic);
        }
        done = true;
        for (auto &t : readers)
            t.join();
        QVERIFY2(worst.load() < kAgreementNs, qPrintable(QString::number(worst.load())));
    }

    // Each thread's readings never decrease, and a reading published by one thread is
    // never (beyond a nanosecond-scale slack) later than what the reader reads next.
    void consistentAcrossThreads_data()
    {
        sources();
    }
    void consistentAcrossThreads()
    {
        QFETCH(ClockSource, source);
        if (!use(source))
            QSKIP("this CPU has no invariant TSC");
        std::atomic<std::int64_t> published{0};
        std::atomic<bool> done{false};
        std::atomic<int> backwards{0};
        std::thread writer([&] {
            std::int64_t last = 0;
            for (int i = 0; i < 50'000; ++i) {
                const std::int64_t t = il::now_ns();
                backwards += t < last ? 1 : 0;
                last = t;
                published.store(t, std::memory_order_release);
            }
            done = true;
        });
        std::int64_t worst = INT64_MAX, last = 0;
        while (!done.load()) {
            const std::int64_t seen = published.load(std::memory_order_acquire);
            const std::int64_t t = il::now_ns();
            worst = std::min(worst, t - seen);
            backwards += t < last ? 1 : 0;
            last = t;
        }
        writer.join();
        QCOMPARE(backwards.load(), 0);
        QVERIFY2(worst >= -kCrossThreadSlackNs, qPrintable(QString::number(worst)));
    }

    void agreesWithMonotonic_data()
    {
        sources();
    }
    void agreesWithMonotonic()
    {
        QFETCH(ClockSource, source);
        if (!use(source))
            QSKIP("this CPU has no invariant TSC");
        const std::int64_t before = offset_from_monotonic();
        std::this_thread::sleep_for(50ms);
        const std::int64_t after = offset_from_monotonic();
        QVERIFY2(std::llabs(before) < kAgreementNs, qPrintable(QString::number(before)));
        QVERIFY2(std::llabs(after) < kAgreementNs, qPrintable(QString::number(after)));
    }

    // A forked child reads the parent's clock: same source, same calibration, and its
    // reading falls between the parent's readings before and after it.
    void forkedChildReadsTheSameClock_data()
    {
        sources();
    }
    void forkedChildReadsTheSameClock()
    {
        QFETCH(ClockSource, source);
        if (!use(source))
            QSKIP("this CPU has no invariant TSC");
        int fds[2];
        QCOMPARE(pipe(fds), 0);
        const std::int64_t before = il::now_ns();
        const pid_t pid = fork();
        QVERIFY(pid >= 0);
        if (pid == 0) { // async-signal-safe from here: now_ns, write, _exit
            const il::ClockChoice &c = *il::detail::g_clock.load();
            const std::int64_t report[4] = {il::now_ns(), std::int64_t(c.source),
                                            std::int64_t(c.scale.mul), c.scale.offset};
            const bool ok = write(fds[1], report, sizeof report) == ssize_t(sizeof report);
            _exit(ok ? 0 : 1);
        }
        close(fds[1]);
        std::int64_t report[4] = {};
        const ssize_t n = read(fds[0], report, sizeof report);
        close(fds[0]);
        int status = 0;
        QCOMPARE(waitpid(pid, &status, 0), pid);
        const std::int64_t after = il::now_ns();
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        QCOMPARE(n, ssize_t(sizeof report));
        const il::ClockChoice &c = *il::detail::g_clock.load();
        QCOMPARE(ClockSource(report[1]), source);
        QCOMPARE(std::uint64_t(report[2]), c.scale.mul);
        QCOMPARE(report[3], c.scale.offset);
        QVERIFY(report[0] >= before - kCrossThreadSlackNs);
        QVERIFY(report[0] <= after + kCrossThreadSlackNs);
    }
};

QTEST_GUILESS_MAIN(TstClock)
#include "tst_clock.moc"
