#include "scenariotest.h"
#include "timeline.h"
#include "trace/csvwriter.h"
#include "trace/runinfo.h"
#include "trace/tracereader.h"
#include "trace/tracewriter.h"
#include "wakes.h"

#include <QDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

using il::State;
using iltest::Overrides;

namespace {

std::string save(const il::Timeline &timeline, const il::RunInfo &info)
{
    std::ostringstream out;
    if (!il::write_trace(out, timeline, info))
        return {};
    return out.str();
}

il::TraceReadResult load(const std::string &text, il::Timeline &timeline, il::RunInfo &info,
                         const il::TraceReadOptions &options = {})
{
    std::istringstream in(text);
    return il::read_trace(in, text.size(), "test.json", timeline, info, options);
}

il::Timeline timeline_of(std::vector<std::string> lanes, std::vector<il::Event> events,
                         std::int64_t endNs)
{
    il::Batch b;
    b.newLanes = std::move(lanes);
    b.newResources = {"lock, \"the\" one", "permits"};
    b.events.assign(events.begin(), events.end());
    il::Timeline t;
    t.apply(b);
    t.close(endNs);
    return t;
}

// Runs `id` with small parameters to its end, or stops it after a while (a deadlock).
void small_run(const std::string &id, iltest::Stopped &out, std::uint64_t seed = 1)
{
    out.scenario = il::find_scenario(id);
    QVERIFY(out.scenario);
    Overrides small;
    for (const auto &p : out.scenario->info().params)
        if (p.kind == il::ParamKind::Int)
            small.emplace_back(p.key, std::min(p.def, std::max<std::int64_t>(p.min, 2)));
    if (id == "philosophers")
        small.emplace_back("meals", 2);
    iltest::make_params(*out.scenario, small, out.params);
    il::Run run(*out.scenario, out.params, seed);
    iltest::follow_until(
        run, out.timeline, [](const il::Timeline &) { return false; },
        std::chrono::milliseconds(20'000));
    QVERIFY(iltest::stop_and_collect(run, out.timeline, out.result));
}

void compare_timelines(const il::Timeline &a, const il::Timeline &b)
{
    QCOMPARE(b.lanes().size(), a.lanes().size());
    QCOMPARE(b.resources(), a.resources());
    QCOMPARE(b.end_ns(), a.end_ns());
    QCOMPARE(b.dropped(), a.dropped());
    QCOMPARE(b.segment_count(), a.segment_count());
    for (std::size_t l = 0; l < a.lanes().size(); ++l) {
        const auto &la = a.lanes()[l];
        const auto &lb = b.lanes()[l];
        QCOMPARE(lb.name, la.name);
        QCOMPARE(lb.segments.size(), la.segments.size());
        for (std::size_t i = 0; i < la.segments.size(); ++i) {
            QCOMPARE(lb.segments[i].startNs, la.segments[i].startNs);
            QCOMPARE(b.segment_end(lb, i), a.segment_end(la, i));
            QCOMPARE(lb.segments[i].state, la.segments[i].state);
            QCOMPARE(lb.segments[i].resource, la.segments[i].resource);
        }
        QCOMPARE(lb.marks.size(), la.marks.size());
        for (std::size_t i = 0; i < la.marks.size(); ++i) {
            QCOMPARE(lb.marks[i].tNs, la.marks[i].tNs);
            QCOMPARE(lb.marks[i].value, la.marks[i].value);
            QCOMPARE(lb.marks[i].resource, la.marks[i].resource);
        }
        QCOMPARE(lb.holds.size(), la.holds.size());
        for (std::size_t i = 0; i < la.holds.size(); ++i) {
            QCOMPARE(lb.holds[i].tNs, la.holds[i].tNs);
            QCOMPARE(lb.holds[i].resource, la.holds[i].resource);
            QCOMPARE(lb.holds[i].acquired, la.holds[i].acquired);
        }
    }
    QCOMPARE(b.counters().size(), a.counters().size());
    for (const auto &[id, series] : a.counters()) {
        QVERIFY(b.counters().count(id));
        const auto &other = b.counters().at(id);
        QCOMPARE(other.size(), series.size());
        for (std::size_t i = 0; i < series.size(); ++i) {
            QCOMPARE(other[i].tNs, series[i].tNs);
            QCOMPARE(other[i].value, series[i].value);
        }
    }
    QCOMPARE(bool(b.deadlock()), bool(a.deadlock()));
    if (a.deadlock()) {
        QCOMPARE(b.deadlock()->tNs, a.deadlock()->tNs);
        QCOMPARE(b.deadlock()->lanes, a.deadlock()->lanes);
        QCOMPARE(b.deadlock()->resources, a.deadlock()->resources);
    }
}

// What a viewer sees: the events by phase, each checked for the rules of issue 7.
struct Shape {
    std::map<std::string, std::size_t> phases;
    std::size_t threadNames = 0;
};

void check_shape(const std::string &text, Shape &shape)
{
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    QVERIFY2(!doc.is_discarded(), "the trace is not valid JSON");
    QVERIFY(doc.contains("traceEvents") && doc["traceEvents"].is_array());
    QVERIFY(doc.contains("metadata") && doc["metadata"].is_object());
    for (const char *key :
         {"interleave", "scenario", "params", "seed", "lanes", "metrics", "stats"})
        QVERIFY2(doc["metadata"].contains(key), key);
    for (const auto &e : doc["traceEvents"]) {
        const std::string ph = e.at("ph").get<std::string>();
        ++shape.phases[ph];
        QVERIFY2(e.contains("cat") && e["cat"].is_string(), e.dump().c_str());
        QVERIFY2(e.contains("args") && e["args"].is_object(), e.dump().c_str());
        if (ph == "M") {
            shape.threadNames += e["name"] == "thread_name" ? 1 : 0;
            continue;
        }
        QVERIFY2(e.contains("ts") && e["ts"].get<double>() > 0, e.dump().c_str());
        if (ph == "X") {
            QVERIFY2(e["dur"].get<double>() >= 0, e.dump().c_str());
            QVERIFY(e["args"].contains("state") && e["args"].contains("resource"));
        }
        if (ph == "i")
            QVERIFY2(e.contains("s"), e.dump().c_str());
    }
}

std::string bad_dir()
{
    return QFINDTESTDATA("data/badtraces").toStdString();
}

} // namespace

class TstTrace : public QObject {
    Q_OBJECT

private slots:
    void roundTripEveryScenario_data()
    {
        QTest::addColumn<QString>("id");
        for (const auto &s : il::scenarios())
            QTest::newRow(s->info().id.c_str()) << QString::fromStdString(s->info().id);
    }

    // save -> open -> save gives the same bytes, and the reopened timeline and run info
    // equal the recorded ones.
    void roundTripEveryScenario()
    {
        QFETCH(QString, id);
        iltest::Stopped run;
        small_run(id.toStdString(), run);
        if (QTest::currentTestFailed())
            return;
        const il::RunInfo info =
            il::make_run_info(run.scenario->info(), run.params, 1, run.result, run.timeline);
        const std::string first = save(run.timeline, info);
        QVERIFY(!first.empty());

        Shape shape;
        check_shape(first, shape);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(shape.phases["X"], run.timeline.segment_count());
        QCOMPARE(shape.threadNames, run.timeline.lanes().size());
        std::size_t samples = 0;
        for (const auto &[rid, series] : run.timeline.counters())
            samples += series.size();
        QCOMPARE(shape.phases["C"], samples);
        QCOMPARE(shape.phases["s"], shape.phases["f"]);

        il::Timeline reopened;
        il::RunInfo info2;
        const auto r = load(first, reopened, info2);
        QVERIFY2(r.ok, r.error.c_str());
        QVERIFY(!r.foreign);
        compare_timelines(run.timeline, reopened);
        QCOMPARE(info2.scenario, info.scenario);
        QCOMPARE(info2.params, info.params);
        QCOMPARE(info2.seed, info.seed);
        QCOMPARE(info2.stats.dump(), info.stats.dump());
        const std::string second = save(reopened, info2);
        QVERIFY2(second == first, "save -> open -> save changed the bytes");
    }

    // The naive philosophers deadlock: the cycle, its marks and the wake-up flows survive.
    void philosophersDeadlockSurvives()
    {
        iltest::Stopped run;
        iltest::find_with_params("philosophers", {{"strategy", 0}, {"meals", 0}}, run.scenario,
                                 run.params);
        il::Run live(*run.scenario, run.params, 3);
        QVERIFY(iltest::follow_until(live, run.timeline,
                                     [](const il::Timeline &t) { return bool(t.deadlock()); }));
        QVERIFY(iltest::stop_and_collect(live, run.timeline, run.result));
        const il::RunInfo info =
            il::make_run_info(run.scenario->info(), run.params, 3, run.result, run.timeline);
        const std::string text = save(run.timeline, info);
        Shape shape;
        check_shape(text, shape);
        QVERIFY(text.find("\"cat\":\"deadlock\"") != std::string::npos);
        const auto wakes = il::find_wakes(run.timeline, 0, run.timeline.end_ns(), il::kMaxWakes);
        QCOMPARE(shape.phases["s"], wakes.size());
        il::Timeline reopened;
        il::RunInfo info2;
        const auto r = load(text, reopened, info2);
        QVERIFY2(r.ok, r.error.c_str());
        compare_timelines(run.timeline, reopened);
        QVERIFY(reopened.deadlock());
        QCOMPARE(save(reopened, info2), text);
    }

    // Real events never sit at ts 0, even when the record starts at (or before) 0.
    void timestampsStartAboveZero()
    {
        const il::Timeline t =
            timeline_of({"a"},
                        {{0, 0, 0, 0, il::EventKind::State, State::Running},
                         {-500, il::kMarkStep, 0, 1, il::EventKind::Mark, State::Running},
                         {2500, 0, 0, 1, il::EventKind::State, State::Critical}},
                        4000);
        const std::string text = save(t, il::RunInfo{});
        QVERIFY2(text.find("\"ts\":1.500,\"dur\":2.500") != std::string::npos, text.c_str());
        QVERIFY(text.find("\"ts_offset_ns\":1500") != std::string::npos);
        QVERIFY(text.find("\"ts\":0") == std::string::npos);
        Shape shape;
        check_shape(text, shape);
        il::Timeline back;
        il::RunInfo info;
        QVERIFY(load(text, back, info).ok);
        compare_timelines(t, back);
    }

    void foreignTraces_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QStringList>("lanes");
        QTest::addColumn<QString>("segments"); // lane:state/resource@start..end (ns), …
        QTest::addColumn<int>("marks");
        // B/E pairs interleaved across threads (DevTools would misread them on one stack),
        // nested on one thread: the innermost shows, the parent resumes.
        QTest::newRow("B/E pairs") << R"({"traceEvents":[
                {"ph":"M","pid":7,"tid":1,"name":"thread_name","args":{"name":"main"}},
                {"ph":"B","pid":7,"tid":1,"ts":100,"name":"outer"},
                {"ph":"B","pid":7,"tid":2,"ts":110,"name":"work"},
                {"ph":"B","pid":7,"tid":1,"ts":120,"name":"inner"},
                {"ph":"E","pid":7,"tid":2,"ts":130},
                {"ph":"E","pid":7,"tid":1,"ts":140},
                {"ph":"E","pid":7,"tid":1,"ts":150}]})"
                                   << QStringList{"main", "thread 2"}
                                   << "0:running/outer@0..20000 0:running/inner@20000..40000 "
                                      "0:running/outer@40000..50000 1:running/work@10000..30000 "
                                      "1:sleeping/@30000..50000"
                                   << 0;
        QTest::newRow("array format, X, instants, counters, string tid")
            << R"([{"ph":"X","pid":1,"tid":"io","ts":5.5,"dur":2,"name":"read"},
                   {"ph":"X","pid":1,"tid":"io","ts":10,"dur":1.25,"name":"write"},
                   {"ph":"i","pid":1,"tid":"io","ts":6,"name":"hit","s":"t"},
                   {"ph":"i","pid":1,"tid":"io","ts":6,"name":"global","s":"g"},
                   {"ph":"C","pid":1,"ts":5.5,"name":"queue","args":{"depth":3}},
                   {"ph":"s","pid":1,"tid":"io","ts":6,"id":1,"name":"flow"}])"
            << QStringList{"thread io"}
            << "0:running/read@0..2000 0:sleeping/@2000..4500 0:running/write@4500..5750" << 1;
        QTest::newRow("two processes, sort index, our states in args")
            << R"({"traceEvents":[
                {"ph":"M","pid":1,"name":"process_name","args":{"name":"app"}},
                {"ph":"M","pid":2,"name":"process_name","args":{"name":"gpu"}},
                {"ph":"M","pid":2,"tid":9,"name":"thread_sort_index","args":{"sort_index":-1}},
                {"ph":"X","pid":1,"tid":1,"ts":1,"dur":1,"name":"x","args":{"state":"blocked","resource":"m"}},
                {"ph":"X","pid":2,"tid":9,"ts":2,"dur":1,"name":"y"}],
                "displayTimeUnit":"ms","otherData":{"version":"x"}})"
            << QStringList{"gpu: thread 9", "app: thread 1"}
            << "0:running/y@1000..2000 1:blocked/m@0..1000 1:sleeping/@1000..2000" << 0;
        // Segments keep 48-bit times (about 39 hours): 38 hours apart is kept to the ns.
        QTest::newRow("38 hours apart")
            << R"([{"ph":"X","pid":1,"tid":1,"ts":100,"dur":1,"name":"a"},
                   {"ph":"X","pid":1,"tid":1,"ts":136800000100,"dur":1,"name":"b"}])"
            << QStringList{"thread 1"}
            << "0:running/a@0..1000 0:sleeping/@1000..136800000000000 "
               "0:running/b@136800000000000..136800000001000"
            << 0;
    }

    void foreignTraces()
    {
        QFETCH(QString, json);
        QFETCH(QStringList, lanes);
        QFETCH(QString, segments);
        QFETCH(int, marks);
        il::Timeline t;
        il::RunInfo info;
        const auto r = load(json.toStdString(), t, info);
        QVERIFY2(r.ok, r.error.c_str());
        QVERIFY(r.foreign);
        QStringList names;
        for (const auto &lane : t.lanes())
            names << QString::fromStdString(lane.name);
        QCOMPARE(names, lanes);
        QStringList got;
        int markCount = 0;
        for (std::size_t l = 0; l < t.lanes().size(); ++l) {
            const auto &lane = t.lanes()[l];
            markCount += int(lane.marks.size());
            for (std::size_t i = 0; i < lane.segments.size(); ++i) {
                const auto &s = lane.segments[i];
                const std::string state(il::state_name(s.state));
                got << QStringLiteral("%1:%2/%3@%4..%5")
                           .arg(l)
                           .arg(QString::fromStdString(state.substr(0, state.find(' '))))
                           .arg(QString::fromStdString(t.resource_name(s.resource)))
                           .arg(s.startNs)
                           .arg(t.segment_end(lane, i));
            }
        }
        QCOMPARE(got.join(' '), segments);
        QCOMPARE(markCount, marks);
        // Re-saved as Interleave's own trace, it reads back the same.
        const std::string text = save(t, info);
        il::Timeline again;
        il::RunInfo info2;
        QVERIFY(load(text, again, info2).ok);
        compare_timelines(t, again);
        QCOMPARE(save(again, info2), text);
    }

    void counterFromForeignTrace()
    {
        il::Timeline t;
        il::RunInfo info;
        const auto r = load(R"([{"ph":"X","pid":1,"tid":1,"ts":1,"dur":4,"name":"a"},
            {"ph":"C","pid":1,"ts":2,"name":"mem","args":{"value":10}},
            {"ph":"C","pid":1,"ts":3,"name":"mem","args":{"value":12.6}}])",
                            t, info);
        QVERIFY2(r.ok, r.error.c_str());
        const il::ResourceId mem = iltest::resource_named(t, "mem");
        QVERIFY(t.counters().count(mem));
        QCOMPARE(t.counters().at(mem).size(), std::size_t(2));
        QCOMPARE(t.counters().at(mem)[1].value, std::int64_t(13));
        QCOMPARE(t.counters().at(mem)[1].tNs, std::int64_t(2000));
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        const QDir dir(QString::fromStdString(bad_dir()));
        QVERIFY(dir.exists());
        const QStringList files = dir.entryList({"*.json"}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 15);
        for (const QString &f : files) {
            // The first line of "<name>.expect" is a part of the message it must get.
            QFile expect(dir.filePath(QString(f).replace(".json", ".expect")));
            QVERIFY2(expect.open(QIODevice::ReadOnly), qPrintable(f));
            QTest::newRow(qPrintable(f))
                << dir.filePath(f) << QString::fromUtf8(expect.readLine()).trimmed();
        }
    }

    // Each bad file gets one clear message naming the file and what was expected.
    void badFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        il::Timeline t;
        il::RunInfo info;
        const auto r = il::read_trace(file.toStdString(), t, info);
        QVERIFY(!r.ok);
        const QString message = QString::fromStdString(r.error);
        QVERIFY2(message.startsWith(file + ": "), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
    }

    void missingFileAndDirectory()
    {
        il::Timeline t;
        il::RunInfo info;
        auto r = il::read_trace("/nonexistent/x.json", t, info);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.find("No such file") != std::string::npos, r.error.c_str());
        r = il::read_trace("/tmp", t, info);
        QVERIFY2(r.error.find("is a directory") != std::string::npos, r.error.c_str());
    }

    // A real trace cut anywhere fails with a message (or, cut after its last event in
    // a foreign-tolerant place, still reads); it never crashes.
    void truncatedEverywhere()
    {
        const il::Timeline t =
            timeline_of({"a", "b"},
                        {{0, 0, 0, 0, il::EventKind::State, State::Running},
                         {10, 0, 1, 1, il::EventKind::State, State::Blocked},
                         {20, 1, 0, 2, il::EventKind::Counter, State::Running},
                         {30, il::kMarkMeal, 0, 0, il::EventKind::Mark, State::Running}},
                        100);
        const std::string text = save(t, il::RunInfo{});
        for (std::size_t n = 0; n < text.size() - 2; n += 7) {
            il::Timeline back;
            il::RunInfo info;
            const auto r = load(text.substr(0, n), back, info);
            QVERIFY2(!r.ok, std::to_string(n).c_str());
            QVERIFY2(r.error.rfind("test.json: ", 0) == 0, r.error.c_str());
        }
    }

    void limits()
    {
        il::Timeline t;
        il::RunInfo info;
        std::string longString = "[{\"ph\":\"X\",\"name\":\"" +
                                 std::string(il::TraceLimits{}.maxStringBytes + 10, 'x') + "\"}]";
        auto r = load(longString, t, info);
        QVERIFY2(r.error.find("a string longer than") != std::string::npos, r.error.c_str());
        std::string deep = "{\"traceEvents\":[{\"ph\":\"X\",\"args\":";
        for (int i = 0; i < 100; ++i)
            deep += "[";
        r = load(deep, t, info);
        QVERIFY2(r.error.find("nested deeper than 64") != std::string::npos, r.error.c_str());
        std::istringstream in("[]");
        il::Timeline t2;
        r = il::read_trace(in, std::uint64_t(8) << 30, "huge.json", t2, info);
        QVERIFY2(r.error.find("at most 2048 MiB") != std::string::npos, r.error.c_str());
    }

    void progressAndCancel()
    {
        std::string text = "{\"traceEvents\":[";
        for (int i = 0; i < 5000; ++i)
            text += (i ? "," : "") + std::string("{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":") +
                    std::to_string(i * 10 + 1) + ",\"dur\":5,\"name\":\"task\"}";
        text += "]}";
        std::vector<std::uint64_t> seen;
        il::TraceReadOptions options;
        options.progress = [&](std::uint64_t done, std::uint64_t total) {
            seen.push_back(done);
            return total == text.size();
        };
        il::Timeline t;
        il::RunInfo info;
        QVERIFY(load(text, t, info, options).ok);
        QVERIFY(seen.size() >= 3);
        QCOMPARE(seen.back(), std::uint64_t(text.size()));
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        options.progress = [](std::uint64_t done, std::uint64_t) { return done < 65536; };
        il::Timeline t2;
        const auto r = load(text, t2, info, options);
        QVERIFY(!r.ok);
        QVERIFY(r.cancelled);
        QCOMPARE(QString::fromStdString(r.error), QStringLiteral("test.json: cancelled"));
    }

    void csv()
    {
        const il::Timeline t = timeline_of({"worker, 1"},
                                           {{0, 0, 0, 0, il::EventKind::State, State::Running},
                                            {1500, 0, 0, 1, il::EventKind::State, State::Blocked},
                                            {2001, 0, 0, 0, il::EventKind::State, State::Spinning}},
                                           3000);
        std::ostringstream out;
        QVERIFY(il::write_csv(out, t));
        QCOMPARE(QString::fromStdString(out.str()),
                 QStringLiteral("lane,state,resource,start_us,end_us\n"
                                "\"worker, 1\",running,,0.000,1.500\n"
                                "\"worker, 1\",blocked,\"lock, \"\"the\"\" one\",1.500,2.001\n"
                                "\"worker, 1\",spinning (busy-wait),,2.001,3.000\n"));
        QCOMPARE(il::csv_field(" x"), std::string("\" x\""));
        QCOMPARE(il::csv_field("a\nb"), std::string("\"a\nb\""));
    }
};

QTEST_GUILESS_MAIN(TstTrace)
#include "tst_trace.moc"
