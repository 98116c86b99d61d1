// What Interleave remembers between sessions, and what it says about itself.
#include "appidentity.h"
#include "appsettings.h"
#include "params.h"
#include "registry.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TstAppSettings : public QObject {
    Q_OBJECT
private slots:
    void init();
    void windowLayoutRoundTrips();
    void scenarioAndParamsRoundTrip();
    void paramsOutOfRangeAreClampedAndUnknownIgnored();
    void paramsDefaultWhenNothingSaved();
    void exportFolderIsRemembered();
    void themeIsRememberedAndUnknownIsSystem();
    void exportFolderThatVanishedFallsBack();
    void recentFilesAreMostRecentFirstAndCapped();
    void recentFileRemoval();
    void iconAndVersion();

private:
    QString iniPath() const { return m_dir.filePath(QStringLiteral("settings.ini")); }
    QTemporaryDir m_dir;
};

void TstAppSettings::init()
{
    QFile::remove(iniPath());
}

void TstAppSettings::windowLayoutRoundTrips()
{
    {
        AppSettings s(iniPath());
        s.setWindowGeometry("geometry-bytes");
        s.setWindowState("state-bytes");
        s.setSplitterState(QStringLiteral("views"), "splitter-bytes");
    }
    AppSettings s(iniPath());
    QCOMPARE(s.windowGeometry(), QByteArray("geometry-bytes"));
    QCOMPARE(s.windowState(), QByteArray("state-bytes"));
    QCOMPARE(s.splitterState(QStringLiteral("views")), QByteArray("splitter-bytes"));
    QVERIFY(s.splitterState(QStringLiteral("other")).isEmpty());
}

void TstAppSettings::scenarioAndParamsRoundTrip()
{
    const il::Scenario *mutex = il::find_scenario("mutex");
    QVERIFY(mutex);
    il::ParamValues values = AppSettings(iniPath()).params(mutex->info());
    values["threads"] = 7;
    {
        AppSettings s(iniPath());
        s.setLastScenario(QStringLiteral("mutex"));
        s.setParams(QStringLiteral("mutex"), values);
    }
    AppSettings s(iniPath());
    QCOMPARE(s.lastScenario(), QStringLiteral("mutex"));
    QCOMPARE(s.params(mutex->info()), values);
}

void TstAppSettings::paramsOutOfRangeAreClampedAndUnknownIgnored()
{
    const il::Scenario *mutex = il::find_scenario("mutex");
    QVERIFY(mutex);
    const il::ParamSpec *threads = nullptr;
    for (const il::ParamSpec &spec : mutex->info().params)
        if (spec.key == "threads")
            threads = &spec;
    QVERIFY(threads);
    {
        QSettings raw(iniPath(), QSettings::IniFormat);
        raw.setValue(QStringLiteral("params/mutex/threads"), 1'000'000);
        raw.setValue(QStringLiteral("params/mutex/no_such_knob"), 3);
        raw.setValue(QStringLiteral("params/mutex/increments"), QStringLiteral("lots"));
    }
    const il::ParamValues values = AppSettings(iniPath()).params(mutex->info());
    QCOMPARE(values.at("threads"), threads->max);
    QVERIFY(!values.count("no_such_knob"));
    // Not a number: the default, as if nothing had been saved.
    QCOMPARE(values.at("increments"), il::default_params(mutex->info()).at("increments"));
}

void TstAppSettings::paramsDefaultWhenNothingSaved()
{
    for (const auto &scenario : il::scenarios())
        QCOMPARE(AppSettings(iniPath()).params(scenario->info()),
                 il::default_params(scenario->info()));
}

void TstAppSettings::exportFolderIsRemembered()
{
    QDir(m_dir.path()).mkpath(QStringLiteral("exports"));
    const QString file = m_dir.filePath(QStringLiteral("exports/run.png"));
    AppSettings(iniPath()).setLastExportDir(file);
    QCOMPARE(AppSettings(iniPath()).lastExportDir(), m_dir.filePath(QStringLiteral("exports")));
}

void TstAppSettings::themeIsRememberedAndUnknownIsSystem()
{
    QCOMPARE(AppSettings(iniPath()).theme(), QStringLiteral("system"));
    AppSettings(iniPath()).setTheme(QStringLiteral("dark"));
    QCOMPARE(AppSettings(iniPath()).theme(), QStringLiteral("dark"));
    AppSettings(iniPath()).setTheme(QStringLiteral("purple")); // a hand-edited file
    QCOMPARE(AppSettings(iniPath()).theme(), QStringLiteral("system"));
}

void TstAppSettings::exportFolderThatVanishedFallsBack()
{
    const QString gone = m_dir.filePath(QStringLiteral("gone"));
    QDir(m_dir.path()).mkpath(QStringLiteral("gone"));
    AppSettings(iniPath()).setLastExportDir(gone);
    QDir(gone).removeRecursively();
    const QString fallback = AppSettings(iniPath()).lastExportDir();
    QVERIFY(fallback != gone);
    QVERIFY(QFileInfo(fallback).isDir());
}

void TstAppSettings::recentFilesAreMostRecentFirstAndCapped()
{
    AppSettings s(iniPath());
    for (int i = 0; i < AppSettings::kMaxRecentFiles + 3; ++i)
        s.addRecentFile(m_dir.filePath(QStringLiteral("run%1.json").arg(i)));
    s.addRecentFile(m_dir.filePath(QStringLiteral("run5.json"))); // again: moves to the top
    const QStringList recent = AppSettings(iniPath()).recentFiles();
    QCOMPARE(recent.size(), AppSettings::kMaxRecentFiles);
    QCOMPARE(recent.first(), m_dir.filePath(QStringLiteral("run5.json")));
    QCOMPARE(recent.count(m_dir.filePath(QStringLiteral("run5.json"))), 1);
    QVERIFY(!recent.contains(m_dir.filePath(QStringLiteral("run0.json")))); // the oldest went
}

void TstAppSettings::recentFileRemoval()
{
    AppSettings s(iniPath());
    s.addRecentFile(m_dir.filePath(QStringLiteral("a.json")));
    s.addRecentFile(m_dir.filePath(QStringLiteral("b.json")));
    // A relative or unclean spelling of the same file removes it too.
    s.removeRecentFile(m_dir.path() + QStringLiteral("/./a.json"));
    QCOMPARE(s.recentFiles(), QStringList{m_dir.filePath(QStringLiteral("b.json"))});
    s.clearRecentFiles();
    QVERIFY(s.recentFiles().isEmpty());
}

void TstAppSettings::iconAndVersion()
{
    QVERIFY(!appIcon().isNull());
    QVERIFY(!appIcon().pixmap(64, 64).isNull());
    QVERIFY(appVersion().contains(QLatin1Char('.')));
    QVERIFY(aboutText().contains(appVersion()));
}

QTEST_MAIN(TstAppSettings)
#include "tst_appsettings.moc"
