#include "params.h"
#include "registry.h"
#include "resourcecheck.h"
#include "run.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"
#include "trace/runinfo.h"
#include "trace/tracereader.h"
#include "trace/tracewriter.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <thread>

using namespace iltest;
using namespace std::chrono_literals;

namespace {

// Fixed, so a failure can be repeated: each scenario's moments come from this seed
// mixed with its id (see seed_for), printed with the results.
constexpr std::uint64_t kSeed = 20'251'205;
constexpr int kStops = 20;
constexpr std::int64_t kEarliestUs = 20;
constexpr std::int64_t kLatestUs = 50'000;

// The first stop comes before the run's first event (at once). After that, every other
// moment is uniform over the first 50 ms, and the rest are spread evenly on a log scale
// from 20 us to 50 ms, where a run starts its threads and forks its processes: half of
// these land in its first millisecond.
std::chrono::microseconds moment(int k, std::mt19937_64 &random)
{
    if (k == 0)
        return {};
    if (k % 2 == 0)
        return std::chrono::microseconds(
            std::uniform_int_distribution<std::int64_t>(0, kLatestUs)(random));
    const double logUs = std::uniform_real_distribution<double>(
        std::log(double(kEarliestUs)), std::log(double(kLatestUs)))(random);
    return std::chrono::microseconds(std::llround(std::exp(logUs)));
}

// FNV-1a of the id: the scenario's own stream of moments, whatever its place in the
// registry.
std::uint64_t seed_for(const std::string &id)
{
    std::uint64_t h = 1469598103934665603ULL;
    for (const char c : id)
        h = (h ^ std::uint8_t(c)) * 1099511628211ULL;
    return kSeed ^ h;
}

std::string describe_params(const il::Scenario &scenario, const il::ParamValues &params)
{
    std::string s;
    for (const auto &p : scenario.info().params)
        s += (s.empty() ? "" : " ") + p.key + "=" + il::param_text(p, params.at(p.key));
    return s;
}

// The record exports: written as a trace and read back into a fresh timeline, it has the
// same lanes and segments.
void check_exports(const il::Scenario &scenario, const il::ParamValues &params, std::uint64_t seed,
                   const il::RunResult &result, const il::Timeline &timeline)
{
    const il::RunInfo info = il::make_run_info(scenario.info(), params, seed, result, timeline);
    std::ostringstream out;
    QVERIFY(il::write_trace(out, timeline, info));
    const std::string text = out.str();
    std::istringstream in(text);
    il::Timeline reopened;
    il::RunInfo reopenedInfo;
    const auto read = il::read_trace(in, text.size(), "stopped.json", reopened, reopenedInfo);
    QVERIFY2(read.ok, read.error.c_str());
    QCOMPARE(reopened.lanes().size(), timeline.lanes().size());
    QCOMPARE(reopened.segment_count(), timeline.segment_count());
    QCOMPARE(reopenedInfo.scenario, scenario.info().id);
}

} // namespace

// Stop pressed at any instant, before the first event too: the run ends promptly, the
// record up to then is intact and exports, nothing of the run is left behind, and the
// next run works. Moments are spread
// over the first 50 ms (see moment()).
class TstStopAnywhere : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        qInfo("stop moments: seed %llu mixed with each scenario's id, %d stops per scenario "
              "between 0 and %lld ms (half uniform, half on a log scale from %lld us)",
              static_cast<unsigned long long>(kSeed), kStops,
              static_cast<long long>(kLatestUs / 1000), static_cast<long long>(kEarliestUs));
    }

    void cleanupTestCase() { qInfo("stop at any instant: %d stops tried in all", m_stops); }

    void stopAtRandomMoments_data()
    {
        QTest::addColumn<QString>("id");
        for (const auto &s : il::scenarios())
            QTest::newRow(s->info().id.c_str()) << QString::fromStdString(s->info().id);
    }

    void stopAtRandomMoments()
    {
        QFETCH(QString, id);
        const il::Scenario *scenario = il::find_scenario(id.toStdString());
        QVERIFY(scenario);
        std::mt19937_64 random(seed_for(id.toStdString()));
        const Held before = held_now();
        int endedFirst = 0;
        std::uint64_t dropped = 0;
        const auto started = std::chrono::steady_clock::now();
        for (int k = 0; k < kStops; ++k) {
            const std::chrono::microseconds delay = moment(k, random);
            // The defaults, with the choices taken in turn (strategies, modes, variants).
            Overrides overrides;
            rotate_choices(*scenario, k, overrides);
            il::ParamValues params;
            make_params(*scenario, overrides, params);
            if (QTest::currentTestFailed())
                return;
            bool endedByItself = false;
            const std::uint64_t runSeed = std::uint64_t(k) + 1;
            stop_after(*scenario, params, runSeed, delay, endedByItself, dropped);
            // Nothing of the stopped run is left: threads, descriptors, children, files.
            if (!QTest::currentTestFailed())
                check_released(before);
            if (!QTest::currentTestFailed())
                QVERIFY2(m_tmp.isEmpty(), "the stopped run left temporary files behind");
            if (!QTest::currentTestFailed())
                check_next_run_works(*scenario);
            if (QTest::currentTestFailed()) {
                qWarning("stop %d of %s after %lld us, seed %llu, %s", k + 1, qPrintable(id),
                         static_cast<long long>(delay.count()),
                         static_cast<unsigned long long>(runSeed),
                         describe_params(*scenario, params).c_str());
                return;
            }
            endedFirst += endedByItself ? 1 : 0;
            ++m_stops;
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        qInfo("%s: %d stops (and as many runs after them) in %.1f s; %d runs had ended "
              "(finished or deadlocked) before their stop; %llu events dropped",
              qPrintable(id), kStops, seconds, endedFirst,
              static_cast<unsigned long long>(dropped));
    }

private:
    // One run stopped `delay` after it began, followed meanwhile as the GUI follows it.
    static void stop_after(const il::Scenario &scenario, const il::ParamValues &params,
                           std::uint64_t seed, std::chrono::microseconds delay, bool &endedByItself,
                           std::uint64_t &dropped)
    {
        il::Run run(scenario, params, seed);
        const auto at = std::chrono::steady_clock::now() + delay;
        il::Timeline timeline;
        il::Batch batch;
        while (!run.finished()) {
            run.take(batch);
            timeline.apply(batch);
            const auto now = std::chrono::steady_clock::now();
            if (now >= at)
                break;
            std::this_thread::sleep_for(std::min<std::chrono::microseconds>(
                std::chrono::duration_cast<std::chrono::microseconds>(at - now), 2ms));
        }
        const auto before = states_of(timeline);
        il::RunResult result;
        QVERIFY2(stop_and_collect(run, timeline, result), "Stop did not end the run");
        // A run may end by itself first (it finished, or its philosophers deadlocked);
        // the first reason is the one kept.
        endedByItself = result.stoppedBy != il::StopReason::User;
        QVERIFY(result.stoppedBy != il::StopReason::Timeout);
        QVERIFY2(result.error.empty(), result.error.c_str());
        check_metrics_declared(scenario, result.metrics);
        check_kept(before, timeline);
        check_record(scenario.info().id, timeline);
        if (QTest::currentTestFailed())
            return;
        dropped += timeline.dropped();
        check_exports(scenario, params, seed, result, timeline);
    }

    ScratchTmpDir m_tmp;
    int m_stops = 0;
};

QTEST_GUILESS_MAIN(TstStopAnywhere)
#include "tst_stopanywhere.moc"
