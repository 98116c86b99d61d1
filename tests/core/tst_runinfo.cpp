#include "trace/runinfo.h"

#include <QTest>

#include <nlohmann/json.hpp>

// A re-opened run shows the metrics and the ending its stats recorded.
class TstRunInfo : public QObject {
    Q_OBJECT
private slots:
    void resultFromStats()
    {
        const il::Json stats = il::Json::parse(R"({"scenario":"mutex","stopped_by":"user",
            "duration_ms":12.5,"metrics":{"final_count":400,"lost_updates":0},
            "error":"boom"})");
        const il::RunResult r = il::result_from_stats(stats);
        QCOMPARE(r.metrics.at("final_count").get<int>(), 400);
        QCOMPARE(r.metrics.size(), std::size_t(2));
        QCOMPARE(r.stoppedBy, il::StopReason::User);
        QCOMPARE(r.durationNs, std::int64_t(12'500'000));
        QCOMPARE(r.error, std::string("boom"));
        QVERIFY(!r.completed());
    }

    void everyStopReasonRoundTrips()
    {
        for (const il::StopReason why : {il::StopReason::Finished, il::StopReason::Timeout,
                                         il::StopReason::Deadlock, il::StopReason::User}) {
            il::Json stats = il::Json::object();
            stats["stopped_by"] = il::stop_reason_name(why);
            QCOMPARE(il::result_from_stats(stats).stoppedBy, why);
        }
    }

    // A foreign or hand-edited file: defaults, never an exception.
    void wrongTypesGiveDefaults_data()
    {
        QTest::addColumn<QString>("json");
        QTest::newRow("not an object") << "[1, 2]";
        QTest::newRow("empty") << "{}";
        QTest::newRow("wrong types")
            << R"({"metrics":[1],"stopped_by":3,"duration_ms":"long","error":false})";
        QTest::newRow("unknown reason") << R"({"stopped_by":"meteor"})";
        QTest::newRow("negative duration") << R"({"duration_ms":-5})";
        QTest::newRow("absurd duration") << R"({"duration_ms":1e300})";
    }

    void wrongTypesGiveDefaults()
    {
        QFETCH(QString, json);
        const il::RunResult r = il::result_from_stats(il::Json::parse(json.toStdString()));
        QVERIFY(r.metrics.is_object());
        QVERIFY(r.metrics.empty());
        QCOMPARE(r.stoppedBy, il::StopReason::Finished);
        QCOMPARE(r.durationNs, std::int64_t(0));
        QVERIFY(r.error.empty());
    }
};

QTEST_GUILESS_MAIN(TstRunInfo)
#include "tst_runinfo.moc"
