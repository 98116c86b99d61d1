#include "params.h"
#include "registry.h"

#include <QTest>

#include <set>
#include <string>

namespace {

// A scenario description of our own, so the parsing rules are tested independently of
// what the real scenarios happen to declare.
const il::ScenarioInfo &fixture()
{
    static const il::ScenarioInfo info{
        "fixture",
        "Fixture",
        "A scenario that only exists in this test.",
        {il::ParamSpec::integer("threads", "Threads", 1, 64, 4, "threads"),
         il::ParamSpec::integer("delay", "Delay", 0, 2000, 100, "ms"),
         il::ParamSpec::integer("offset", "Offset", -10, 10, 0, "")},
        {"result"}};
    return info;
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

// Scenario parameters: what the sliders and `--param key=value` accept, and the
// catalogue's promise that every scenario describes itself consistently.
class TstParams : public QObject {
    Q_OBJECT

private slots:
    void defaults()
    {
        const il::ParamValues values = il::default_params(fixture());
        QCOMPARE(values.size(), std::size_t(3));
        QCOMPARE(values.at("threads"), std::int64_t(4));
        QCOMPARE(values.at("delay"), std::int64_t(100));
        QCOMPARE(values.at("offset"), std::int64_t(0));
    }

    void findParam()
    {
        const il::ParamSpec *spec = il::find_param(fixture(), "delay");
        QVERIFY(spec);
        QCOMPARE(spec->unit, std::string("ms"));
        QVERIFY(!il::find_param(fixture(), "Delay")); // keys are case sensitive
        QVERIFY(!il::find_param(fixture(), ""));
    }

    void describeRange()
    {
        QCOMPARE(il::describe_range(fixture().params[0]), std::string("1 to 64 threads"));
        QCOMPARE(il::describe_range(fixture().params[2]), std::string("-10 to 10"));
    }

    void assignAccepts_data()
    {
        QTest::addColumn<QString>("assignment");
        QTest::addColumn<QString>("key");
        QTest::addColumn<qint64>("value");
        QTest::newRow("minimum") << "threads=1"
                                 << "threads" << 1LL;
        QTest::newRow("maximum") << "threads=64"
                                 << "threads" << 64LL;
        QTest::newRow("inside") << "threads=17"
                                << "threads" << 17LL;
        QTest::newRow("zero minimum") << "delay=0"
                                      << "delay" << 0LL;
        QTest::newRow("negative minimum") << "offset=-10"
                                          << "offset" << -10LL;
        QTest::newRow("negative inside") << "offset=-3"
                                         << "offset" << -3LL;
        QTest::newRow("leading zeros") << "delay=007"
                                       << "delay" << 7LL;
    }

    void assignAccepts()
    {
        QFETCH(QString, assignment);
        QFETCH(QString, key);
        QFETCH(qint64, value);
        il::ParamValues values = il::default_params(fixture());
        const auto error = il::assign_param(fixture(), assignment.toStdString(), values);
        QVERIFY2(!error, error ? error->c_str() : "");
        QCOMPARE(values.at(key.toStdString()), std::int64_t(value));
        QCOMPARE(values.size(), std::size_t(3));
    }

    void assignRefuses_data()
    {
        QTest::addColumn<QString>("assignment");
        // Every one of these must appear in the message.
        QTest::addColumn<QStringList>("mentions");
        const QStringList threadsRange{"threads", "1 to 64 threads"};
        QTest::newRow("unknown key") << "nosuch=3" << QStringList{"nosuch", "threads", "delay"};
        QTest::newRow("wrong case key") << "Threads=3" << QStringList{"Threads"};
        QTest::newRow("no equals sign") << "threads" << QStringList{"threads"};
        QTest::newRow("no key") << "=5" << QStringList{"=5"};
        QTest::newRow("letters") << "threads=abc" << (threadsRange + QStringList{"abc"});
        QTest::newRow("empty value") << "threads=" << threadsRange;
        QTest::newRow("trailing letters") << "threads=5x" << (threadsRange + QStringList{"5x"});
        QTest::newRow("exponent") << "threads=1e3" << (threadsRange + QStringList{"1e3"});
        QTest::newRow("fraction") << "threads=2.5" << threadsRange;
        QTest::newRow("leading space") << "threads= 5" << threadsRange;
        QTest::newRow("trailing space") << "threads=5 " << threadsRange;
        QTest::newRow("hex") << "threads=0x10" << threadsRange;
        QTest::newRow("below minimum") << "threads=0" << (threadsRange + QStringList{"0"});
        QTest::newRow("above maximum") << "threads=65" << (threadsRange + QStringList{"65"});
        QTest::newRow("negative") << "threads=-1" << threadsRange;
        // Beyond 64 bits a whole number is still out of range, not malformed.
        const QStringList outOfRange = threadsRange + QStringList{"is out of range"};
        QTest::newRow("overflows int64") << "threads=99999999999999999999999" << outOfRange;
        QTest::newRow("int64 max + 1")
            << "threads=9223372036854775808" << (outOfRange + QStringList{"9223372036854775808"});
        QTest::newRow("int64 min - 1")
            << "threads=-9223372036854775809" << (outOfRange + QStringList{"-9223372036854775809"});
        QTest::newRow("int64 max") << "threads=9223372036854775807" << outOfRange;
        QTest::newRow("overflow, then letters")
            << "threads=99999999999999999999999x"
            << (threadsRange + QStringList{"is not a whole number"});
        QTest::newRow("below negative minimum")
            << "offset=-11" << QStringList{"offset", "-10 to 10"};
        QTest::newRow("above zero-based maximum")
            << "delay=2001" << QStringList{"delay", "0 to 2000 ms"};
    }

    void assignRefuses()
    {
        QFETCH(QString, assignment);
        QFETCH(QStringList, mentions);
        il::ParamValues values = il::default_params(fixture());
        const il::ParamValues before = values;
        const auto error = il::assign_param(fixture(), assignment.toStdString(), values);
        QVERIFY2(error, "accepted what it should refuse");
        for (const QString &m : mentions)
            QVERIFY2(contains(*error, m.toStdString()),
                     qPrintable(
                         QStringLiteral("'%1' not in: %2").arg(m, QString::fromStdString(*error))));
        QVERIFY(values == before); // a refused assignment changes nothing
    }

    void registryHasTheCatalogue()
    {
        for (const char *id : {"race", "mutex", "semaphore"}) {
            const il::Scenario *s = il::find_scenario(id);
            QVERIFY2(s, id);
            QCOMPARE(s->info().id, std::string(id));
        }
        QVERIFY(!il::find_scenario("no-such-scenario"));
        QVERIFY(!il::find_scenario(""));

        std::set<std::string> ids;
        for (const auto &s : il::scenarios())
            QVERIFY2(ids.insert(s->info().id).second, s->info().id.c_str());
    }

    void everyScenarioDescribesItself_data()
    {
        QTest::addColumn<QString>("id");
        for (const auto &s : il::scenarios())
            QTest::newRow(s->info().id.c_str()) << QString::fromStdString(s->info().id);
    }

    // Every scenario, present and future: the GUI builds sliders from this, the command
    // line validates against it, so its declarations must be consistent.
    void everyScenarioDescribesItself()
    {
        QFETCH(QString, id);
        const il::Scenario *s = il::find_scenario(id.toStdString());
        QVERIFY(s);
        const il::ScenarioInfo &info = s->info();
        QVERIFY(!info.title.empty());
        QVERIFY(!info.explanation.empty());
        QVERIFY(!info.metrics.empty());
        QVERIFY(!info.params.empty());

        std::set<std::string> metrics;
        for (const auto &m : info.metrics) {
            QVERIFY(!m.empty());
            QVERIFY2(metrics.insert(m).second, m.c_str());
        }

        std::set<std::string> keys;
        for (const il::ParamSpec &p : info.params) {
            const QByteArray where = QByteArray::fromStdString(info.id + "." + p.key);
            QVERIFY2(!p.key.empty(), where);
            QVERIFY2(p.key.find_first_of("= ") == std::string::npos, where);
            QVERIFY2(!p.label.empty(), where);
            QVERIFY2(keys.insert(p.key).second, where); // keys are unique
            QVERIFY2(p.min <= p.max, where);
            QVERIFY2(p.min <= p.def && p.def <= p.max, where);

            // Both ends of the range are accepted, one step beyond either is refused.
            il::ParamValues values = il::default_params(info);
            const std::string key = p.key + "=";
            QVERIFY2(!il::assign_param(info, key + il::param_text(p, p.min), values), where);
            QCOMPARE(values.at(p.key), p.min);
            QVERIFY2(!il::assign_param(info, key + il::param_text(p, p.max), values), where);
            QCOMPARE(values.at(p.key), p.max);
            if (p.kind != il::ParamKind::Int) {
                // Names only: an index or an unknown name is refused with the choices.
                const auto wrong = il::assign_param(info, key + "maybe", values);
                QVERIFY2(wrong && contains(*wrong, p.key) &&
                             contains(*wrong, p.kind == il::ParamKind::Bool
                                                  ? "on or off"
                                                  : il::describe_range(p)),
                         where);
                continue;
            }
            const auto below = il::assign_param(info, key + std::to_string(p.min - 1), values);
            QVERIFY2(below && contains(*below, p.key) && contains(*below, il::describe_range(p)),
                     where);
            const auto above = il::assign_param(info, key + std::to_string(p.max + 1), values);
            QVERIFY2(above && contains(*above, p.key) && contains(*above, il::describe_range(p)),
                     where);
        }

        const il::ParamValues defaults = il::default_params(info);
        QCOMPARE(defaults.size(), info.params.size());
        for (const il::ParamSpec &p : info.params)
            QCOMPARE(defaults.at(p.key), p.def);
    }
};

QTEST_GUILESS_MAIN(TstParams)
#include "tst_params.moc"
