// Short scheduler slices: the observer (GUI thread, collector) asks for them; scenario
// workers, made by such a thread, go back to the default and keep their niceness.
#include "scenarios/workers.h"
#include "schedslice.h"
#include "testutil.h"

#include <QTest>

#include <cstdint>
#include <optional>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace {

// The calling thread's slice as the kernel reports it (its default where none was asked).
std::optional<std::uint64_t> slice_ns()
{
#if defined(__linux__) && defined(SYS_sched_getattr)
    struct {
        std::uint32_t size, policy;
        std::uint64_t flags;
        std::int32_t nice;
        std::uint32_t priority;
        std::uint64_t runtime, deadline, period;
    } attr{};
    if (syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) != 0)
        return std::nullopt;
    return attr.runtime;
#else
    return std::nullopt;
#endif
}

int nice_of_this_thread()
{
    return getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)));
}

} // namespace

class TstSchedSlice : public QObject {
    Q_OBJECT

private slots:
    void requestAndReset()
    {
        const std::optional<std::uint64_t> fresh = slice_ns(); // the kernel's default
        std::optional<std::uint64_t> asked;
        std::optional<std::uint64_t> reset;
        int niceBefore = 0;
        int niceAsked = 0;
        int niceReset = 0;
        std::thread([&] {
            // Not the default nice value, so that a slice set by writing nice 0 would show.
            setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), nice_of_this_thread() + 3);
            niceBefore = nice_of_this_thread();
            if (!il::request_short_slices(std::chrono::microseconds(300)))
                return;
            asked = slice_ns();
            niceAsked = nice_of_this_thread();
            if (il::reset_slices())
                reset = slice_ns();
            niceReset = nice_of_this_thread();
        }).join();
        if (!asked)
            QSKIP("this kernel offers no custom scheduler slices (Linux 6.12+)");
        QCOMPARE(*asked, std::uint64_t(300'000));
        QVERIFY(reset.has_value());
        QCOMPARE(*reset, fresh.value_or(0));
        QCOMPARE(niceAsked, niceBefore);
        QCOMPARE(niceReset, niceBefore);
    }

    void workersDoNotInheritTheObserversSlice()
    {
        const std::optional<std::uint64_t> fresh = slice_ns();
        std::optional<std::uint64_t> observer;
        std::optional<std::uint64_t> worker;
        int workerNice = 0;
        int observerNice = 0;
        std::thread([&] {
            if (!il::request_short_slices(std::chrono::microseconds(100)))
                return;
            observer = slice_ns();
            observerNice = nice_of_this_thread();
            std::thread([&] { // as a scenario makes its workers
                il::lower_priority(4);
                worker = slice_ns();
                workerNice = nice_of_this_thread();
            })
                .join();
        }).join();
        if (!observer)
            QSKIP("this kernel offers no custom scheduler slices (Linux 6.12+)");
        QCOMPARE(*observer, std::uint64_t(100'000));
        QCOMPARE(worker.value_or(1), fresh.value_or(0));
        QVERIFY2(workerNice > observerNice, "workers still run below the observer");
    }
};

QTEST_APPLESS_MAIN(TstSchedSlice)
#include "tst_schedslice.moc"
