#include "registry.h"
#include "resourcecheck.h"
#include "scenariotest.h"
#include "testutil.h"

#include <QTest>

#include <chrono>
#include <cstdint>
#include <string>

using namespace iltest;

namespace {

constexpr int kRuns = 200;
// Resident memory is compared with its level after these first runs: by then the ring
// pool, the allocator's arenas and every lazily made table have reached their size.
constexpr int kWarmUp = 10;
// How far resident memory may still move after the warm-up: allocator noise (measured
// here: under 0.3 MiB). A leak of 11 KiB a run or more passes it in the 190 runs that
// follow.
constexpr std::int64_t kRssMargin = 2 << 20;

double mib(std::int64_t bytes)
{
    return double(bytes) / double(1 << 20);
}

} // namespace

// Every scenario run many times back to back in one process, as someone exploring it in
// the app would: it leaves no thread, descriptor, temporary file, shared memory or child
// process behind, and memory does not grow from run to run.
class TstSoak : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        if (kSanitizer)
            qInfo("built with a sanitizer: resident memory is not compared (freed memory "
                  "stays in its quarantine); threads, descriptors, files, shared memory and "
                  "children still are");
    }

    void cleanupTestCase() { qInfo("soak: %d runs in all", m_totalRuns); }

    void everyScenarioLeavesNothingBehind_data()
    {
        QTest::addColumn<QString>("id");
        for (const auto &s : il::scenarios())
            QTest::newRow(s->info().id.c_str()) << QString::fromStdString(s->info().id);
    }

    void everyScenarioLeavesNothingBehind()
    {
        QFETCH(QString, id);
        const il::Scenario *scenario = il::find_scenario(id.toStdString());
        QVERIFY(scenario);
        const auto started = std::chrono::steady_clock::now();
        const Held before = held_now();
        Held warm;
        for (int i = 0; i < kRuns; ++i) {
            // Choices in turn: every variant of the scenario is soaked.
            Outcome o;
            run_to_end(id.toStdString(), small_params(*scenario, i), o, std::uint64_t(i) + 1);
            if (QTest::currentTestFailed()) {
                qWarning("run %d of %d failed", i + 1, kRuns);
                return;
            }
            QVERIFY(!o.timeline.lanes().empty());
            check_lanes_ended(o.timeline);
            if (QTest::currentTestFailed()) {
                qWarning("run %d of %d failed", i + 1, kRuns);
                return;
            }
            ++m_totalRuns;
            if (i + 1 == kWarmUp)
                warm = held_now();
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

        check_released(before);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(m_tmp.isEmpty(), "a scenario left temporary files behind");

        const Held after = held_now();
        qInfo("soak %s: %d runs in %.1f s; threads %zu -> %zu, descriptors %zu -> %zu, "
              "shared mappings %zu -> %zu, resident %.1f MiB after %d runs, %.1f MiB after %d",
              qPrintable(id), kRuns, seconds, before.threads, after.threads,
              before.descriptors.size(), after.descriptors.size(), before.sharedMappings,
              after.sharedMappings, mib(warm.residentBytes), kWarmUp, mib(after.residentBytes),
              kRuns);
        if (!kSanitizer)
            QVERIFY2(after.residentBytes <= warm.residentBytes + kRssMargin,
                     qPrintable(QStringLiteral("resident memory grew by %1 KiB after the warm-up")
                                    .arg((after.residentBytes - warm.residentBytes) / 1024)));
    }

private:
    ScratchTmpDir m_tmp;
    int m_totalRuns = 0;
};

QTEST_GUILESS_MAIN(TstSoak)
#include "tst_soak.moc"
