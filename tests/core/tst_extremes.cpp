#include "params.h"
#include "registry.h"
#include "resourcecheck.h"
#include "run.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <chrono>
#include <cstdint>
#include <string>

using namespace iltest;
using namespace std::chrono_literals;

namespace {

// The `--timeout` of these runs. The maxima can take minutes (64 threads of ten million
// increments, 32 processes sleeping ten seconds): stopping them is part of what is
// tested, and half a second takes each well into its work.
constexpr std::chrono::milliseconds kTimeout = 500ms;

} // namespace

// Every parameter of every scenario at its minimum and at its maximum (one at a time, the
// others at their defaults; then all at their minima, all at their maxima), run as
// `--headless --timeout` runs it: the run completes, or stops cleanly at the timeout
// (or at a deadlock), keeps an intact record, leaves nothing behind, and the next run
// works. Driven by the registry, so a new scenario or parameter is covered as it comes.
class TstExtremes : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void cleanupTestCase()
    {
        qInfo("extremes: %d runs, %d completed, %d stopped at the %lld ms timeout, %d at a "
              "deadlock",
              m_runs, m_completed, m_timedOut, static_cast<long long>(kTimeout.count()),
              m_deadlocked);
    }

    void everyParameterAtItsEnds_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("key"); // empty: every parameter
        QTest::addColumn<bool>("maximum");
        for (const auto &s : il::scenarios()) {
            const il::ScenarioInfo &info = s->info();
            const QString id = QString::fromStdString(info.id);
            for (const auto &p : info.params)
                for (const bool maximum : {false, true}) {
                    const std::int64_t value = maximum ? p.max : p.min;
                    if (value == p.def) // the defaults are run elsewhere
                        continue;
                    QTest::addRow("%s %s=%s", info.id.c_str(), p.key.c_str(),
                                  il::param_text(p, value).c_str())
                        << id << QString::fromStdString(p.key) << maximum;
                }
            QTest::addRow("%s all at minimum", info.id.c_str()) << id << QString() << false;
            QTest::addRow("%s all at maximum", info.id.c_str()) << id << QString() << true;
        }
    }

    void everyParameterAtItsEnds()
    {
        QFETCH(QString, id);
        QFETCH(QString, key);
        QFETCH(bool, maximum);
        const il::Scenario *scenario = il::find_scenario(id.toStdString());
        QVERIFY(scenario);
        Overrides overrides;
        for (const auto &p : scenario->info().params)
            if (key.isEmpty() || p.key == key.toStdString())
                overrides.emplace_back(p.key, maximum ? p.max : p.min);
        il::ParamValues params;
        make_params(*scenario, overrides, params);
        if (QTest::currentTestFailed())
            return;

        const Held before = held_now();
        run_with_timeout(*scenario, params);
        if (QTest::currentTestFailed())
            return;
        check_released(before);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(m_tmp.isEmpty(), "the run left temporary files behind");
        check_next_run_works(*scenario);
    }

private:
    // As the command line runs it with --timeout: batches taken as they come, a stop asked
    // once the time is up, and the rest of the record collected after the run ended.
    void run_with_timeout(const il::Scenario &scenario, const il::ParamValues &params)
    {
        il::Timeline timeline;
        il::RunResult result;
        {
            il::Run run(scenario, params, 1);
            const auto deadline = std::chrono::steady_clock::now() + kTimeout;
            il::Batch batch;
            while (!run.wait_finished(20ms) && std::chrono::steady_clock::now() < deadline) {
                run.take(batch);
                timeline.apply(batch);
            }
            QVERIFY2(stop_and_collect(run, timeline, result, {il::StopReason::Timeout}),
                     "the run did not stop after its timeout");
        }
        ++m_runs;
        QVERIFY2(result.error.empty(), result.error.c_str());
        QVERIFY(result.stoppedBy != il::StopReason::User);
        check_metrics_declared(scenario, result.metrics);
        QVERIFY(!timeline.lanes().empty());
        check_record(scenario.info().id, timeline);
        m_completed += result.completed() ? 1 : 0;
        m_timedOut += result.stoppedBy == il::StopReason::Timeout ? 1 : 0;
        m_deadlocked += result.stoppedBy == il::StopReason::Deadlock ? 1 : 0;
        if (timeline.dropped() > 0)
            qInfo("%llu events dropped", static_cast<unsigned long long>(timeline.dropped()));
    }

    ScratchTmpDir m_tmp;
    int m_runs = 0;
    int m_completed = 0;
    int m_timedOut = 0;
    int m_deadlocked = 0;
};

QTEST_GUILESS_MAIN(TstExtremes)
#include "tst_extremes.moc"
